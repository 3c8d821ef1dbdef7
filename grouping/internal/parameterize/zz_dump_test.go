package parameterize

import (
	"os"
	"testing"

	"github.com/go-json-experiment/json"
)

// temporary: dump patterns and run inputs for the Python cross-check.
func TestZZDump(t *testing.T) {
	if os.Getenv("PZ_DUMP") == "" {
		t.Skip()
	}
	type pat struct{ Name, Lookbehind, Source string }
	var ps []pat
	for _, p := range sentry2026.patterns {
		ps = append(ps, pat{p.name, p.lookbehind, p.source})
	}
	b, _ := json.Marshal(ps)
	os.WriteFile("/tmp/pz/patterns.json", b, 0o644)
	if in, err := os.ReadFile("/tmp/pz/inputs.json"); err == nil {
		var ins []string
		if err := json.Unmarshal(in, &ins); err != nil {
			t.Fatal(err)
		}
		o := sharedOracle(t)
		var outs [][2]string
		for _, s := range ins {
			outs = append(outs, [2]string{Parameterize(s), o.replace(t, validUTF8(s))})
		}
		b, _ := json.Marshal(outs)
		os.WriteFile("/tmp/pz/go_out.json", b, 0o644)
	}
}
