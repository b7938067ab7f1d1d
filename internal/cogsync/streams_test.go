package cogsync

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestSinkSecretsStayHidden: a sink URL's password and query (API keys)
// appear neither in its String (logged) nor in a failed Publish's error
// (logged, and once returned to bulk publish callers).
func TestSinkSecretsStayHidden(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connections refused
	sink, err := ParseSink("http://user:SINKPASSWORD@" + addr + "/ingest?api_key=SINKAPIKEY")
	if err != nil {
		t.Fatal(err)
	}
	perr := sink.Publish(context.Background(), "s", [][]byte{[]byte("{}")})
	if perr == nil {
		t.Fatal("publishing to a closed port succeeded")
	}
	for _, text := range []string{sink.String(), perr.Error()} {
		if strings.Contains(text, "SINKPASSWORD") || strings.Contains(text, "SINKAPIKEY") {
			t.Errorf("secret shown: %s", text)
		}
		if !strings.Contains(text, addr) {
			t.Errorf("the sink is not named: %s", text)
		}
	}
}
