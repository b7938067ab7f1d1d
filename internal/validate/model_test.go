package validate

import (
	"maps"
	"slices"
	"testing"

	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/validate/validatetest"
)

// TestModelDerivedViolations takes, from package validatetest, one
// violating request for every constraint of every input member of every
// operation, top level and nested, derived from the official api-2.json
// models themselves (read from the module cache, independently of package
// model's generated tables), and checks that Input reports exactly AWS's
// sentences for it.
func TestModelDerivedViolations(t *testing.T) {
	total := 0
	stats := map[string]int{}
	for _, svcCase := range []struct {
		dir string
		svc *model.Service
		ops int
	}{
		{"cognito-identity", model.CognitoIdentity, 23},
		{"cognito-sync", model.CognitoSync, 17},
	} {
		raw := validatetest.Load(t, svcCase.dir)
		if len(raw.Operations) != svcCase.ops {
			t.Fatalf("%s: %d operations in the model, want %d", svcCase.dir, len(raw.Operations), svcCase.ops)
		}
		for _, opName := range slices.Sorted(maps.Keys(raw.Operations)) {
			op := svcCase.svc.Operations[opName]
			if op == nil {
				t.Fatalf("%s: operation %s missing from the tables", svcCase.dir, opName)
			}
			// The synthesised valid request passes.
			good := raw.Valid(t, raw.Operations[opName])
			if _, vs, err := Input(svcCase.svc, op, good); err != nil || len(vs) != 0 {
				t.Fatalf("%s %s: valid request %v: err %v, violations %q", svcCase.dir, opName, good, err, Message(vs))
			}
		}
		for _, c := range raw.Cases(t) {
			total++
			stats[c.Kind]++
			op := svcCase.svc.Operations[c.Op.Name]
			t.Run(svcCase.dir+"/"+c.Op.Name+"/"+c.Name, func(t *testing.T) {
				_, vs, err := Input(svcCase.svc, op, c.Body)
				if err != nil {
					t.Fatalf("error %v", err)
				}
				msgs := make([]string, len(vs))
				for i, v := range vs {
					msgs[i] = v.Message
				}
				if err := c.MatchViolations(msgs); err != nil {
					t.Fatal(err)
				}
				if err := c.MatchMessage(Message(vs)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	t.Logf("%d model-derived cases: %v", total, stats)
	// Every kind of nesting the models have is covered.
	for _, k := range []string{
		"top/required", "top/max", "top/min", "top/pattern", "top/enum",
		"struct-in-struct/pattern", "struct-in-struct/max", "struct-in-struct/enum",
		"struct-in-list/required", "struct-in-list/enum", "struct-in-list/max",
		"struct-in-map/required", "struct-in-map/enum",
		"list-element/pattern", "list-element/max", "list-element/min",
		"map-key/max", "map-key/min", "map-key/pattern",
		"map-value/max", "map-value/min", "map-value/pattern",
	} {
		if stats[k] == 0 {
			t.Errorf("no case for %s", k)
		}
	}
}
