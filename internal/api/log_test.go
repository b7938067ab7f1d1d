package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/model"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines returns the JSON log lines written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// logServer serves GetId (answers), GetOpenIdToken (panics) and
// GetCredentialsForIdentity (fails with a plain error:
// InternalErrorException), all unsigned operations.
func logServer(buf io.Writer, on bool) *Server {
	svc := &Service{Model: model.CognitoIdentity, Handlers: map[string]Handler{
		"GetId": func(*Call) (any, error) {
			return struct{ IdentityId string }{"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}, nil
		},
		"GetOpenIdToken":            func(*Call) (any, error) { panic("boom") },
		"GetCredentialsForIdentity": func(*Call) (any, error) { return nil, io.ErrUnexpectedEOF },
	}}
	s := New(svc, nil, auth.New(auth.ModeAny, &auth.Keys{}, nil), slog.New(slog.NewJSONHandler(buf, nil)), nil)
	s.LogRequests(on)
	return s
}

// TestRequestLog checks which requests are logged, at which level, with the
// request ID the client saw: every one with --log-requests, only server
// failures (an internal error, a panic) without.
func TestRequestLog(t *testing.T) {
	const pool = `{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`
	const identity = `{"IdentityId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`
	reqs := []struct {
		op, body string
		status   int
		level    string // "" when not logged with request logs off
	}{
		{"GetId", pool, 200, ""},
		{"GetId", `{}`, 400, ""}, // a client error: validation
		{"GetCredentialsForIdentity", identity, 500, "ERROR"},
		{"GetOpenIdToken", identity, 500, "ERROR"},
	}
	for _, on := range []bool{false, true} {
		buf := &syncBuffer{}
		s := logServer(buf, on)
		var want []string // request IDs expected in the log, in order
		for _, r := range reqs {
			req := httptest.NewRequest("POST", "/", strings.NewReader(r.body))
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+r.op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != r.status {
				t.Fatalf("%s: status %d, want %d: %s", r.op, w.Code, r.status, w.Body)
			}
			if r.status == 500 && !strings.Contains(w.Body.String(), "InternalErrorException") {
				t.Fatalf("%s: body %s", r.op, w.Body)
			}
			rid := w.Header().Get("x-amzn-RequestId")
			if rid == "" {
				t.Fatalf("%s: no request ID", r.op)
			}
			if on || r.level != "" {
				want = append(want, rid)
			}
		}
		var got []string
		for _, l := range buf.lines(t) {
			switch l["msg"] {
			case "request", "request panicked":
				got = append(got, l["request_id"].(string))
				if st := int(l["status"].(float64)); (st >= 500) != (l["level"] == "ERROR") {
					t.Errorf("log requests %v: status %d logged at %v", on, st, l["level"])
				}
			case "request failed": // the cause of the internal error, with its request ID
				if l["request_id"] == nil || l["level"] != "ERROR" {
					t.Errorf("request failed line: %v", l)
				}
			default:
				t.Errorf("unexpected log line %v", l)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("log requests %v: logged request IDs\n%v\nwant\n%v", on, got, want)
		}
	}
}

// TestRequestLogFields checks one request line's fields.
func TestRequestLogFields(t *testing.T) {
	buf := &syncBuffer{}
	s := logServer(buf, true)
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`))
	req.RemoteAddr = "192.0.2.7:4711"
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	lines := buf.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d lines: %v", len(lines), lines)
	}
	l := lines[0]
	for k, v := range map[string]any{
		"msg": "request", "level": "INFO", "request_id": w.Header().Get("x-amzn-RequestId"),
		"service": "cognito-identity", "operation": "GetId", "status": float64(200), "code": "",
		"remote_addr": "192.0.2.7:4711", "account": "",
	} {
		if l[k] != v {
			t.Errorf("%s = %#v, want %#v", k, l[k], v)
		}
	}
	if ms, ok := l["duration_ms"].(float64); !ok || ms < 0 {
		t.Errorf("no duration_ms: %v", l)
	}
}

// TestRequestLogOffAllocatesNothing: with request logs off, a successful
// request's log hook returns before building anything.
func TestRequestLogOffAllocatesNothing(t *testing.T) {
	s := logServer(io.Discard, false)
	r := httptest.NewRequest("POST", "/", nil)
	a := &answer{svc: s.identity, op: "GetId", status: http.StatusOK, account: "123456789012"}
	ctx := r.Context()
	if n := testing.AllocsPerRun(1000, func() { s.logRequest(ctx, r, "rid", a, 1) }); n != 0 {
		t.Fatalf("logRequest with logs off: %v allocations per request, want 0", n)
	}
}

// BenchmarkRequestLog measures a whole GetId request with request logs off
// and on (to a discarding JSON handler): off must cost what no logging
// costs.
func BenchmarkRequestLog(b *testing.B) {
	body := []byte(`{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`)
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			s := logServer(io.Discard, on)
			req, _ := http.NewRequest("POST", "http://127.0.0.1:9230/", bytes.NewReader(body))
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
			b.ReportAllocs()
			for b.Loop() {
				req.Body = io.NopCloser(bytes.NewReader(body))
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}

// TestClientGone: a request whose client hung up while its handler ran
// (the handler returns the request context's error) is not a server
// failure: no error line, status 499 in the request line and the metrics,
// while a handler's own context.Canceled with the client still there stays
// an internal error.
func TestClientGone(t *testing.T) {
	type seen struct {
		code   string
		status int
	}
	for _, tc := range []struct {
		name      string
		hangUp    bool
		want      seen
		errorLine bool
	}{
		{"client gone", true, seen{"", StatusClientClosedRequest}, false},
		{"client there", false, seen{"InternalErrorException", 500}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := &syncBuffer{}
			svc := &Service{Model: model.CognitoIdentity, Handlers: map[string]Handler{
				"GetId": func(c *Call) (any, error) {
					if c.Context.Err() != nil {
						return nil, fmt.Errorf("store: %w", c.Context.Err())
					}
					return nil, fmt.Errorf("store: %w", context.Canceled)
				},
			}}
			var got []seen
			observe := func(service, op, code string, status int, d time.Duration) {
				got = append(got, seen{code, status})
			}
			s := New(svc, nil, auth.New(auth.ModeAny, &auth.Keys{}, nil), slog.New(slog.NewJSONHandler(buf, nil)), observe)
			ctx, cancel := context.WithCancel(context.Background())
			if tc.hangUp {
				cancel()
			}
			defer cancel()
			req := httptest.NewRequest("POST", "/", strings.NewReader(`{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`)).WithContext(ctx)
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
			s.ServeHTTP(httptest.NewRecorder(), req)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("observed %v, want %v", got, tc.want)
			}
			errorLine := false
			for _, l := range buf.lines(t) {
				errorLine = errorLine || l["level"] == "ERROR"
			}
			if errorLine != tc.errorLine {
				t.Errorf("error line logged: %v, want %v (%v)", errorLine, tc.errorLine, buf.lines(t))
			}
		})
	}
}
