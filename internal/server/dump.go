package server

import (
	"context"
	"fmt"

	"github.com/cognitod/cognitod/internal/store"
)

// OpenDumper opens the store a --store URL names for cognitod export and
// import, without the rest of the server: no keys are generated, nothing
// but the schema is written. kind names the backend for a dump's header
// (sqlite, memory or postgres); close closes the store.
func OpenDumper(ctx context.Context, url string) (d store.Dumper, kind, desc string, close func() error, err error) {
	st, k, err := openStore(ctx, url, 0)
	if err != nil {
		return nil, "", "", nil, err
	}
	d, ok := st.(store.Dumper)
	if !ok {
		st.Close()
		return nil, "", "", nil, fmt.Errorf("--store %s: this store cannot be exported or imported", k.desc)
	}
	return d, k.name, k.desc, st.Close, nil
}
