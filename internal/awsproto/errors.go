package awsproto

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cognitod/cognitod/internal/model"
)

// Error is an API error as AWS returns it: a code (the exception's shape name
// or one of AWS's common errors) and a message. The HTTP status is taken from
// the service model at write time (see Status), so one error value answers
// correctly on either service.
type Error struct {
	Code    string
	Message string
	// StatusOverride, when non-zero, wins over the model and the common table.
	StatusOverride int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError unwraps err into an *Error. Anything that is not one becomes an
// InternalErrorException whose message says nothing of the cause (the cause is
// logged by the caller, never sent).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternalError, Message: "An internal error occurred."}
}

// Error codes: the modelled exceptions of both services and AWS's common errors.
const (
	CodeInvalidParameter            = "InvalidParameterException"
	CodeNotAuthorized               = "NotAuthorizedException"
	CodeResourceNotFound            = "ResourceNotFoundException"
	CodeResourceConflict            = "ResourceConflictException"
	CodeTooManyRequests             = "TooManyRequestsException"
	CodeInternalError               = "InternalErrorException"
	CodeLimitExceeded               = "LimitExceededException"
	CodeExternalService             = "ExternalServiceException"
	CodeDeveloperUserAlreadyRegd    = "DeveloperUserAlreadyRegisteredException"
	CodeConcurrentModification      = "ConcurrentModificationException"
	CodeInvalidIdentityPoolConfig   = "InvalidIdentityPoolConfigurationException"
	CodeDuplicateRequest            = "DuplicateRequestException"
	CodeAlreadyStreamed             = "AlreadyStreamedException"
	CodeInvalidConfiguration        = "InvalidConfigurationException"
	CodeInvalidLambdaFunctionOutput = "InvalidLambdaFunctionOutputException"
	CodeLambdaThrottled             = "LambdaThrottledException"
	CodeValidation                  = "ValidationException"
	CodeSerialization               = "SerializationException"
	CodeUnknownOperation            = "UnknownOperationException"
	CodeMissingAuthenticationToken  = "MissingAuthenticationTokenException"
	CodeUnrecognizedClient          = "UnrecognizedClientException"
	CodeInvalidSignature            = "InvalidSignatureException"
	CodeIncompleteSignature         = "IncompleteSignatureException"
	CodeExpiredToken                = "ExpiredTokenException"
	CodeAccessDenied                = "AccessDeniedException"
	CodeRequestEntityTooLarge       = "RequestEntityTooLargeException"
	CodeInvalidAction               = "InvalidAction"
)

// commonStatus maps AWS's common (unmodelled) errors to their HTTP status.
var commonStatus = map[string]int{
	CodeValidation:                 http.StatusBadRequest,
	CodeSerialization:              http.StatusBadRequest,
	CodeUnknownOperation:           http.StatusBadRequest,
	CodeMissingAuthenticationToken: http.StatusForbidden,
	CodeUnrecognizedClient:         http.StatusBadRequest,
	CodeInvalidSignature:           http.StatusBadRequest,
	CodeIncompleteSignature:        http.StatusBadRequest,
	CodeExpiredToken:               http.StatusBadRequest,
	CodeAccessDenied:               http.StatusBadRequest,
	CodeRequestEntityTooLarge:      http.StatusRequestEntityTooLarge,
	CodeInvalidAction:              http.StatusBadRequest,
}

// authFailure are the errors of a request that could not be authenticated
// or authorised. A rest-json service (Cognito Sync) answers them 403
// Forbidden, as AWS's REST front end does (clients of Cognito Sync report
// "403 ... InvalidSignatureException"); a JSON 1.1 service (Cognito
// Identity) answers 400, bar MissingAuthenticationToken.
var authFailure = map[string]bool{
	CodeMissingAuthenticationToken: true,
	CodeUnrecognizedClient:         true,
	CodeInvalidSignature:           true,
	CodeIncompleteSignature:        true,
	CodeExpiredToken:               true,
	CodeAccessDenied:               true,
}

// Status returns the HTTP status for code on svc: the model's error trait
// (Cognito Sync states one per exception), else 500 for faults, else the
// common-error table, else 400 (Cognito Identity's model states no status and
// answers every client error with 400).
func Status(svc *model.Service, e *Error) int {
	if e.StatusOverride != 0 {
		return e.StatusOverride
	}
	if svc != nil {
		if s := svc.Shape(e.Code); s != nil && s.Exception {
			if s.HTTPStatus != 0 {
				return s.HTTPStatus
			}
			if s.Fault {
				return http.StatusInternalServerError
			}
			return http.StatusBadRequest
		}
	}
	if svc != nil && svc.Protocol == "rest-json" && authFailure[e.Code] {
		return http.StatusForbidden
	}
	if st, ok := commonStatus[e.Code]; ok {
		return st
	}
	if e.Code == CodeInternalError {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}
