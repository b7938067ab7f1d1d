package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/google/uuid"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// TestListIdentitiesAnswersFollowWrites: ListIdentities answers are kept
// while the store's generation holds (identity/pages.go). Each write that
// changes a page, made after the page was read (and read again, so that
// it is kept), shows in the next answer; a kept answer is not given to
// another account; on a file store, a write by another process shows too.
func TestListIdentitiesAnswersFollowWrites(t *testing.T) {
	for _, storeURL := range []string{"memory", "sqlite:" + filepath.Join(t.TempDir(), "c.db")} {
		t.Run(strings.SplitN(storeURL, ":", 2)[0], func(t *testing.T) {
			e := newEnvOn(t, auth.ModeAny, storeURL)
			mine := e.client("123456789012", "x", "", region)
			theirs := e.client("210987654321", "x", "", region)
			const devName = "login.example.app"
			pid := createPool(t, mine, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String(devName)}).IdentityPoolId
			list := func(hide bool) []string {
				t.Helper()
				var ids []string
				var next *string
				for {
					out := must[*ci.ListIdentitiesOutput](t)(mine.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pid, MaxResults: aws.Int32(2), HideDisabled: hide, NextToken: next}))
					for _, i := range out.Identities {
						ids = append(ids, *i.IdentityId+"/"+strings.Join(i.Logins, ","))
					}
					if next = out.NextToken; next == nil {
						return ids
					}
				}
			}
			// expect lists twice (the second answer is the kept one) and
			// compares with want.
			expect := func(what string, hide bool, want ...string) {
				t.Helper()
				for range 2 {
					if got := list(hide); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s: listed %v, want %v", what, got, want)
					}
				}
			}
			expect("empty pool", false)
			var ids []string
			for range 3 {
				ids = append(ids, *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: pid})).IdentityId)
			}
			expect("after GetId", false, ids[0]+"/", ids[1]+"/", ids[2]+"/")

			// A kept answer is the owner's alone.
			_, err := theirs.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pid, MaxResults: aws.Int32(2)})
			apiErr(t, err, "ResourceNotFoundException", "")

			dev := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(mine.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
				IdentityPoolId: pid, IdentityId: aws.String(ids[1]), Logins: map[string]string{devName: "alice"}}))
			expect("after linking a developer user", false, ids[0]+"/", ids[1]+"/"+devName, ids[2]+"/")
			must[*ci.UnlinkDeveloperIdentityOutput](t)(mine.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: dev.IdentityId,
				DeveloperProviderName: aws.String(devName), DeveloperUserIdentifier: aws.String("alice")}))
			expect("after unlinking, all", false, ids[0]+"/", ids[1]+"/", ids[2]+"/")
			expect("after unlinking, enabled", true, ids[0]+"/", ids[2]+"/")
			must[*ci.DeleteIdentitiesOutput](t)(mine.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{ids[0]}}))
			expect("after DeleteIdentities", false, ids[1]+"/", ids[2]+"/")

			if path, ok := strings.CutPrefix(storeURL, "sqlite:"); ok {
				// Another process's write: a second store on the same file.
				other, err := sqlite.Open(ctx, path, sqlite.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				id := region + ":" + uuid.NewString()
				now := time.Now()
				if err := other.Update(ctx, func(tx store.Tx) error {
					return tx.CreateIdentity(&store.Identity{ID: id, PoolID: *pid, CreatedAt: now, ModifiedAt: now})
				}); err != nil {
					t.Fatal(err)
				}
				want := []string{ids[1] + "/", ids[2] + "/", id + "/"}
				if id < ids[1] {
					want = []string{id + "/", ids[1] + "/", ids[2] + "/"}
				} else if id < ids[2] {
					want = []string{ids[1] + "/", id + "/", ids[2] + "/"}
				}
				expect("after another process's write", false, want...)
			}

			must[*ci.DeleteIdentityPoolOutput](t)(mine.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: pid}))
			_, err = mine.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pid, MaxResults: aws.Int32(2)})
			apiErr(t, err, "ResourceNotFoundException", "")
		})
	}
}
