package exampletest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fenced matches a ```go block of a quickstart whose first line names the
// example file it is taken from: "// examples/go/<dir>/<file>.go".
var fenced = regexp.MustCompile("(?s)```go\n// (examples/go/[a-z/]+\\.go)\n(.*?)```")

// TestQuickstartExcerptsMatchExamples keeps docs/quickstart/go.md honest: every
// excerpt it shows must appear verbatim in the compiled, tested example it
// names, so a change to an example that is not carried to the doc fails here.
func TestQuickstartExcerptsMatchExamples(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "quickstart", "go.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := fenced.FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 3 {
		t.Fatalf("docs/quickstart/go.md: %d excerpts naming an example, want one per example at least", len(blocks))
	}
	for _, b := range blocks {
		src, err := os.ReadFile(filepath.Join(root, b[1]))
		if err != nil {
			t.Errorf("excerpt names %s: %v", b[1], err)
			continue
		}
		if !strings.Contains(string(src), b[2]) {
			t.Errorf("docs/quickstart/go.md: the excerpt of %s is not in that file any more:\n%s", b[1], b[2])
		}
	}
}
