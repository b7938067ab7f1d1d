package identity

import (
	"regexp"
	"testing"
)

// Identity IDs keep AWS's form, "<region>:<uuid>", whichever UUID version
// the store prefers; on an ordered store each one sorts after the last, so
// GetIds append to the B-trees' last pages.
func TestNewIdentityID(t *testing.T) {
	form := regexp.MustCompile(`^eu-west-1:[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, tc := range []struct {
		ordered bool
		version string
	}{{false, "4"}, {true, "7"}} {
		prev := ""
		increasing := true
		seen := map[string]bool{}
		for range 2000 {
			id := NewIdentityID("eu-west-1", tc.ordered)
			m := form.FindStringSubmatch(id)
			if m == nil {
				t.Fatalf("ordered=%v: %q is not <region>:<uuid>", tc.ordered, id)
			}
			if m[1] != tc.version {
				t.Fatalf("ordered=%v: %q is UUID version %s, want %s", tc.ordered, id, m[1], tc.version)
			}
			if seen[id] {
				t.Fatalf("ordered=%v: %q twice", tc.ordered, id)
			}
			seen[id] = true
			if id <= prev {
				increasing = false
			}
			prev = id
		}
		if increasing != tc.ordered {
			t.Errorf("ordered=%v: 2,000 IDs in increasing order: %v", tc.ordered, increasing)
		}
	}
}
