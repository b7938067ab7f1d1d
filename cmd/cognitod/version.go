package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at link time by release builds
// (-ldflags "-X main.version=v1.2.3"); otherwise the module version or the
// VCS revision recorded by the Go toolchain is shown.
var version = ""

// printVersion writes the version and the build information Go records in
// every binary: module version, VCS revision and time, Go version, and the
// settings that change behaviour (cgo, tags).
func printVersion(w io.Writer) error {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(w, "cognitod %s (no build information)\n", orDefault(version, "devel"))
		return nil
	}
	v := version
	if v == "" {
		v = bi.Main.Version
	}
	fmt.Fprintf(w, "cognitod %s\n", orDefault(v, "(devel)"))
	fmt.Fprintf(w, "  go        %s\n", bi.GoVersion)
	fmt.Fprintf(w, "  module    %s\n", bi.Main.Path)
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time", "vcs.modified", "CGO_ENABLED", "-tags", "GOOS", "GOARCH":
			fmt.Fprintf(w, "  %-9s %s\n", s.Key, s.Value)
		}
	}
	for _, d := range bi.Deps {
		switch d.Path {
		case "modernc.org/sqlite", "github.com/jackc/pgx/v5":
			fmt.Fprintf(w, "  %-9s %s %s\n", "dep", d.Path, d.Version)
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" || s == "(devel)" {
		return def
	}
	return s
}
