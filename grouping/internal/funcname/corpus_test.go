package funcname

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir finds the shared Sentry grouping corpus next to the module
// (/work/shared/corpus for /work/main), or "" when it is not there.
func corpusDir(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(c); err != nil {
		return ""
	}
	return c
}

// snapshotFunction matches a function component in a .pysnap tree and the
// JSON string on the line below it.
var snapshotFunction = regexp.MustCompile(`(?m)^\s*function\b.*\n\s*(".*")\s*$`)

// TestCorpusFunctions checks, for every native-family frame of Sentry's
// grouping test inputs, that the trimmed function is one Sentry printed in
// the recorded snapshot. C# frames are left out: Sentry groups them by the
// untrimmed raw_function.
func TestCorpusFunctions(t *testing.T) {
	root := corpusDir(t)
	if root == "" {
		t.Skip("shared corpus (../shared/corpus next to the module) not present")
	}
	checked := 0
	for _, name := range []string{"sentry-grouping", "sentry-grouping-2026"} {
		var index struct {
			Pairs []struct {
				Input    string `json:"input"`
				Snapshot string `json:"snapshot"`
			} `json:"pairs"`
		}
		raw, err := os.ReadFile(filepath.Join(root, name, "index.json"))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &index, json.RejectUnknownMembers(false)))
		for _, pair := range index.Pairs {
			t.Run(name+"/"+pair.Input, func(t *testing.T) {
				checked += checkCorpusPair(t, filepath.Join(root, name), pair.Input, pair.Snapshot)
			})
		}
	}
	t.Logf("%d native frames checked", checked)
	if checked == 0 {
		t.Skip("corpus has no native frames")
	}
}

func checkCorpusPair(t *testing.T, dir, input, snapshot string) int {
	raw, err := os.ReadFile(filepath.Join(dir, input))
	require.NoError(t, err)
	var event map[string]any
	require.NoError(t, json.Unmarshal(raw, &event))

	var frames []map[string]any
	addFrames := func(st any) {
		m, _ := st.(map[string]any)
		list, _ := m["frames"].([]any)
		for _, f := range list {
			if fm, ok := f.(map[string]any); ok {
				frames = append(frames, fm)
			}
		}
	}
	values := func(v any) []any {
		if m, ok := v.(map[string]any); ok {
			v = m["values"]
		}
		list, _ := v.([]any)
		return list
	}
	for _, e := range values(event["exception"]) {
		if m, ok := e.(map[string]any); ok {
			addFrames(m["stacktrace"])
		}
	}
	addFrames(event["stacktrace"])
	for _, th := range values(event["threads"]) {
		if m, ok := th.(map[string]any); ok {
			addFrames(m["stacktrace"])
		}
	}

	snap, err := os.ReadFile(filepath.Join(dir, snapshot))
	require.NoError(t, err)
	printed := map[string]bool{}
	for _, m := range snapshotFunction.FindAllSubmatch(snap, -1) {
		var s string
		require.NoError(t, json.Unmarshal(m[1], &s))
		printed[s] = true
	}

	eventPlatform, _ := event["platform"].(string)
	checked := 0
	for _, f := range frames {
		fn, _ := f["function"].(string)
		if fn == "" || fn == "?" || f["raw_function"] != nil {
			continue // Relay drops "?"; a raw_function means no trimming
		}
		plat, _ := f["platform"].(string)
		if plat == "" {
			plat = eventPlatform
		}
		if !isNative(plat) {
			continue
		}
		got := Trim(fn, plat)
		if !printed[got] {
			if alt, _ := f["function_name"].(string); alt != "" && printed[alt] {
				// native-with-function-name: its last frame's function is
				// cut off mid-template ("…std:..."), yet the snapshot prints
				// the frame's legacy "function_name". That value does not
				// come from trimming.
				t.Logf("%q: snapshot shows function_name %q, not a trim of function", fn, alt)
				continue
			}
		}
		assert.True(t, printed[got], "Trim(%q, %q) = %q, not among the snapshot's functions", fn, plat, got)
		checked++
	}
	return checked
}
