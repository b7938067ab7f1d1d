package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
)

// bareCmd serves the smallest handler that still reads a JSON request and
// answers a JSON body of a realistic size: what net/http alone costs on this
// machine, so every other figure can be read against it.
func bareCmd(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:9999", "address to listen on")
	fs.Parse(args)
	body := []byte(`{"IdentityId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
		w.Write(body)
	})
	fmt.Fprintf(os.Stderr, "bare handler on http://%s\n", *listen)
	return http.ListenAndServe(*listen, h)
}
