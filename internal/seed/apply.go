package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/validate"
)

// Actions reported for each applied pool.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Result says what applying one pool entry did.
type Result struct {
	Entry, Account, Region, ID, Name string
	Action                           string // Created, Updated or Unchanged
}

// Apply applies the seed's pools to st and logs one line per pool. All of
// them go in one store transaction: a seed that fails half-way (a pool the
// API would refuse) leaves the store as it was, and the error names the
// entry. Keys and logins are not applied here: the server reads them when it
// wires its authenticator and login verifier (Keys, Logins).
func (f *File) Apply(ctx context.Context, st store.Store, log *slog.Logger) ([]Result, error) {
	if f == nil {
		return nil, nil
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var results []Result
	err := st.Update(ctx, func(tx store.Tx) error {
		results = results[:0] // the store may run fn again (serialization retries)
		now := time.Now()
		for _, a := range f.Accounts {
			for i := range a.Pools {
				p := &a.Pools[i]
				r, err := applyPool(ctx, tx, p, now)
				if err != nil {
					return fmt.Errorf("seed file %s: %s: %w", f.Name, p.Entry, err)
				}
				results = append(results, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		log.Info("seed: identity pool "+r.Action, "id", r.ID, "name", r.Name, "account", r.Account, "region", r.Region)
	}
	return results, nil
}

// applyPool creates or updates one pool through the identity service's
// operations, run inside tx (see txStore).
func applyPool(ctx context.Context, tx store.Tx, p *Pool, now time.Time) (Result, error) {
	res := Result{Entry: p.Entry, Account: p.Account, Region: p.Region, ID: p.ID, Name: p.Name}
	stx := &seedTx{Tx: tx}
	svc := identity.New(identity.Config{Store: &txStore{tx: stx}}).API()
	caller := &auth.Caller{Account: p.Account, Region: p.Region, Service: "cognito-identity"}
	invoke := func(op string, in map[string]any) error {
		o := model.CognitoIdentity.Operations[op]
		valid, violations, err := validate.Input(model.CognitoIdentity, o, in)
		if err != nil {
			return &awsproto.Error{Code: awsproto.CodeSerialization, Message: err.Error()}
		}
		if len(violations) > 0 {
			return &awsproto.Error{Code: awsproto.CodeValidation, Message: validate.Message(violations)}
		}
		_, err = svc.Handlers[op](&api.Call{Context: ctx, Op: o, In: valid, RequestID: "seed", Caller: caller, Region: p.Region, Now: now})
		return err
	}

	id, err := existingPool(tx, p)
	if err != nil {
		return res, err
	}
	if id == "" {
		stx.fixedID = p.ID
		if err := invoke("CreateIdentityPool", clone(p.Pool)); err != nil {
			return res, err
		}
		id = stx.created
	} else {
		in := clone(p.Pool)
		in["IdentityPoolId"] = id
		if err := invoke("UpdateIdentityPool", in); err != nil {
			return res, err
		}
	}
	if p.Roles != nil {
		in := clone(p.Roles)
		in["IdentityPoolId"] = id
		if err := invoke("SetIdentityPoolRoles", in); err != nil {
			return res, err
		}
	}
	res.ID = id
	switch {
	case stx.created != "":
		res.Action = Created
	case stx.wrote:
		res.Action = Updated
	default:
		res.Action = Unchanged
	}
	return res, nil
}

// existingPool returns the ID of the stored pool an entry names, "" when
// there is none yet: by fixed ID, else by (account, region, name).
func existingPool(tx store.Tx, p *Pool) (string, error) {
	if p.ID != "" {
		cur, err := tx.GetPool(p.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return "", nil
		case err != nil:
			return "", err
		case cur.Account != p.Account:
			// Pool IDs are global: the seed cannot take another
			// account's pool over.
			return "", fmt.Errorf("IdentityPoolId %s is a pool of another account", p.ID)
		}
		return p.ID, nil
	}
	var found []string
	after := ""
	for {
		page, err := tx.ListPools(p.Account, p.Region, after, 1000)
		if err != nil {
			return "", err
		}
		for _, sp := range page {
			if sp.Name == p.Name {
				found = append(found, sp.ID)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(found) > 1 {
		return "", fmt.Errorf("%d pools are named %q in account %s, %s (%v); give the entry an IdentityPoolId to say which", len(found), p.Name, p.Account, p.Region, found)
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", nil
}

// clone deep-copies a decoded JSON input, so that no operation can change
// the seed kept for the next reseed.
func clone(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // decoded JSON: cannot fail
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// txStore is a store.Store whose transactions are all the one transaction
// the seed is applied in: the identity service's handlers run unchanged, and
// the whole seed commits or fails as one.
type txStore struct{ tx store.Tx }

func (s *txStore) View(_ context.Context, fn func(store.Tx) error) error   { return fn(s.tx) }
func (s *txStore) Update(_ context.Context, fn func(store.Tx) error) error { return fn(s.tx) }
func (s *txStore) Ping(context.Context) error                              { return nil }
func (s *txStore) Close() error                                            { return nil }

// seedTx gives a created pool the seed's fixed ID (CreateIdentityPool
// otherwise draws a random one), skips writes that would change nothing
// (so that applying the same seed twice writes nothing, not even a pool's
// update time), and records what was written.
type seedTx struct {
	store.Tx
	fixedID string // "" for a random ID
	created string // the ID of the pool CreatePool created
	wrote   bool
}

func (t *seedTx) CreatePool(p *store.Pool) error {
	if t.fixedID != "" {
		p.ID = t.fixedID
	}
	if err := t.Tx.CreatePool(p); err != nil {
		return err
	}
	t.created, t.wrote = p.ID, true
	return nil
}

func (t *seedTx) UpdatePool(p *store.Pool) error {
	cur, err := t.Tx.GetPool(p.ID)
	if err == nil && cur.Name == p.Name && sameJSON(cur.Config, p.Config) {
		return nil
	}
	t.wrote = true
	return t.Tx.UpdatePool(p)
}

// sameJSON compares two JSON documents by value (a store may hand back its
// own spelling of what it was given).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
