package parameterize

import (
	"os"
	"testing"

	"github.com/go-json-experiment/json"
)

func TestZZTrim(t *testing.T) {
	if os.Getenv("PZ_DUMP") == "" {
		t.Skip()
	}
	var ins, want []string
	b, _ := os.ReadFile("/tmp/pz/trim_in.json")
	json.Unmarshal(b, &ins)
	b, _ = os.ReadFile("/tmp/pz/trim_py.json")
	json.Unmarshal(b, &want)
	bad := 0
	for i, s := range ins {
		if g := Trim(s); g != want[i] {
			bad++
			if bad < 10 {
				t.Errorf("Trim(%q) = %q want %q", s, g, want[i])
			}
		}
	}
	t.Logf("%d inputs, %d bad", len(ins), bad)
}
