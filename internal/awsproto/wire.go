// Package awsproto implements the wire side of the AWS protocols cognitod
// speaks: JSON 1.1 (Cognito Identity, and the legacy X-Amz-Target form of
// Cognito Sync) and rest-json (Cognito Sync), error encoding for both, and
// request IDs. It knows nothing of either service's semantics.
package awsproto

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/model"
)

// Protocol is how a request arrived, which decides how its answer is encoded.
type Protocol uint8

const (
	// JSON11 is the X-Amz-Target protocol: errors as {"__type","message"}.
	JSON11 Protocol = iota + 1
	// RESTJSON is rest-json: errors in the x-amzn-ErrorType header.
	RESTJSON
	// SyncTarget is Cognito Sync's legacy X-Amz-Target form: JSON 1.1
	// framing, but answered as application/json, as AWS's samples show.
	SyncTarget
)

// Content types answered by each service.
const (
	ContentTypeJSON11 = "application/x-amz-json-1.1"
	ContentTypeJSON   = "application/json"
)

// Target prefixes accepted in X-Amz-Target: the short form the SDKs send and
// the long form AWS's documentation samples use.
var (
	identityTargets = []string{"AWSCognitoIdentityService.", "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService."}
	syncTargets     = []string{"AWSCognitoSyncService.", "com.amazonaws.cognito.sync.model.AWSCognitoSyncService."}
)

// ParseTarget splits an X-Amz-Target value into the service it names
// ("cognito-identity" or "cognito-sync") and the operation; ok is false when
// the prefix is none of the accepted ones.
func ParseTarget(target string) (service, op string, ok bool) {
	for _, p := range identityTargets {
		if strings.HasPrefix(target, p) {
			return "cognito-identity", target[len(p):], true
		}
	}
	for _, p := range syncTargets {
		if strings.HasPrefix(target, p) {
			return "cognito-sync", target[len(p):], true
		}
	}
	return "", "", false
}

// MaxBodyBytes bounds a request body where the service sets no bound of
// its own, and is the least Cognito Sync's may be: Sync's is computed from
// its quotas (cogsync.Limits.MaxBody: a whole dataset in one UpdateRecords,
// however escaped), so a client cannot make the server buffer without
// limit, nor be refused a legal request.
const MaxBodyBytes = 4 << 20

// ReadBody reads r's body up to limit bytes (the service's bound,
// api.Service.MaxBody).
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, &Error{Code: CodeRequestEntityTooLarge, Message: "Request entity too large"}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &Error{Code: CodeSerialization, Message: "Unable to read request body"}
	}
	if int64(len(b)) > limit {
		return nil, &Error{Code: CodeRequestEntityTooLarge, Message: "Request entity too large"}
	}
	return b, nil
}

// DecodeBody parses a JSON request body into a map, numbers kept as
// json.Number so the model decides their type. An empty body is an empty
// structure. Anything but one JSON object is a SerializationException.
func DecodeBody(b []byte) (map[string]any, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Code: CodeSerialization, Message: "Malformed JSON request body: " + jsonErrText(err)}
	}
	if dec.More() {
		return nil, &Error{Code: CodeSerialization, Message: "Malformed JSON request body: unexpected data after the top-level value"}
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return map[string]any{}, nil
		}
		if _, isList := v.([]any); isList {
			return nil, &Error{Code: CodeSerialization, Message: "Start of list found where not expected"}
		}
		return nil, &Error{Code: CodeSerialization, Message: "Start of structure or map expected but found another value"}
	}
	return m, nil
}

func jsonErrText(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "unexpected end of input"
	}
	return err.Error()
}

// WriteJSON writes a 200 answer with body v.
func WriteJSON(w http.ResponseWriter, p Protocol, v any) {
	var body []byte
	if a, ok := v.(Appender); ok {
		buf := bodies.Get().(*[]byte)
		body = a.AppendJSON((*buf)[:0])
		defer func() {
			if cap(body) <= 1<<20 { // a rare huge page is not kept
				*buf = body[:0]
				bodies.Put(buf)
			}
		}()
	} else if v == nil {
		body = []byte("{}")
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			WriteError(w, nil, p, &Error{Code: CodeInternalError, Message: "An internal error occurred."})
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentType(p))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func contentType(p Protocol) string {
	if p == RESTJSON || p == SyncTarget {
		return ContentTypeJSON
	}
	return ContentTypeJSON11
}

// WriteError encodes e in the protocol's error shape with the status that
// svc's model (or AWS's common-error table) gives its code.
func WriteError(w http.ResponseWriter, svc *model.Service, p Protocol, e *Error) {
	status := Status(svc, e)
	h := w.Header()
	var body []byte
	if p == RESTJSON {
		h.Set("x-amzn-ErrorType", e.Code)
		body, _ = json.Marshal(struct {
			Message string `json:"message"`
		}{e.Message})
	} else {
		body, _ = json.Marshal(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{e.Code, e.Message})
	}
	h.Set("Content-Type", contentType(p))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Time is a timestamp encoded as AWS's JSON protocols do: epoch seconds as a
// JSON number with a millisecond fraction (1.413836234607E9 in AWS's samples).
type Time time.Time

// MarshalJSON implements json.Marshaler. It formats with integer arithmetic
// (seconds, then up to three digits of milliseconds): listing pages encode
// two timestamps per item, and float formatting showed up in profiles.
func (t Time) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(make([]byte, 0, 16)), nil
}

// AppendJSON appends t as MarshalJSON encodes it (see Appender).
func (t Time) AppendJSON(b []byte) []byte {
	ms := time.Time(t).UnixMilli()
	if ms < 0 {
		return strconv.AppendFloat(b, float64(ms)/1000, 'f', -1, 64)
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		d := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
		n := 3
		for d[n-1] == '0' {
			n--
		}
		b = append(b, '.')
		b = append(b, d[:n]...)
	}
	return b
}

// UnmarshalJSON implements json.Unmarshaler (used by tests and clients).
func (t *Time) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = Time(time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6))
	return nil
}

// TimePtr converts a time to *Time; the zero time gives nil so that the
// member is left out.
func TimePtr(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	v := Time(t)
	return &v
}
