package server

import (
	"net/http"
	"strings"
)

// CORS lets web pages on other origins call cognitod, as browser apps call
// Cognito through the AWS SDK for JavaScript (fromCognitoIdentityPool, the
// Sync client). Without it a browser refuses every call: the SDK's requests
// carry non-simple headers (authorization, x-amz-*, amz-sdk-*) and JSON
// content types, so the browser first sends an OPTIONS preflight, and it
// hides from the SDK every response header not exposed, among them
// x-amzn-ErrorType, the only place rest-json (Sync) errors name their code.

// corsExposed are the response headers the SDK reads besides the safelisted
// ones: the request ID, the rest-json error code, and Date (the SDK corrects
// clock skew from it after a signature refused as expired).
const corsExposed = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"

// corsMethods are the methods the APIs use: JSON 1.1 is POST, the Sync
// rest-json bindings use GET, POST and DELETE.
const corsMethods = "GET, POST, PUT, DELETE, OPTIONS"

// corsMaxAge lets a browser reuse a preflight answer for ten minutes, so a
// page makes one preflight per request shape rather than one per call.
const corsMaxAge = "600"

// withCORS answers preflight requests on every path and adds the CORS
// response headers to every answer of next for a request with an Origin.
// allowed lists the origins allowed (scheme://host[:port], compared without
// regard to case); empty allows any origin, the default, as cognitod serves
// no cookies and every call carries its own signature or is unsigned by
// design.
func withCORS(next http.Handler, allowed []string) http.Handler {
	allow := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		allow[strings.ToLower(strings.TrimRight(o, "/"))] = true
	}
	// allowOrigin returns the Access-Control-Allow-Origin value for origin,
	// or "" when it is not allowed.
	allowOrigin := func(origin string) string {
		switch {
		case len(allow) == 0:
			return "*"
		case allow[strings.ToLower(origin)]:
			return origin
		}
		return ""
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		if len(allow) > 0 {
			// The answer depends on the Origin: caches must not mix them.
			h.Add("Vary", "Origin")
		}
		ao := allowOrigin(origin)
		reqMethod := r.Header.Get("Access-Control-Request-Method")
		if r.Method == http.MethodOptions && reqMethod != "" {
			// A preflight: answered here whatever the path, never passed
			// on (it carries no signature and names no operation).
			if ao == "" {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			if len(allow) > 0 {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			h.Set("Access-Control-Allow-Origin", ao)
			h.Set("Access-Control-Allow-Methods", corsMethods)
			if hdrs := headerList(r.Header.Values("Access-Control-Request-Headers")); hdrs != "" {
				h.Set("Access-Control-Allow-Headers", hdrs)
			}
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ao != "" {
			h.Set("Access-Control-Allow-Origin", ao)
			h.Set("Access-Control-Expose-Headers", corsExposed)
		}
		next.ServeHTTP(w, r)
	})
}

// headerList returns the header names a preflight asks for, lower-cased and
// comma-separated, dropping anything that is not a header name: every
// header is allowed (the signature protects what matters), but nothing else
// is echoed back.
func headerList(values []string) string {
	var names []string
	for _, v := range values {
		for _, n := range strings.Split(v, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			if n != "" && isToken(n) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ", ")
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2), the
// syntax of a header name.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
