package server

import (
	"context"
	"fmt"

	"github.com/cognitod/cognitod/internal/cogsync"
	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/tokens"
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

// CheckDumpRow checks the values of a dump's row that the services decode
// (dump.ImportOptions.CheckRow): a signing key must be a usable RSA key, a
// pool's settings and Sync configuration must decode. Rows of other tables
// pass.
func CheckDumpRow(table string, columns []string, row []any) error {
	col := func(name string) any {
		for i, c := range columns {
			if c == name && i < len(row) {
				return row[i]
			}
		}
		return nil
	}
	switch table {
	case "signing_keys":
		kid, region := string(dumpBytes(col("kid"))), string(dumpBytes(col("region")))
		if err := tokens.CheckSigningKey(&store.SigningKey{KID: kid, Region: region, PrivatePEM: dumpBytes(col("private_pem"))}); err != nil {
			return fmt.Errorf("signing key %s: %w", kid, err)
		}
	case "pools":
		if err := identity.CheckConfig(dumpBytes(col("config"))); err != nil {
			return fmt.Errorf("pool %s: its settings: %w", dumpBytes(col("id")), err)
		}
	case "sync_pools":
		if err := cogsync.CheckConfig(dumpBytes(col("config"))); err != nil {
			return fmt.Errorf("pool %s: its Sync configuration: %w", dumpBytes(col("pool_id")), err)
		}
	}
	return nil
}

// dumpBytes is a dumped value's bytes: a BLOB's or a TEXT's, whichever
// form the backend read it in.
func dumpBytes(v any) []byte {
	switch b := v.(type) {
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	return nil
}
