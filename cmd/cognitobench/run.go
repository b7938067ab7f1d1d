package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

type runOpts struct {
	endpoint, scenario, name  string
	ak, sk, region, pool      string
	workers, count, setupSize int
	page                      int
	duration                  time.Duration
	pid                       int
	jsonOut                   string
}

// Result is one run's figures (the JSON output).
type Result struct {
	Name      string         `json:"name"`
	Scenario  string         `json:"scenario"`
	Endpoint  string         `json:"endpoint"`
	Workers   int            `json:"workers"`
	Ops       int64          `json:"ops"`
	Seconds   float64        `json:"seconds"`
	PerSecond float64        `json:"ops_per_second"`
	P50ms     float64        `json:"p50_ms"`
	P90ms     float64        `json:"p90_ms"`
	P99ms     float64        `json:"p99_ms"`
	Maxms     float64        `json:"max_ms"`
	Errors    map[string]int `json:"errors"`
	RSSMB     float64        `json:"server_rss_mb,omitempty"`
}

func runCmd(args []string) error {
	o := &runOpts{}
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:9230", "endpoint URL, or several as name=URL,name=URL to compare them in one run (same scenario, one after the other)")
	fs.StringVar(&o.scenario, "scenario", "getid-new", scenarioNames(" | "))
	fs.StringVar(&o.name, "name", "", "label for this target in the output (default: the endpoint)")
	fs.StringVar(&o.ak, "access-key", "123456789012", "access key ID to sign with")
	fs.StringVar(&o.sk, "secret-key", "bench-secret", "secret access key")
	fs.StringVar(&o.region, "region", "us-east-1", "region to sign for")
	fs.StringVar(&o.pool, "pool", "", "existing pool to use (getid-new, list-identities); default: create one")
	fs.IntVar(&o.workers, "workers", 32, "concurrent workers")
	fs.IntVar(&o.count, "count", 0, "stop after this many operations (0: use --duration)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to run")
	fs.IntVar(&o.setupSize, "setup", 1000, "identities, logins or pools created during setup")
	fs.IntVar(&o.page, "page", 1, "list-identities: which page (60 identities each) to read")
	fs.IntVar(&o.pid, "pid", 0, "server process ID, to report its RSS")
	fs.StringVar(&o.jsonOut, "json", "", "append the result as a JSON line to this file")
	fs.Parse(args)
	var results []*Result
	for _, target := range strings.Split(o.endpoint, ",") {
		t := *o
		t.endpoint = target
		if name, url, ok := strings.Cut(target, "="); ok {
			t.name, t.endpoint = name, url
		} else if t.name == "" {
			t.name = t.endpoint
		}
		res, err := runOne(&t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		results = append(results, res)
	}
	printTable(os.Stdout, results)
	if len(results) > 1 {
		base := results[len(results)-1]
		for _, r := range results[:len(results)-1] {
			fmt.Printf("%s / %s: %.2fx ops/s\n", r.Name, base.Name, r.PerSecond/base.PerSecond)
		}
	}
	if o.jsonOut != "" {
		f, err := os.OpenFile(o.jsonOut, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		enc := json.NewEncoder(f)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// runOne sets up and drives one target.
func runOne(o *runOpts) (*Result, error) {
	sc, err := newScenario(o.scenario)
	if err != nil {
		return nil, err
	}
	c := newClient(o.endpoint, o.ak, o.sk, o.region, o.workers)
	ctx := context.Background()
	fmt.Fprintf(os.Stderr, "%s: setting up %s...\n", o.name, o.scenario)
	if err := sc.setup(ctx, c, o); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	return drive(ctx, c, sc, o), nil
}

// drive runs the workers, printing a progress line every second.
func drive(ctx context.Context, c *client, sc scenario, o *runOpts) *Result {
	var (
		done    atomic.Int64
		stop    atomic.Bool
		mu      sync.Mutex
		errs    = map[string]int{}
		lats    = make([][]time.Duration, o.workers)
		wg      sync.WaitGroup
		started = time.Now()
		maxRSS  float64
	)
	for w := 0; w < o.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			for n := 0; !stop.Load(); n++ {
				if o.count > 0 && done.Add(1) > int64(o.count) {
					break
				}
				t0 := time.Now()
				err := sc.op(ctx, c, w, n)
				lat = append(lat, time.Since(t0))
				if o.count == 0 {
					done.Add(1)
				}
				if err != nil {
					code := "error"
					var ae *apiError
					if errors.As(err, &ae) {
						code = ae.Code
					}
					mu.Lock()
					errs[code]++
					mu.Unlock()
				}
			}
			mu.Lock()
			lats[w] = lat
			mu.Unlock()
		}(w)
	}
	tick := time.NewTicker(time.Second)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	var last int64
loop:
	for {
		select {
		case <-finished:
			break loop
		case <-tick.C:
			n := done.Load()
			el := time.Since(started)
			if rss := readRSS(o.pid); rss > maxRSS {
				maxRSS = rss
			}
			mu.Lock()
			ne := 0
			for _, v := range errs {
				ne += v
			}
			mu.Unlock()
			fmt.Fprintf(os.Stderr, "\r%s %5.1fs  %8d ops  %8.0f ops/s now  errors %d   ", o.scenario, el.Seconds(), n, float64(n-last), ne)
			last = n
			if o.count == 0 && el >= o.duration {
				stop.Store(true)
			}
		}
	}
	tick.Stop()
	el := time.Since(started)
	fmt.Fprintln(os.Stderr)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	if rss := readRSS(o.pid); rss > maxRSS {
		maxRSS = rss
	}
	ops := int64(len(all))
	return &Result{Name: o.name, Scenario: o.scenario, Endpoint: o.endpoint, Workers: o.workers, Ops: ops, Seconds: el.Seconds(),
		PerSecond: float64(ops) / el.Seconds(), P50ms: pct(0.50), P90ms: pct(0.90), P99ms: pct(0.99), Maxms: pct(1), Errors: errs, RSSMB: maxRSS}
}

// readRSS returns a process's resident set in MB (0 when unknown).
func readRSS(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func printTable(w *os.File, rs []*Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tscenario\tworkers\tops\tops/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tRSS MB\terrors\t")
	for _, r := range rs {
		var es []string
		for k, v := range r.Errors {
			es = append(es, fmt.Sprintf("%s=%d", k, v))
		}
		slices.Sort(es)
		e := strings.Join(es, ",")
		if e == "" {
			e = "0"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%s\t\n", r.Name, r.Scenario, r.Workers, r.Ops, r.PerSecond, r.P50ms, r.P90ms, r.P99ms, r.Maxms, r.RSSMB, e)
	}
	tw.Flush()
}
