package cluster

import (
	"bytes"
	"context"
	"errors"
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
	av1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"
	"github.com/aws/smithy-go"
)

const (
	// Under --auth any a 12-digit access key is the account.
	account = "123456789012"
	secret  = "cluster-secret"
	region  = "us-east-1"
	devProv = "login.cluster.example"
	// publicURL is the nodes' common --public-url: the load balancer's.
	publicURL = "http://cognitod.cluster.example"
)

// node is one cognitod process.
type node struct {
	n    int
	addr string
	url  string
	cmd  *exec.Cmd
	log  string // its stderr
	sink string // its Cognito Streams file sink
	ci   *ci.Client
	// exited receives cmd.Wait's result once the process has ended.
	exited chan error
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// binary builds cmd/cognitod once per test binary.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "cognitod-cluster-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "cognitod")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/cognitod/cognitod/cmd/cognitod").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// startCluster starts n cognitod processes on the database at dsn, all at
// the same moment (so that they migrate the fresh database concurrently),
// and waits until each answers /readyz. They are stopped when the test ends.
func startCluster(t testing.TB, dsn string, n int, extra ...string) []*node {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	nodes := make([]*node, n)
	for k := range nodes {
		nd := &node{n: k, addr: freeAddr(t), log: filepath.Join(dir, fmt.Sprintf("node%d.log", k)), sink: filepath.Join(dir, fmt.Sprintf("stream%d.jsonl", k))}
		nd.url = "http://" + nd.addr
		// Behind a load balancer every node is one issuer: its public URL.
		args := append([]string{"--listen", nd.addr, "--store", dsn, "--auth", "any", "--log-level", "warn", "--public-url", publicURL,
			"--data-dir", filepath.Join(dir, fmt.Sprint("data", k)), "--stream-sink", "file:" + nd.sink}, extra...)
		nd.cmd = exec.Command(bin, args...)
		logf, err := os.Create(nd.log)
		if err != nil {
			t.Fatal(err)
		}
		nd.cmd.Stdout, nd.cmd.Stderr = logf, logf
		nd.ci = ci.New(ci.Options{Region: region, BaseEndpoint: aws.String(nd.url),
			Credentials: credentials.NewStaticCredentialsProvider(account, secret, ""), RetryMaxAttempts: 1,
			HTTPClient: httpClient()})
		nodes[k] = nd
	}
	// Start them together.
	var wg sync.WaitGroup
	errs := make([]error, n)
	for k, nd := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[k] = nd.cmd.Start() }()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("starting node %d: %v", k, err)
		}
	}
	for _, nd := range nodes {
		nd.exited = make(chan error, 1)
		go func() { nd.exited <- nd.cmd.Wait() }()
	}
	t.Cleanup(func() { stopCluster(t, nodes) })
	for k, nd := range nodes {
		if err := waitReady(nd.url, nd.exited); err != nil {
			t.Fatalf("node %d: %v\n%s", k, err, readLog(nd))
		}
	}
	return nodes
}

// stopCluster sends SIGTERM and waits for a clean exit; a node that does
// not exit within 20 s is killed. Logs of nodes that failed are printed.
func stopCluster(t testing.TB, nodes []*node) {
	for _, nd := range nodes {
		nd.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, nd := range nodes {
		select {
		case err := <-nd.exited:
			if err != nil {
				t.Errorf("node %d exited: %v\n%s", nd.n, err, readLog(nd))
			}
		case <-time.After(20 * time.Second):
			nd.cmd.Process.Kill()
			t.Errorf("node %d did not stop on SIGTERM\n%s", nd.n, readLog(nd))
		}
	}
	if t.Failed() {
		for _, nd := range nodes {
			t.Logf("node %d log:\n%s", nd.n, readLog(nd))
		}
	}
}

func readLog(nd *node) string {
	b, _ := os.ReadFile(nd.log)
	if len(b) > 8000 {
		b = append([]byte("...\n"), b[len(b)-8000:]...)
	}
	return string(b)
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(url string, exited chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited before ready: %v", err)
		default:
		}
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not ready after 60 s")
}

// httpClient is a client with room for many concurrent connections to a
// node (net/http keeps only two idle ones per host by default).
func httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// syncClient returns an aws-sdk-go v1 Cognito Sync client of a node. Make
// clients up front: session.NewSession is not safe for concurrent use.
func (nd *node) syncClient(t testing.TB, ak, sk, token string) *cs.CognitoSync {
	t.Helper()
	sess, err := session.NewSession(&av1.Config{
		Endpoint:    av1.String(nd.url),
		Region:      av1.String(region),
		Credentials: credv1.NewStaticCredentials(ak, sk, token),
		MaxRetries:  av1.Int(0),
		HTTPClient:  httpClient(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cs.New(sess)
}

// syncCode returns the error code and HTTP status of a Sync error.
func syncCode(err error) (string, int) {
	var rf awserr.RequestFailure
	if errors.As(err, &rf) {
		return rf.Code(), rf.StatusCode()
	}
	return err.Error(), 0
}

// ciCode returns the error code of a Cognito Identity error.
func ciCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// together runs fn(0..n-1) on n goroutines released at once and returns
// their errors.
func together(n int, fn func(k int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for k := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[k] = fn(k)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func firstErr(errs []error) error {
	for k, err := range errs {
		if err != nil {
			return fmt.Errorf("#%d: %w", k, err)
		}
	}
	return nil
}

var ctx = context.Background()

// countLines counts the lines of a file ("" if it does not exist: 0).
func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}
