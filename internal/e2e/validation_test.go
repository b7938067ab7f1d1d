package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/validate/validatetest"
)

// TestModelDerivedValidation sends, over real HTTP, every violating request
// package validatetest derives from the official api-2.json models (one per
// constraint of every input member of every operation, nested ones too) and
// checks that the server answers each with AWS's ValidationException and
// exactly the expected message: Cognito Identity as JSON 1.1, Cognito Sync
// both in the legacy X-Amz-Target form and as rest-json. The server
// validates before it looks anything up, so no pool needs to exist.
func TestModelDerivedValidation(t *testing.T) {
	e := newEnv(t, auth.ModeAny)
	t.Run("cognito-identity", func(t *testing.T) {
		n := validationJSON11(t, e.URL, "cognito-identity", "AWSCognitoIdentityService.")
		t.Logf("cognito-identity, JSON 1.1: %d cases", n)
	})
	t.Run("cognito-sync", func(t *testing.T) {
		if !syncRouted(t, e.URL) {
			t.Skip("sync not wired")
		}
		t.Run("target", func(t *testing.T) {
			n := validationJSON11(t, e.URL, "cognito-sync", "com.amazonaws.cognito.sync.model.AWSCognitoSyncService.")
			t.Logf("cognito-sync, X-Amz-Target form: %d cases", n)
		})
		t.Run("rest-json", func(t *testing.T) {
			n, skipped := validationREST(t, e.URL)
			t.Logf("cognito-sync, rest-json: %d cases; %d not expressible over rest-json, skipped:\n%s", n, len(skipped), strings.Join(skipped, "\n"))
		})
	})
}

// syncRouted reports whether the server routes Cognito Sync: a signed GET
// /identitypools (ListIdentityPoolUsage) answers something other than
// UnknownOperationException.
func syncRouted(t *testing.T, base string) bool {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/identitypools", nil)
	if err != nil {
		t.Fatal(err)
	}
	sign(t, req, "", "cognito-sync")
	resp, b := roundTrip(t, req)
	if resp.Header.Get("x-amzn-ErrorType") == "UnknownOperationException" {
		return false
	}
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(b, &e)
	return e.Type != "UnknownOperationException"
}

// roundTrip sends req and returns the response with its body read; every
// response must carry a request ID.
func roundTrip(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%s %s: no x-amzn-RequestId header", req.Method, req.URL)
	}
	return resp, b
}

// decodeStrict decodes an error body that must hold exactly the string
// members named by keys.
func decodeStrict(t *testing.T, b []byte, keys ...string) map[string]string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, slices.Sorted(slices.Values(keys))) {
		t.Fatalf("body %s: members %q, want %q", b, got, keys)
	}
	out := map[string]string{}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("body %s: %s is not a string", b, k)
		}
		out[k] = s
	}
	return out
}

// validationJSON11 sends every case of service as a JSON 1.1 request, the
// members in the body named as in the model, and returns how many it sent.
func validationJSON11(t *testing.T, base, service, targetPrefix string) int {
	want := validationCode(service)
	n := 0
	for _, c := range validatetest.Cases(t, service) {
		n++
		t.Run(c.Op.Name+"/"+c.Name, func(t *testing.T) {
			body, err := json.Marshal(c.Body)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", targetPrefix+c.Op.Name)
			sign(t, req, string(body), service)
			resp, b := roundTrip(t, req)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("request %s: status %d, body %s", body, resp.StatusCode, b)
			}
			m := decodeStrict(t, b, "__type", "message")
			if m["__type"] != want {
				t.Fatalf("request %s: __type %q, body %s", body, m["__type"], b)
			}
			if err := c.MatchMessage(m["message"]); err != nil {
				t.Fatalf("request %s: %v", body, err)
			}
		})
	}
	return n
}

