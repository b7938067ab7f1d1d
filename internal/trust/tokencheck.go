package trust

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/redact"
)

// Providers whose tokens are opaque access tokens are verified by asking
// the provider: Facebook's debug_token, Login with Amazon's tokeninfo,
// Twitter's verify_credentials. Their URLs are configurable, so a test's own
// endpoint can stand in.

const maxCheckBytes = 1 << 20

// checkAnswer is a token-check endpoint's answer.
type checkAnswer struct {
	status int
	body   map[string]any
}

// askProvider sends req and decodes a JSON answer. Network failures and
// 5xx answers are Unavailable; other statuses are returned for the caller
// to judge.
func (r *Registry) askProvider(req *http.Request, name string) (*checkAnswer, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		// The URL's query holds the app's secret and the user's token.
		r.log.Warn("token check failed", "provider", name, "endpoint", redact.URL(req.URL), "err", redact.Err(err))
		return nil, unavailable(name)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxCheckBytes))
	if err != nil || resp.StatusCode >= 500 {
		r.log.Warn("token check failed", "provider", name, "endpoint", redact.URL(req.URL), "status", resp.Status)
		return nil, unavailable(name)
	}
	a := &checkAnswer{status: resp.StatusCode}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&a.body) != nil {
		a.body = nil
	}
	return a, nil
}

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func num(m map[string]any, k string) (int64, bool) {
	switch v := m[k].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func notConfigured(name, what string) *Error {
	return invalid(fmt.Sprintf("Login verification for %s is not configured: %s in the --logins-config file (see docs/LOGINS.md), or run with --logins trust.", name, what))
}

// verifyFacebook asks debug_token about a Facebook user access token.
func (r *Registry) verifyFacebook(ctx context.Context, l *Login, p *Provider, now time.Time) (*Result, error) {
	if p == nil {
		return nil, notConfigured(l.Name, `set providers["graph.facebook.com"].appSecret (the Facebook app secret) or .appAccessToken`)
	}
	appToken := p.AppAccessToken
	if appToken == "" {
		appID := p.AppID
		if appID == "" && len(l.ClientIDs) == 1 {
			appID = l.ClientIDs[0]
		}
		if appID == "" {
			return nil, notConfigured(l.Name, `set providers["graph.facebook.com"].appId`)
		}
		appToken = appID + "|" + p.AppSecret
	}
	u := p.TokenCheckURL
	if u == "" {
		u = facebookTokenCheck
	}
	q := url.Values{"input_token": {l.Token}, "access_token": {appToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+sep(u)+q.Encode(), nil)
	if err != nil {
		return nil, unavailable(l.Name)
	}
	a, err := r.askProvider(req, l.Name)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		// debug_token answers 200 about invalid user tokens; anything else
		// is about the call itself (the app credentials).
		r.log.Warn("Facebook refused the debug_token call: check appId/appSecret/appAccessToken", "status", a.status)
		return nil, invalid("Facebook did not accept the token.")
	}
	data, _ := a.body["data"].(map[string]any)
	if data == nil {
		return nil, invalid("Facebook did not accept the token.")
	}
	if v, _ := data["is_valid"].(bool); !v {
		return nil, invalid("Facebook did not accept the token.")
	}
	if !slices.Contains(l.ClientIDs, str(data, "app_id")) {
		return nil, refused(MsgWrongAudience)
	}
	if exp, ok := num(data, "expires_at"); ok && exp > 0 && !now.Before(time.Unix(exp, 0).Add(r.cfg.skew())) {
		return nil, invalid(fmt.Sprintf("Token expired: %d >= %d", now.Unix(), exp))
	}
	sub := str(data, "user_id")
	if sub == "" {
		return nil, invalid("Facebook did not name the token's user.")
	}
	claims := map[string]any{"sub": sub, "aud": str(data, "app_id"), "app_id": str(data, "app_id")}
	return &Result{Subject: sub, Claims: claims}, nil
}

// verifyAmazon asks Login with Amazon's tokeninfo about an access token.
func (r *Registry) verifyAmazon(ctx context.Context, l *Login, p *Provider) (*Result, error) {
	if p == nil {
		return nil, notConfigured(l.Name, `add providers["www.amazon.com"] (tokenCheckURL defaults to `+amazonTokenCheck+`)`)
	}
	u := p.TokenCheckURL
	if u == "" {
		u = amazonTokenCheck
	}
	q := url.Values{"access_token": {l.Token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+sep(u)+q.Encode(), nil)
	if err != nil {
		return nil, unavailable(l.Name)
	}
	a, err := r.askProvider(req, l.Name)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK || a.body == nil || a.body["error"] != nil {
		return nil, invalid("Login with Amazon did not accept the token.")
	}
	if !slices.Contains(l.ClientIDs, str(a.body, "app_id")) && !slices.Contains(l.ClientIDs, str(a.body, "aud")) {
		return nil, refused(MsgWrongAudience)
	}
	if left, ok := num(a.body, "exp"); ok && left <= 0 {
		return nil, invalid("Token expired.")
	}
	sub := str(a.body, "user_id")
	if sub == "" {
		return nil, invalid("Login with Amazon did not name the token's user.")
	}
	claims := map[string]any{"sub": sub, "aud": str(a.body, "aud"), "app_id": str(a.body, "app_id")}
	return &Result{Subject: sub, Claims: claims}, nil
}

// verifyTwitter calls verify_credentials with the user's OAuth 1.0a token
// ("accessToken;accessTokenSecret"), signed with the app's consumer key
// (the pool's value "consumerKey;consumerSecret", or the configuration's).
func (r *Registry) verifyTwitter(ctx context.Context, l *Login, p *Provider) (*Result, error) {
	if p == nil {
		return nil, notConfigured(l.Name, `add providers["api.twitter.com"] (tokenCheckURL defaults to `+twitterTokenCheck+`)`)
	}
	ck, cs, ok := strings.Cut(l.Value, ";")
	if !ok {
		ck, cs = p.ConsumerKey, p.ConsumerSecret
	}
	if ck == "" || cs == "" {
		return nil, notConfigured(l.Name, `set providers["api.twitter.com"].consumerKey and .consumerSecret (or make the pool's value "consumerKey;consumerSecret")`)
	}
	tok, secret, ok := strings.Cut(l.Token, ";")
	if !ok || tok == "" || secret == "" {
		return nil, invalid(`A Twitter login token is "accessToken;accessTokenSecret".`)
	}
	u := p.TokenCheckURL
	if u == "" {
		u = twitterTokenCheck
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable(l.Name)
	}
	req.Header.Set("Authorization", oauth1Header(req, ck, cs, tok, secret, time.Now()))
	a, err := r.askProvider(req, l.Name)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK || a.body == nil {
		return nil, invalid("Twitter did not accept the token.")
	}
	sub := str(a.body, "id_str")
	if sub == "" {
		sub = str(a.body, "id")
	}
	if sub == "" {
		return nil, invalid("Twitter did not name the token's user.")
	}
	claims := map[string]any{"sub": sub}
	if n := str(a.body, "screen_name"); n != "" {
		claims["screen_name"] = n
	}
	return &Result{Subject: sub, Claims: claims}, nil
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// oauth1Header signs req with OAuth 1.0a HMAC-SHA1 (RFC 5849).
func oauth1Header(req *http.Request, consumerKey, consumerSecret, token, tokenSecret string, now time.Time) string {
	var nb [16]byte
	rand.Read(nb[:])
	oauth := map[string]string{
		"oauth_consumer_key":     consumerKey,
		"oauth_nonce":            hex.EncodeToString(nb[:]),
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(now.Unix(), 10),
		"oauth_token":            token,
		"oauth_version":          "1.0",
	}
	oauth["oauth_signature"] = OAuth1Signature(req.Method, req.URL, oauth, consumerSecret, tokenSecret)
	keys := make([]string, 0, len(oauth))
	for k := range oauth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = pctEncode(k) + `="` + pctEncode(oauth[k]) + `"`
	}
	return "OAuth " + strings.Join(parts, ", ")
}

// OAuth1Signature computes an OAuth 1.0a HMAC-SHA1 signature over the
// request's method, URL, query and oauth parameters (exported for tests'
// token-check endpoints).
func OAuth1Signature(method string, u *url.URL, oauth map[string]string, consumerSecret, tokenSecret string) string {
	type kv struct{ k, v string }
	var params []kv
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, kv{pctEncode(k), pctEncode(v)})
		}
	}
	for k, v := range oauth {
		if k != "oauth_signature" {
			params = append(params, kv{pctEncode(k), pctEncode(v)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	ps := make([]string, len(params))
	for i, p := range params {
		ps[i] = p.k + "=" + p.v
	}
	base := *u
	base.RawQuery, base.Fragment = "", ""
	base.Scheme, base.Host = strings.ToLower(base.Scheme), strings.ToLower(base.Host)
	sbs := strings.ToUpper(method) + "&" + pctEncode(base.String()) + "&" + pctEncode(strings.Join(ps, "&"))
	mac := hmac.New(sha1.New, []byte(pctEncode(consumerSecret)+"&"+pctEncode(tokenSecret)))
	mac.Write([]byte(sbs))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// pctEncode is RFC 3986 percent-encoding (unreserved characters kept).
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
