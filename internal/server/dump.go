package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres"
)

// OpenDumper opens the store a --store URL names for cognitod export and
// import, without the rest of the server: no keys are generated, nothing
// but the schema is written. kind names the backend for a dump's header
// (sqlite, memory or postgres); close closes the store.
func OpenDumper(ctx context.Context, url string) (d store.Dumper, kind, desc string, close func() error, err error) {
	st, desc, err := openStore(ctx, url)
	if err != nil {
		return nil, "", "", nil, err
	}
	d, ok := st.(store.Dumper)
	if !ok {
		st.Close()
		return nil, "", "", nil, fmt.Errorf("--store %s: this store cannot be exported or imported", desc)
	}
	switch {
	case url == "memory":
		kind = "memory"
	case strings.HasPrefix(url, "sqlite:"):
		kind = "sqlite"
	case postgres.IsURL(url):
		kind = "postgres"
	}
	return d, kind, desc, st.Close, nil
}
