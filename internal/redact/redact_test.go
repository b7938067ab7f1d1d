package redact

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	u, _ := url.Parse("https://user:PASSWORD@sink.example.com:8443/ingest?api_key=KEY&x=1#frag")
	got := URL(u)
	if got != "https://user@sink.example.com:8443/ingest" {
		t.Errorf("URL = %q", got)
	}
	if u.RawQuery == "" || u.User.String() != "user:PASSWORD" {
		t.Error("URL changed its argument")
	}
}

func TestErr(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/x?token=SECRET")
	if err == nil || !strings.Contains(err.Error(), "SECRET") {
		t.Skipf("no *url.Error quoting the URL to test with: %v", err)
	}
	if strings.Contains(Err(err).Error(), "SECRET") {
		t.Errorf("Err kept the URL: %v", Err(err))
	}
}
