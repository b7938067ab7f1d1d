// Package api is cognitod's request pipeline, shared by both services: it
// finds the operation a request names (X-Amz-Target or a rest-json route),
// authenticates the caller, decodes and validates the input against the
// official model, calls the service's handler and encodes the answer or the
// error exactly as AWS does. Services only ever see validated input.
package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/validate"
)

// Call is one validated request handed to a service.
type Call struct {
	context.Context
	Op        *model.Operation
	In        awsproto.Input
	RequestID string
	// Caller is nil for the model's unsigned operations (GetId...).
	Caller *auth.Caller
	// Region is the credential scope's region, "" for unsigned requests.
	Region string
	Now    time.Time
}

// Handler serves one operation. It returns the output structure (encoded
// with encoding/json) or an error; errors that are not *awsproto.Error are
// logged and answered as InternalErrorException.
type Handler func(*Call) (any, error)

// Service is one API: its model and a handler per operation.
type Service struct {
	Model    *model.Service
	Handlers map[string]Handler
	// ValidationCode is the error code of model constraint violations:
	// ValidationException (the default, AWS's standard), or for Cognito Sync
	// InvalidParameterException, which its model documents as "thrown when a
	// request parameter does not comply with the associated constraints".
	// The message is AWS's standard validation sentence either way.
	ValidationCode string
	// MaxBody bounds a request body (larger: RequestEntityTooLargeException);
	// 0 is awsproto.MaxBodyBytes.
	MaxBody int64
}

// Observer is told about every request once answered (metrics, logs).
type Observer func(service, op, code string, status int, d time.Duration)

// Server serves both services on one handler.
type Server struct {
	identity, sync *Service
	auth           *auth.Authenticator
	rest           *restRouter
	log            *slog.Logger
	observe        Observer
	throttle       Throttle
	unsignedScope  ScopeFunc
	logRequests    bool // log.go
}

// Throttle limits request rates (internal/throttle); Allow reports whether
// one more request of service's operation op may go ahead for account in
// region.
type Throttle interface {
	Allow(account, region, service, op string) bool
}

// ScopeFunc names the account and region an unsigned call acts in, from its
// validated input ("" when it cannot tell).
type ScopeFunc func(ctx context.Context, op string, in awsproto.Input) (account, region string)

// SetThrottle turns request rate limits on. Signed requests count against
// the caller's account and region; unsigned ones (GetId and the other
// authtype-none operations) against what unsigned names, which for Cognito
// Identity is the account of the pool they address. The check runs after
// input validation, so that the pool is known; the answer is AWS's
// TooManyRequestsException, 400 on Cognito Identity and 429 on Cognito Sync
// as their models state. Not safe to call while serving.
func (s *Server) SetThrottle(t Throttle, unsigned ScopeFunc) {
	s.throttle, s.unsignedScope = t, unsigned
}

// New returns a Server. sync may be nil until the Sync service exists.
func New(identity, sync *Service, a *auth.Authenticator, log *slog.Logger, observe Observer) *Server {
	s := &Server{identity: identity, sync: sync, auth: a, log: log, observe: observe}
	if sync != nil {
		s.rest = newRestRouter(sync.Model)
	}
	return s
}

type answer struct {
	svc    *Service
	op     string
	code   string
	status int
	// account is the caller's, once authenticated (request logs).
	account string
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := awsproto.NewRequestID()
	w.Header().Set("x-amzn-RequestId", rid)
	defer s.recoverPanic(w, r, rid, start)
	ctx := awsproto.WithRequestID(r.Context(), rid)
	a := s.serve(ctx, w, r, rid, start)
	s.logRequest(ctx, r, rid, &a, time.Since(start))
	if s.observe != nil {
		name := "unknown"
		if a.svc != nil {
			name = a.svc.Model.Name
		}
		s.observe(name, a.op, a.code, a.status, time.Since(start))
	}
}

