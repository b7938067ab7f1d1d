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
// clients create developer identities concurrently, restarts it on the same
// SQLite file, and checks that every acknowledged identity is there and that
// no developer user ended up with two identities.
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
	newClient := func(attempts int) *ci.Client {
		return ci.New(ci.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
			HTTPClient:  &http.Client{Transport: &http.Transport{}},
			Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""), RetryMaxAttempts: attempts})
	}
	client := newClient(1)
	ctx := context.Background()

	cmd := start()
	pool, err := client.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("crash"), DeveloperProviderName: aws.String("login.crash")})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		acked = map[string]string{} // developer user → identity
		wg    sync.WaitGroup
		stop  = make(chan struct{})
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
				user := fmt.Sprintf("u%d-%d", w, n)
				out, err := client.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
					IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{"login.crash": user}})
				if err != nil {
					return // the server died under us
				}
				mu.Lock()
				acked[user] = *out.IdentityId
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d identities acknowledged before the crash", len(acked))
	}

	cmd = start()
	client = newClient(1)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	// The reads that check the store may be retried: an occasional client
	// read on a fresh connection after the restart fails with "use of closed
	// network connection" (seen about once in ten runs; not yet explained),
	// and what is checked here is the stored data, not the transport.
	retried := 0
	read := func(f func() error) {
		t.Helper()
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			if err = f(); err == nil {
				return
			}
			retried++
			t.Logf("read after restart failed, retrying: %v", err)
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal(err)
	}
	owner := map[string]string{} // developer user → identity, as stored
	var next *string
	for {
		var page *ci.ListIdentitiesOutput
		read(func() (err error) {
			page, err = client.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool.IdentityPoolId, MaxResults: aws.Int32(60), NextToken: next})
			return err
		})
		for _, id := range page.Identities {
			var l *ci.LookupDeveloperIdentityOutput
			read(func() (err error) {
				l, err = client.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pool.IdentityPoolId, IdentityId: id.IdentityId, MaxResults: aws.Int32(60)})
				return err
			})
			if len(l.DeveloperUserIdentifierList) != 1 {
				t.Fatalf("identity %s has users %v", *id.IdentityId, l.DeveloperUserIdentifierList)
			}
			u := l.DeveloperUserIdentifierList[0]
			if prev, dup := owner[u]; dup {
				t.Fatalf("user %s has two identities: %s %s", u, prev, *id.IdentityId)
			}
			owner[u] = *id.IdentityId
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	for u, id := range acked {
		if owner[u] != id {
			t.Fatalf("acknowledged %s → %s lost after the crash (stored: %q)", u, id, owner[u])
		}
	}
	t.Logf("%d acknowledged, %d stored after SIGKILL and restart (%d reads retried)", len(acked), len(owner), retried)
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
