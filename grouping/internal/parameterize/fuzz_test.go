package parameterize

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/go-json-experiment/json"
)

// FuzzParameterize holds the scanner to the regexp2 oracle running Sentry's
// pattern text, and checks that no input panics. Run it with
//
//	go test -fuzz=FuzzParameterize ./grouping/internal/parameterize
//
// Inputs that are not valid UTF-8 are compared after replacing each bad
// byte with U+FFFD, which is how both engines read them.
func FuzzParameterize(f *testing.F) {
	for _, s := range fragments() {
		f.Add(s)
	}
	for _, s := range benchMessages {
		f.Add(s)
	}
	// The messages and exception values of Sentry's grouping inputs, when
	// the shared corpus is beside the checkout (best effort).
	inputs, _ := filepath.Glob("../../../../shared/corpus/*/inputs/*.json")
	message := regexp.MustCompile(`"(?:message|formatted|value)":\s*("(?:[^"\\]|\\.)*")`)
	seen := map[string]bool{}
	for _, name := range inputs {
		data, _ := os.ReadFile(name)
		for _, m := range message.FindAllSubmatch(data, -1) {
			var s string
			if json.Unmarshal(m[1], &s) == nil && !seen[s] {
				seen[s] = true
				f.Add(s)
			}
		}
	}
	o := sharedOracle(f)
	f.Fuzz(func(t *testing.T, s string) {
		Parameterize(s)
		// Trim adds "..." whenever it changes anything, so only "" maps to "".
		if n := NormalizeMessage(s); (n == "") != (s == "") {
			t.Fatalf("NormalizeMessage(%q) = %q", s, n)
		}
		v := validUTF8(s)
		if len(v) > 1024 {
			// regexp2 backtracks quadratically or worse on long runs of
			// labels or digits; long-range limits (63-character labels,
			// 128-digit hex) still fit in this size.
			return
		}
		if got, want := Parameterize(v), o.replace(t, v); got != want {
			t.Fatalf("Parameterize(%q)\n got %q\nwant %q", v, got, want)
		}
	})
}
