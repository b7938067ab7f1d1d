// Command cognitobench is cognitod's load tool. It drives a Cognito Identity
// / Cognito Sync endpoint (cognitod, moto_server, or its own bare handler)
// with N concurrent workers over real HTTP with real SigV4 signing, and
// reports throughput, latency percentiles, errors by code and server RSS.
//
//	cognitobench run  --endpoint URL --scenario NAME [--workers N] [--duration D | --count N]
//	cognitobench bare --listen ADDR        a trivial net/http JSON handler: the ceiling
//	cognitobench load --store sqlite:PATH --identities N   fill a pool directly in the store
//	cognitobench token --pool ID --page N  the NextToken of a deep ListIdentities page (for wrk)
//	cognitobench sessions --identities N   identities with a sync session each (for wrk)
//
// Scenarios: getid-new, getid-returning, list-identities, get-credentials,
// sync, pool-usage. Every figure is meant to be read as a ratio against a
// baseline measured in the same run (see docs/PERFORMANCE.md).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "bare":
		err = bareCmd(os.Args[2:])
	case "load":
		err = loadCmd(os.Args[2:])
	case "token":
		err = tokenCmd(os.Args[2:])
	case "sessions":
		err = sessionsCmd(os.Args[2:])
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cognitobench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `cognitobench: load tool for cognitod (and peers)

  cognitobench run  --endpoint URL --scenario NAME [flags]   drive an endpoint; see 'run --help'
  cognitobench bare --listen 127.0.0.1:9999                  serve a trivial JSON handler (the ceiling)
  cognitobench load --store sqlite:PATH --identities N       bulk-fill a pool directly in the store
  cognitobench token --endpoint URL --pool ID --page N       print the ListIdentities NextToken of page N
  cognitobench sessions --endpoint URL --identities N        print N identities, each with a sync session

Scenarios: `+scenarioNames(", ")+"\n")
}
