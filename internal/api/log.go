package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/cognitod/cognitod/internal/awsproto"
)

// Request logs.
//
// With LogRequests on, every answered request gets one line: its request ID
// (the x-amzn-RequestId the client saw), service, operation, HTTP status,
// error code, duration, remote address and, once known, the account. Server
// failures (status 5xx, and panics, which are recovered and answered as
// InternalErrorException) are logged at error level whether or not request
// logs are on.
//
// What is never logged, because it is a credential or a user's data: the
// Authorization header, session tokens (X-Amz-Security-Token, in a header
// or a presigned query string), Logins tokens and every other part of a
// body, and the query string. The line is built only from fields chosen
// here, never from the request's headers or input.

// LogRequests turns the per-request log line on or off. Not safe to call
// while serving.
func (s *Server) LogRequests(on bool) { s.logRequests = on }

// logRequest writes the request line of an answered request: at info level
// when request logs are on, at error level for a server failure always.
// With logs off and a success (or client error) it returns before building
// anything, so the hot path allocates nothing for it.
func (s *Server) logRequest(ctx context.Context, r *http.Request, rid string, a *answer, d time.Duration) {
	level := slog.LevelInfo
	if a.status >= 500 {
		level = slog.LevelError
	} else if !s.logRequests {
		return
	}
	if s.log == nil || !s.log.Enabled(ctx, level) {
		return
	}
	service := "unknown"
	if a.svc != nil {
		service = a.svc.Model.Name
	}
	s.log.LogAttrs(ctx, level, "request",
		slog.String("request_id", rid),
		slog.String("service", service),
		slog.String("operation", a.op),
		slog.Int("status", a.status),
		slog.String("code", a.code),
		slog.Float64("duration_ms", millis(d)),
		slog.String("remote_addr", r.RemoteAddr),
		slog.String("account", a.account),
	)
}

// recoverPanic (deferred by ServeHTTP) turns a panic while serving into an
// InternalErrorException answer and an error line with the request ID and
// the stack, so that one bad request neither kills its connection
// unanswered nor goes unnoticed. http.ErrAbortHandler, net/http's way of
// aborting a response on purpose, goes on.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request, rid string, start time.Time) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	e := &awsproto.Error{Code: awsproto.CodeInternalError, Message: "An internal error occurred."}
	awsproto.WriteError(w, nil, awsproto.JSON11, e)
	if s.log != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request panicked",
			slog.String("request_id", rid),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", http.StatusInternalServerError),
			slog.Float64("duration_ms", millis(time.Since(start))),
			slog.String("remote_addr", r.RemoteAddr),
			slog.String("panic", fmt.Sprint(v)),
			slog.String("stack", string(debug.Stack())),
		)
	}
	if s.observe != nil {
		s.observe("unknown", "", e.Code, http.StatusInternalServerError, time.Since(start))
	}
}

// millis is d in milliseconds to the microsecond: one unit that reads the
// same in text and JSON logs (slog renders a Duration as "1.2ms" in text
// but as integer nanoseconds in JSON).
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