// validationREST sends every Cognito Sync case as rest-json, built from the
// operation's HTTP binding. It returns how many it sent and the cases that
// cannot be expressed over rest-json and were skipped, with why.
func validationREST(t *testing.T, base string) (sent int, skipped []string) {
	for _, c := range validatetest.Cases(t, "cognito-sync") {
		req, body, why := restRequest(t, base, c.Op, c.Body)
		if req == nil {
			// A URI label cannot be absent or empty (either changes the route
			// the request takes), nor be "." or ".."; a header cannot carry
			// an empty value, surrounding blanks or control characters. The
			// X-Amz-Target form above covers these cases.
			skipped = append(skipped, c.Op.Name+"/"+c.Name+": "+why)
			continue
		}
		sent++
		t.Run(c.Op.Name+"/"+c.Name, func(t *testing.T) {
			resp, b := roundTrip(t, req)
			desc := fmt.Sprintf("%s %s %s", req.Method, req.URL.RequestURI(), body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s: status %d, body %s", desc, resp.StatusCode, b)
			}
			if got := resp.Header.Get("x-amzn-ErrorType"); got != validationCode("cognito-sync") {
				t.Fatalf("%s: x-amzn-ErrorType %q, body %s", desc, got, b)
			}
			m := decodeStrict(t, b, "message")
			if err := c.MatchMessage(m["message"]); err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
		})
	}
	return sent, skipped
}

// restRequest builds the signed rest-json request carrying members as op's
// HTTP binding places them: URI labels (URL-escaped), query parameters,
// headers, and the rest in a JSON body. It returns a nil request, and why,
// when some member's value cannot be sent where the binding puts it.
func restRequest(t *testing.T, base string, op *validatetest.Operation, members map[string]any) (*http.Request, []byte, string) {
	t.Helper()
	path, rawQuery, _ := strings.Cut(op.RequestURI, "?")
	query := url.Values{}
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			t.Fatalf("%s: requestUri %q: %v", op.Name, op.RequestURI, err)
		}
		query = q
	}
	header := http.Header{}
	body := map[string]any{}
	str := func(name string, v any) string {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("%s: located member %s is %T, not a string", op.Name, name, v)
		}
		return s
	}
	for _, mem := range op.Members {
		v, present := members[mem.Name]
		switch mem.Location {
		case "uri":
			greedy := strings.Contains(path, "{"+mem.LocationName+"+}")
			if !present {
				return nil, nil, "URI label " + mem.LocationName + " absent"
			}
			s := str(mem.Name, v)
			var segs []string
			if greedy {
				segs = strings.Split(s, "/")
			} else {
				segs = []string{s}
			}
			for i, seg := range segs {
				if seg == "" || seg == "." || seg == ".." {
					return nil, nil, fmt.Sprintf("URI label %s is %q", mem.LocationName, s)
				}
				segs[i] = url.PathEscape(seg)
			}
			label := "{" + mem.LocationName + "}"
			if greedy {
				label = "{" + mem.LocationName + "+}"
			}
			if !strings.Contains(path, label) {
				t.Fatalf("%s: requestUri %q has no label %s", op.Name, op.RequestURI, label)
			}
			path = strings.Replace(path, label, strings.Join(segs, "/"), 1)
		case "querystring":
			if present {
				query.Set(mem.LocationName, str(mem.Name, v))
			}
		case "header":
			if !present {
				continue
			}
			s := str(mem.Name, v)
			if s == "" || s != strings.Trim(s, " \t") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return nil, nil, fmt.Sprintf("header %s cannot carry %q", mem.LocationName, s)
			}
			header.Set(mem.LocationName, s)
		case "":
			if present {
				body[mem.Name] = v
			}
		default:
			t.Fatalf("%s: member %s: location %q", op.Name, mem.Name, mem.Location)
		}
	}
	for k := range members {
		if op.Member(k) == nil {
			t.Fatalf("%s: case sets unknown member %s", op.Name, k)
		}
	}
	if strings.Contains(path, "{") {
		t.Fatalf("%s: unfilled label in %q", op.Name, path)
	}
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var b []byte
	if len(body) > 0 {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(op.Method, u, bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	maps.Copy(req.Header, header)
	if b != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sign(t, req, string(b), "cognito-sync")
	return req, b, ""
}

// validationCode is the error code each service answers constraint
// violations with: Cognito Sync's model has no ValidationException and
// documents InvalidParameterException for them.
func validationCode(service string) string {
	if service == "cognito-sync" {
		return "InvalidParameterException"
	}
	return "ValidationException"
}
