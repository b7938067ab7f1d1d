package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary Authorization headers, dates and queries to
// Parse (and whatever it accepts to Verify): neither may panic, errors are
// always *Error, and an accepted signature is well formed.
func FuzzParse(f *testing.F) {
	f.Add(goodAuth, "20150830T123600Z", "", "")
	f.Add(strings.ReplaceAll(goodAuth, ", ", ","), "", "Sun, 30 Aug 2015 12:36:00 GMT", "a=1&b=%2F")
	f.Add("foo", "", "", "")
	f.Add("AWS4-HMAC-SHA256 Credential= x/y, Signature", "x", "", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=;;, Signature===", "20150830T123600Z", "", "")
	f.Add("", "", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fs%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab&X-Amz-Expires=60")
	f.Add("", "", "", "X-Amz-Algorithm&X-Amz-Expires=99999999999999999999")
	f.Add(",,, \t=", "\x00", "\xff", "%zz;&=")
	f.Fuzz(func(t *testing.T, auth, amzDate, date, query string) {
		r := &http.Request{
			Method: "POST",
			URL:    &url.URL{Path: "/", RawQuery: query},
			Host:   "localhost",
			Header: http.Header{},
		}
		for k, v := range map[string]string{"Authorization": auth, "X-Amz-Date": amzDate, "Date": date} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		p, err := Parse(r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("error %#v", err)
			}
			if p != nil {
				t.Fatal("request returned with an error")
			}
			return
		}
		if p.AccessKeyID == "" || len(p.ScopeDate) != 8 || p.Region == "" || p.Service == "" || p.Date.IsZero() {
			t.Fatalf("accepted %+v", p)
		}
		hasHost := false
		for _, h := range p.SignedHeaders {
			hasHost = hasHost || strings.EqualFold(h, "host")
		}
		if !hasHost || p.Expires < 0 || p.Expires > maxExpires {
			t.Fatalf("accepted %+v", p)
		}
		err = Verify(r, []byte(auth), p, "secret", p.Date)
		var e *Error
		if err == nil || !errors.As(err, &e) || e.Code != CodeInvalidSignature {
			// Nothing fuzzed carries a valid signature for "secret".
			t.Fatalf("Verify: %v", err)
		}
		_ = Verify(r, nil, p, "", time.Time{})
	})
}

// FuzzParseDigitsDate checks the hand-written date parser against
// time.Parse.
func FuzzParseDigitsDate(f *testing.F) {
	for _, s := range []string{"20150830T123600Z", "20150830", "20150230T000000Z", "20151301", "20150830T246000Z", "2015083aT123600Z", "+0150830"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, withTime := range []bool{false, true} {
			layout := "20060102"
			if withTime {
				layout = amzDateFormat
			}
			want, err := time.Parse(layout, s)
			got, ok := parseDigitsDate(s, withTime)
			if ok != (err == nil) || ok && !got.Equal(want) {
				t.Fatalf("%q (time %v): got %v %v, time.Parse %v %v", s, withTime, got, ok, want, err)
			}
		}
	})
}
