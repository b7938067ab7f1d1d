// Command gen writes package model's service tables (cognitoidentity_gen.go
// and cognitosync_gen.go) from the official api-2.json models of the
// github.com/aws/aws-sdk-go module in the module cache. It is run by
// `go generate` in internal/model (see model.go) and writes into the current
// directory unless -o says otherwise.
//
// The models are read in place; they are never copied into this repository.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/cognitod/cognitod/internal/model/internal/codegen"
)

func main() {
	out := flag.String("o", ".", "directory to write the generated files into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	dir, version, err := codegen.LocateSDK()
	if err != nil {
		return err
	}
	files, err := codegen.Generate(dir, version)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
