package awsproto

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/model"
)

func TestTimeMarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		ms   int64
		want string
	}{
		{1413836234607, "1413836234.607"},
		{1413836234600, "1413836234.6"},
		{1413836234000, "1413836234"},
		{1413836234007, "1413836234.007"},
		{0, "0"},
		{-1500, "-1.5"},
	} {
		b, err := Time(time.UnixMilli(tc.ms)).MarshalJSON()
		if err != nil || string(b) != tc.want {
			t.Errorf("%d: %s, %v; want %s", tc.ms, b, err, tc.want)
		}
		f, _ := strconv.ParseFloat(string(b), 64)
		var back Time
		if err := back.UnmarshalJSON(b); err != nil || time.Time(back).UnixMilli() != tc.ms {
			t.Errorf("%d: round trip %v (%v)", tc.ms, time.Time(back).UnixMilli(), f)
		}
	}
}

// TestAuthFailureStatus: a request that could not be authenticated is 400
// on Cognito Identity (JSON 1.1; MissingAuthenticationToken 403) and 403 on
// Cognito Sync (rest-json), whatever the protocol it came in.
func TestAuthFailureStatus(t *testing.T) {
	for _, code := range []string{CodeUnrecognizedClient, CodeInvalidSignature, CodeIncompleteSignature, CodeExpiredToken, CodeAccessDenied, CodeMissingAuthenticationToken} {
		want := http.StatusBadRequest
		if code == CodeMissingAuthenticationToken {
			want = http.StatusForbidden
		}
		if got := Status(model.CognitoIdentity, &Error{Code: code}); got != want {
			t.Errorf("Identity %s: %d, want %d", code, got, want)
		}
		if got := Status(model.CognitoSync, &Error{Code: code}); got != http.StatusForbidden {
			t.Errorf("Sync %s: %d, want 403", code, got)
		}
	}
	if got := Status(model.CognitoSync, &Error{Code: CodeValidation}); got != http.StatusBadRequest {
		t.Errorf("Sync ValidationException: %d, want 400", got)
	}
}
