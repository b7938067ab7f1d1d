package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// client sends signed Cognito requests over one keep-alive HTTP client.
type client struct {
	endpoint string
	creds    aws.Credentials
	region   string
	http     *http.Client
	signer   *v4.Signer
}

func newClient(endpoint, ak, sk, region string, conns int) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{endpoint: strings.TrimRight(endpoint, "/"), creds: aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk},
		region: region, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}, signer: v4.NewSigner()}
}

// apiError is an error answer: its code and status.
type apiError struct {
	Status int
	Code   string
	Msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

// identity calls a Cognito Identity operation (JSON 1.1); unsigned
// operations go out without a signature, as the SDKs send them.
func (c *client) identity(ctx context.Context, op string, in any, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
	switch op {
	case "GetId", "GetOpenIdToken", "GetCredentialsForIdentity", "UnlinkIdentity":
	default:
		if err := c.sign(ctx, req, body, "cognito-identity"); err != nil {
			return err
		}
	}
	return c.do(req, out)
}

// sync calls a Cognito Sync operation in rest-json.
func (c *client) sync(ctx context.Context, method, path string, query url.Values, in any, out any) error {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	u := c.endpoint + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := c.sign(ctx, req, body, "cognito-sync"); err != nil {
		return err
	}
	return c.do(req, out)
}

func (c *client) sign(ctx context.Context, req *http.Request, body []byte, service string) error {
	sum := sha256.Sum256(body)
	return c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), service, c.region, time.Now())
}

func (c *client) do(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return &apiError{Code: "transport", Msg: err.Error()}
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return &apiError{Status: resp.StatusCode, Code: "transport", Msg: err.Error()}
	}
	if resp.StatusCode/100 != 2 {
		e := &apiError{Status: resp.StatusCode, Code: resp.Header.Get("x-amzn-ErrorType")}
		var m struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg2    string `json:"Message"`
		}
		json.Unmarshal(b, &m)
		if e.Code == "" {
			e.Code = m.Type
		}
		if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
			e.Code = e.Code[i+1:]
		}
		if i := strings.IndexByte(e.Code, ':'); i >= 0 {
			e.Code = e.Code[:i]
		}
		if e.Code == "" {
			e.Code = fmt.Sprintf("HTTP%d", resp.StatusCode)
		}
		e.Msg = m.Message + m.Msg2
		return e
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}
