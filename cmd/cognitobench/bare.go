package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// bareCmd serves the smallest handler that still reads a JSON request and
// answers a JSON body of a realistic size: what net/http alone costs on this
// machine, so every other figure can be read against it.
//
// With --list-page it answers ListIdentities with a canned page of 60
// identities, as many bytes as cognitod's page puts on the wire: the cost
// of moving a page through net/http, loopback TCP and the load generator,
// without making it. A run can then tell that cost from cognitod's own.
func bareCmd(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:9999", "address to listen on")
	listPage := fs.Bool("list-page", false, "answer ListIdentities with a canned 60-identity page instead of the small body")
	fs.Parse(args)
	h := bareHandler(*listPage)
	fmt.Fprintf(os.Stderr, "bare handler on http://%s\n", *listen)
	return http.ListenAndServe(*listen, h)
}

func bareHandler(listPage bool) http.Handler {
	body := []byte(`{"IdentityId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`)
	page := cannedPage(60)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
		b := body
		if listPage && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListIdentities") {
			b = page
		}
		// As cognitod does: a page larger than net/http's buffer would
		// otherwise go out chunked.
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
}

// cannedPage is a ListIdentities answer of n identities without logins and
// a NextToken, in cognitod's wire format (about 8.8 KB for 60).
func cannedPage(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"IdentityPoolId":"us-east-1:ac8de8ac-7ae4-4257-86e8-60334a5b72d3","Identities":[`)
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"IdentityId":"us-east-1:01a251f7-3a36-7a14-867f-%012x","Logins":null,"CreationDate":1796671486.517,"LastModifiedDate":1796671486.517}`, k)
	}
	fmt.Fprintf(&b, `],"NextToken":"%s"}`, strings.Repeat("A", 200))
	return []byte(b.String())
}
