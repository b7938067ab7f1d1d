package sigv4

import (
	"strconv"
	"time"
)

// Error codes, as AWS names them in the __type of its error responses.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
)

// Messages AWS answers with.
const (
	MsgMissingAuthenticationToken = "Missing Authentication Token"
	MsgSignatureMismatch          = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	// MsgContentSHA256Mismatch is S3's wording for a body that does not
	// match the hash its X-Amz-Content-Sha256 header announced.
	MsgContentSHA256Mismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
	MsgHostNotSigned         = "'Host' must be a 'SignedHeader' in the AWS Authorization."
	MsgTargetNotSigned       = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
)

// Error is a signature problem, with the AWS error code and message the
// caller should answer with.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrMissing is returned by Parse when a request carries no signature at all.
// It is an *Error too, so a caller that only looks for *Error answers it as
// AWS does.
var ErrMissing error = &Error{Code: CodeMissingAuthenticationToken, Message: MsgMissingAuthenticationToken}

func incomplete(msg string) *Error { return &Error{Code: CodeIncompleteSignature, Message: msg} }

func invalid(msg string) *Error { return &Error{Code: CodeInvalidSignature, Message: msg} }

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// skewError words a request outside its validity window the way AWS does:
//
//	Signature expired: 20140805T162253Z is now earlier than 20261123T114500Z (20261123T120000Z - 15 min.)
//	Signature not yet current: 20261123T123000Z is still later than 20261123T121500Z (20261123T120000Z + 15 min.)
func skewError(date, now time.Time, window time.Duration, expired bool) *Error {
	date, now = date.UTC(), now.UTC().Truncate(time.Second)
	var b []byte
	if expired {
		b = append(b, "Signature expired: "...)
		b = date.AppendFormat(b, amzDateFormat)
		b = append(b, " is now earlier than "...)
		b = now.Add(-window).AppendFormat(b, amzDateFormat)
		b = append(b, " ("...)
		b = now.AppendFormat(b, amzDateFormat)
		b = append(b, " - "...)
	} else {
		b = append(b, "Signature not yet current: "...)
		b = date.AppendFormat(b, amzDateFormat)
		b = append(b, " is still later than "...)
		b = now.Add(window).AppendFormat(b, amzDateFormat)
		b = append(b, " ("...)
		b = now.AppendFormat(b, amzDateFormat)
		b = append(b, " + "...)
	}
	b = appendWindow(b, window)
	b = append(b, ".)"...)
	return invalid(string(b))
}

// appendWindow writes a window as AWS does ("15 min"), falling back to
// seconds for presigned lifetimes that are not whole minutes.
func appendWindow(b []byte, d time.Duration) []byte {
	s := int64(d / time.Second)
	if s%60 == 0 {
		return append(strconv.AppendInt(b, s/60, 10), " min"...)
	}
	return append(strconv.AppendInt(b, s, 10), " sec"...)
}
