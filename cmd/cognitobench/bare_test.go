package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBareListPage: with --list-page the bare handler answers ListIdentities
// with a page a client can read (60 identities, a NextToken) of the size
// of cognitod's, and every other operation with the small body.
func TestBareListPage(t *testing.T) {
	for _, listPage := range []bool{false, true} {
		srv := httptest.NewServer(bareHandler(listPage))
		for _, target := range []string{"ListIdentities", "GetId"} {
			req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(`{}`))
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+target)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				IdentityId string
				Identities []struct {
					IdentityId       string
					CreationDate     float64
					LastModifiedDate float64
				}
				NextToken string
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatalf("list-page %v, %s: %v", listPage, target, err)
			}
			resp.Body.Close()
			page := listPage && target == "ListIdentities"
			if page && (len(out.Identities) != 60 || out.NextToken == "" || resp.ContentLength < 8000 || resp.ContentLength > 10000) {
				t.Errorf("list-page: %d identities, NextToken %q, %d bytes; want 60, a token, about 8.8 KB",
					len(out.Identities), out.NextToken, resp.ContentLength)
			}
			if !page && (out.IdentityId == "" || out.Identities != nil) {
				t.Errorf("list-page %v, %s: got %+v, want the small body", listPage, target, out)
			}
		}
		srv.Close()
	}
}