func (s *Server) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, rid string, now time.Time) (a answer) {
	proto := awsproto.JSON11
	fail := func(e *awsproto.Error) answer {
		var m *model.Service
		if a.svc != nil {
			m = a.svc.Model
		}
		awsproto.WriteError(w, m, proto, e)
		a.code, a.status = e.Code, awsproto.Status(m, e)
		return a
	}

	var (
		op     *model.Operation
		labels map[string]string
	)
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		svcName, opName, ok := awsproto.ParseTarget(target)
		if svcName == "cognito-sync" && s.sync != nil {
			a.svc = s.sync
			proto = awsproto.SyncTarget
		} else if svcName == "cognito-identity" {
			a.svc = s.identity
		}
		if !ok || a.svc == nil || r.Method != http.MethodPost {
			return fail(&awsproto.Error{Code: awsproto.CodeUnknownOperation, Message: "Unknown operation " + target})
		}
		if op = a.svc.Model.Operations[opName]; op == nil || a.svc.Handlers[opName] == nil {
			return fail(&awsproto.Error{Code: awsproto.CodeUnknownOperation, Message: "Unknown operation " + opName})
		}
	} else if s.rest != nil {
		proto = awsproto.RESTJSON
		a.svc = s.sync
		op, labels = s.rest.match(r.Method, r.URL.EscapedPath())
		if op == nil {
			return fail(&awsproto.Error{Code: awsproto.CodeUnknownOperation, Message: "Unknown operation " + r.Method + " " + r.URL.Path, StatusOverride: http.StatusNotFound})
		}
	} else {
		return fail(&awsproto.Error{Code: awsproto.CodeUnknownOperation, Message: "Missing X-Amz-Target header"})
	}
	a.op = op.Name

	limit := cmp.Or(a.svc.MaxBody, awsproto.MaxBodyBytes)
	body, err := awsproto.ReadBody(r, limit)
	if err != nil {
		return fail(awsproto.AsError(err))
	}

	var caller *auth.Caller
	if !op.Unsigned {
		c, err := s.auth.Authenticate(r, body, a.svc.Model.SigningName)
		if err != nil {
			return fail(awsproto.AsError(err))
		}
		caller, a.account = c, c.Account
	}

	var raw map[string]any
	if proto == awsproto.RESTJSON {
		raw, err = restInput(a.svc.Model, op, r, body, labels)
	} else {
		raw, err = awsproto.DecodeBody(body)
	}
	if err != nil {
		return fail(awsproto.AsError(err))
	}
	in, violations, err := validate.Input(a.svc.Model, op, raw)
	if err != nil {
		msg := err.Error()
		if te, ok := err.(*validate.TypeError); ok {
			msg = te.AWSMessage()
		}
		return fail(&awsproto.Error{Code: awsproto.CodeSerialization, Message: msg})
	}
	if len(violations) > 0 {
		code := a.svc.ValidationCode
		if code == "" {
			code = awsproto.CodeValidation
		}
		return fail(&awsproto.Error{Code: code, Message: validate.Message(violations)})
	}

	if s.throttle != nil {
		var account, region string
		if caller != nil {
			account, region = caller.Account, caller.Region
		} else if s.unsignedScope != nil {
			account, region = s.unsignedScope(ctx, op.Name, in)
		}
		if !s.throttle.Allow(account, region, a.svc.Model.Name, op.Name) {
			return fail(&awsproto.Error{Code: awsproto.CodeTooManyRequests, Message: "Rate exceeded"})
		}
	}

	call := &Call{Context: ctx, Op: op, In: in, RequestID: rid, Caller: caller, Now: now}
	if caller != nil {
		call.Region = caller.Region
	}
	out, err := a.svc.Handlers[op.Name](call)
	if err != nil {
		if clientGone(ctx, err) {
			// Nobody is left to read an answer, and nothing failed on
			// this side: not a server failure, neither in the error log
			// nor in the 5xx metrics.
			a.code, a.status = "", StatusClientClosedRequest
			return a
		}
		e := awsproto.AsError(err)
		if e.Code == awsproto.CodeInternalError && s.log != nil {
			s.log.Error("request failed", "request_id", rid, "service", a.svc.Model.Name, "op", op.Name, "err", err)
		}
		return fail(e)
	}
	awsproto.WriteJSON(w, proto, out)
	a.status = http.StatusOK
	return a
}

// StatusClientClosedRequest is the status recorded (in request logs and
// metrics, never sent) for a request whose client hung up before it was
// answered: nginx's 499, the convention log readers know.
const StatusClientClosedRequest = 499

// clientGone reports whether err is the request's own context ending: the
// server never cancels a request's context (shutdown waits for in-flight
// requests), so that is the client closing its connection mid-request.
func clientGone(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, context.Canceled)
}

// restInput assembles a rest-json request's members from its URI labels,
// query string, headers and JSON body, named as the model's members, so that
// the same validation applies to every protocol.
func restInput(svc *model.Service, op *model.Operation, r *http.Request, body []byte, labels map[string]string) (map[string]any, error) {
	m, err := awsproto.DecodeBody(body)
	if err != nil {
		return nil, err
	}
	shape := svc.Shape(op.Input)
	if shape == nil {
		return m, nil
	}
	var q url.Values
	for _, mem := range shape.Members {
		switch mem.Location {
		case "uri":
			if v, ok := labels[mem.LocationName]; ok {
				m[mem.Name] = v
			}
		case "querystring":
			if q == nil {
				q = r.URL.Query()
			}
			if vs, ok := q[mem.LocationName]; ok && len(vs) > 0 {
				m[mem.Name] = vs[0]
			}
		case "header":
			if v := r.Header.Get(mem.LocationName); v != "" {
				m[mem.Name] = v
			}
		}
	}
	return m, nil
}

// restRouter matches rest-json requests to operations by the model's HTTP
// bindings.
type restRouter struct {
	routes []route
}

type route struct {
	op       *model.Operation
	method   string
	segments []string // literal, or "{Label}"
}

func newRestRouter(svc *model.Service) *restRouter {
	rt := &restRouter{}
	for _, op := range svc.Operations {
		if op.Method == "" {
			continue
		}
		path := op.RequestURI
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		rt.routes = append(rt.routes, route{op: op, method: op.Method, segments: splitPath(path)})
	}
	return rt
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the operation for method and escaped path, preferring the
// route with the most literal segments, and the decoded label values.
func (rt *restRouter) match(method, escapedPath string) (*model.Operation, map[string]string) {
	segs := splitPath(escapedPath)
	var best *route
	bestLit := -1
	for i := range rt.routes {
		ro := &rt.routes[i]
		if ro.method != method || len(ro.segments) != len(segs) {
			continue
		}
		lit, ok := 0, true
		for j, s := range ro.segments {
			if strings.HasPrefix(s, "{") {
				continue
			}
			if s != segs[j] {
				ok = false
				break
			}
			lit++
		}
		if ok && lit > bestLit {
			best, bestLit = ro, lit
		}
	}
	if best == nil {
		return nil, nil
	}
	labels := map[string]string{}
	for j, s := range best.segments {
		if strings.HasPrefix(s, "{") {
			v, err := url.PathUnescape(segs[j])
			if err != nil {
				return nil, nil
			}
			labels[strings.Trim(s, "{}+")] = v
		}
	}
	return best.op, labels
}
