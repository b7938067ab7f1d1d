package throttle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cognitod/cognitod/internal/model"
)

// Service names, as the models name them.
const (
	Identity = "cognito-identity"
	Sync     = "cognito-sync"
)

var services = map[string]*model.Service{Identity: model.CognitoIdentity, Sync: model.CognitoSync}

// AWS's default request rates (RPS per account and region) for Cognito
// Identity, from its quotas page; every other operation of either service
// gets the service default below, cognitod's choice (AWS publishes no
// separate rate for them): the other Identity operations are control-plane
// calls (5, as ListIdentities), except UnlinkIdentity, a client call like
// GetId (25); Cognito Sync's data operations 50, its developer-only
// configuration and usage operations 5.
var awsPreset = []struct {
	service, op string
	rps         float64
}{
	{Identity, "GetId", 25},
	{Identity, "GetOpenIdToken", 200},
	{Identity, "GetCredentialsForIdentity", 200},
	{Identity, "GetOpenIdTokenForDeveloperIdentity", 50},
	{Identity, "ListIdentities", 5},
	{Identity, "DeleteIdentities", 10},
	{Identity, "TagResource", 5},
	{Identity, "UntagResource", 5},
	{Identity, "ListTagsForResource", 10},
	{Identity, "UnlinkIdentity", 25},
	{Identity, Any, 5},

	{Sync, Any, 50},
	{Sync, "BulkPublish", 5},
	{Sync, "GetBulkPublishDetails", 5},
	{Sync, "GetCognitoEvents", 5},
	{Sync, "SetCognitoEvents", 5},
	{Sync, "GetIdentityPoolConfiguration", 5},
	{Sync, "SetIdentityPoolConfiguration", 5},
	{Sync, "ListIdentityPoolUsage", 5},
	{Sync, "DescribeIdentityPoolUsage", 5},
}

// AWSPreset returns AWS's default rates (see awsPreset), burst one second's
// worth.
func AWSPreset() *Limits {
	l := &Limits{}
	for _, p := range awsPreset {
		l.Set(p.service, p.op, Rule{RPS: p.rps})
	}
	return l
}

// Load reads a --throttle value: "off" or "" (no limits: nil), "aws" (the
// AWS preset) or the path of a limits file (see Parse).
func Load(spec string) (*Limits, error) {
	switch spec {
	case "", "off":
		return nil, nil
	case "aws":
		return AWSPreset(), nil
	}
	b, err := os.ReadFile(spec)
	if err != nil {
		return nil, fmt.Errorf("want off, aws or a limits file: %w", err)
	}
	return Parse(bytes.NewReader(b), spec)
}

// Parse reads a limits file. Its text form has one rule per line,
//
//	SERVICE OPERATION RPS [BURST]
//
// with SERVICE cognito-identity or cognito-sync, OPERATION an operation of
// that service or * for all its operations without a line of their own, RPS
// a positive number (fractions allowed) or off, BURST a positive integer
// (default: RPS rounded up). A line "preset aws" starts from AWS's defaults,
// which the other lines then override. Blank lines and # comments are
// skipped. A file whose first non-blank character is { is JSON instead:
//
//	{"preset": "aws", "limits": [{"service": "cognito-identity", "operation": "GetId", "rps": 5, "burst": 10}]}
//
// (rps 0 is off there). Operations and services are checked against the
// models.
func Parse(r io.Reader, name string) (*Limits, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		return parseJSON(t, name)
	}
	l := &Limits{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) == 2 && f[0] == "preset" {
			if f[1] != "aws" {
				return nil, fmt.Errorf("%s:%d: unknown preset %q (want aws)", name, n, f[1])
			}
			for k, r := range AWSPreset().rules {
				if _, set := l.rules[k]; !set {
					l.Set(k.service, k.op, r)
				}
			}
			continue
		}
		if len(f) < 3 || len(f) > 4 {
			return nil, fmt.Errorf("%s:%d: want SERVICE OPERATION RPS [BURST]", name, n)
		}
		rule := Rule{}
		if f[2] != "off" {
			rps, err := strconv.ParseFloat(f[2], 64)
			if err != nil || !(rps > 0) || rps > 1e9 {
				return nil, fmt.Errorf("%s:%d: RPS %q: want a positive number or off", name, n, f[2])
			}
			rule.RPS = rps
		}
		if len(f) == 4 {
			burst, err := strconv.Atoi(f[3])
			if err != nil || burst < 1 {
				return nil, fmt.Errorf("%s:%d: burst %q: want a positive integer", name, n, f[3])
			}
			rule.Burst = burst
		}
		if err := check(f[0], f[1]); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		l.Set(f[0], f[1], rule)
	}
	return l, sc.Err()
}

func parseJSON(b []byte, name string) (*Limits, error) {
	var doc struct {
		Preset string `json:"preset"`
		Limits []struct {
			Service   string  `json:"service"`
			Operation string  `json:"operation"`
			RPS       float64 `json:"rps"`
			Burst     int     `json:"burst"`
		} `json:"limits"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := &Limits{}
	switch doc.Preset {
	case "":
	case "aws":
		l = AWSPreset()
	default:
		return nil, fmt.Errorf("%s: unknown preset %q (want aws)", name, doc.Preset)
	}
	for i, x := range doc.Limits {
		if err := check(x.Service, x.Operation); err != nil {
			return nil, fmt.Errorf("%s: limits[%d]: %v", name, i, err)
		}
		if x.RPS < 0 || x.RPS > 1e9 || x.Burst < 0 {
			return nil, fmt.Errorf("%s: limits[%d]: want rps >= 0 (0: off) and burst >= 0", name, i)
		}
		l.Set(x.Service, x.Operation, Rule{RPS: x.RPS, Burst: x.Burst})
	}
	return l, nil
}

// check validates a service and operation name against the models.
func check(service, op string) error {
	svc := services[service]
	if svc == nil {
		return fmt.Errorf("unknown service %q (want %s or %s)", service, Identity, Sync)
	}
	if op != Any && svc.Operations[op] == nil {
		return fmt.Errorf("%s has no operation %q", service, op)
	}
	return nil
}
