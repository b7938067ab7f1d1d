package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// TestCrashKeepsAcknowledgedIdentities kills the server with SIGKILL while
// clients call GetId concurrently with new logins, restarts it on the same
// SQLite file, and checks that every acknowledged identity is there and that
// no login ended up with a second identity (nor any identity without its
// login: an identity and its login commit together or not at all).
func TestCrashKeepsAcknowledgedIdentities(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server process")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "cognitod")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "data", "cognitod.db")
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--listen", addr, "--store", "sqlite:"+db, "--auth", "any", "--data-dir", filepath.Join(dir, "data"))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, "http://"+addr)
		return cmd
	}
	// Each phase gets its own HTTP transport: SDK clients built without one
	// share a default transport, whose idle connections to the killed
	// process would otherwise be picked up after the restart.
	newClient := func() *ci.Client {
		return ci.New(ci.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
			HTTPClient:  &http.Client{Transport: &http.Transport{}},
			Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""), RetryMaxAttempts: 1})
	}
	client := newClient()
	ctx := context.Background()
	const provider = "graph.facebook.com"

	cmd := start()
	pool, err := client.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("crash"),
		SupportedLoginProviders: map[string]string{provider: "crash-app"}})
	if err != nil {
		t.Fatal(err)
	}
	getID := func(c *ci.Client, login string) (string, error) {
		out, err := c.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{provider: login}})
		if err != nil {
			return "", err
		}
		return *out.IdentityId, nil
	}
	var (
		mu        sync.Mutex
		attempted []string              // every login sent, acknowledged or not
		acked     = map[string]string{} // login → identity, as acknowledged
		wg        sync.WaitGroup
		stop      = make(chan struct{})
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				login := fmt.Sprintf("u%d-%d", w, n)
				mu.Lock()
				attempted = append(attempted, login)
				mu.Unlock()
				id, err := getID(client, login)
				if err != nil {
					return // the server died under us
				}
				mu.Lock()
				acked[login] = id
				mu.Unlock()
			}
		}(w)
	}
	// Kill once a few hundred writes were acknowledged (and more are in
	// flight), however slowly a loaded machine gets there; give up waiting
	// after a minute.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d identities acknowledged before the crash", len(acked))
	}

	cmd = start()
	client = newClient()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	// The reads that check the store may be retried: an occasional client
	// read on a fresh connection after the restart fails with "use of closed
	// network connection" (seen about once in three runs, on the first read
	// only; not yet explained), and what is checked here is the stored
	// data, not the transport. Each retry is logged.
	retried := 0
	retry := func(f func() error) {
		t.Helper()
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			if err = f(); err == nil {
				return
			}
			retried++
			t.Logf("call after restart failed, retrying: %v", err)
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal(err)
	}
	// Every login sent resolves to one identity: the acknowledged ones to
	// what was acknowledged, the others to what was committed or to a new one.
	seen := map[string]string{} // identity → login
	for _, login := range attempted {
		var id string
		retry(func() (err error) { id, err = getID(client, login); return err })
		if want, ok := acked[login]; ok && id != want {
			t.Fatalf("acknowledged %s → %s lost after the crash (now %s)", login, want, id)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("logins %s and %s share identity %s", other, login, id)
		}
		seen[id] = login
	}
	// The pool holds exactly those identities: no login has a second one,
	// and no identity was committed without its login.
	stored := 0
	var next *string
	for {
		var page *ci.ListIdentitiesOutput
		retry(func() (err error) {
			page, err = client.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool.IdentityPoolId, MaxResults: aws.Int32(60), NextToken: next})
			return err
		})
		for _, id := range page.Identities {
			if _, ok := seen[*id.IdentityId]; !ok {
				t.Fatalf("identity %s belongs to no login sent (logins %v)", *id.IdentityId, id.Logins)
			}
			stored++
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	if stored != len(attempted) {
		t.Fatalf("%d identities stored for %d logins", stored, len(attempted))
	}
	t.Logf("%d GetId acknowledged before SIGKILL, %d logins sent; after restart every login has exactly one identity (%d calls retried)", len(acked), len(attempted), retried)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, url string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become ready")
}
