package fingerprint

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDirs are the shared conformance corpora: Sentry's grouping test
// inputs and recorded snapshots.
var corpusDirs = []string{
	"../../../shared/corpus/sentry-grouping",
	"../../../shared/corpus/sentry-grouping-2026",
}

// TestCorpus runs every corpus input through its `_fingerprinting_rules`
// and the built-in base, and compares the matched rule with the snapshot's
// fingerprint_info.matched_rule, byte for byte; an input whose snapshot
// records no matched rule must match none.
func TestCorpus(t *testing.T) {
	builtin, err := Builtin("javascript@2024-02-02")
	require.NoError(t, err)
	ran := 0
	for _, dir := range corpusDirs {
		data, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			t.Logf("corpus %s not found, skipped", dir)
			continue
		}
		var index struct {
			Pairs []struct {
				Input    string `json:"input"`
				Snapshot string `json:"snapshot"`
			} `json:"pairs"`
		}
		require.NoError(t, json.Unmarshal(data, &index))
		for _, p := range index.Pairs {
			t.Run(filepath.Base(dir)+"/"+p.Input, func(t *testing.T) {
				input, err := os.ReadFile(filepath.Join(dir, p.Input))
				require.NoError(t, err)
				snap, err := os.ReadFile(filepath.Join(dir, p.Snapshot))
				require.NoError(t, err)

				var raw struct {
					Rules jsontext.Value `json:"_fingerprinting_rules"`
				}
				require.NoError(t, json.Unmarshal(input, &raw))
				var custom *Rules
				if len(raw.Rules) > 0 {
					custom, err = ParseJSON(raw.Rules)
					require.NoError(t, err)
				}
				var ev map[string]any
				require.NoError(t, json.Unmarshal(input, &ev))
				got := Chain(custom, builtin).Match(corpusEvent(ev))

				want := snapshotMatchedRule(t, snap)
				if want == "" {
					assert.Nil(t, got)
				} else if assert.NotNil(t, got) {
					assert.Equal(t, want, string(got.JSON()))
				}
				ran++
			})
		}
	}
	if ran == 0 {
		t.Skip("no corpus found under ../../../shared/corpus")
	}
}

// snapshotMatchedRule returns the raw matched_rule of the first
// fingerprint_info (or older info) line, "" if there is none.
func snapshotMatchedRule(t *testing.T, snap []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(snap))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, prefix := range []string{"fingerprint_info: ", "info: "} {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				var info map[string]jsontext.Value
				require.NoError(t, json.Unmarshal([]byte(rest), &info))
				if mr, ok := info["matched_rule"]; ok {
					return string(mr)
				}
			}
		}
	}
	return ""
}

// corpusEvent fills an Event from a raw test input the way the grouping
// package would after normalization, close enough for these inputs.
func corpusEvent(ev map[string]any) *Event {
	str := func(v any) string { s, _ := v.(string); return s }
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	values := func(v any) []any {
		if l, ok := v.([]any); ok {
			return l
		}
		l, _ := obj(v)["values"].([]any)
		return l
	}
	frames := func(st any) []Frame {
		var out []Frame
		for _, f := range values(obj(st)["frames"]) {
			m := obj(f)
			fr := Frame{AbsPath: str(m["abs_path"]), Filename: str(m["filename"]), Package: str(m["package"]),
				Module: str(m["module"]), Function: str(m["function"])}
			if b, ok := m["in_app"].(bool); ok {
				fr.InApp = &b
			}
			out = append(out, fr)
		}
		return out
	}
	out := &Event{
		Platform: str(ev["platform"]),
		Logger:   str(ev["logger"]),
		Level:    str(ev["level"]),
		Release:  str(ev["release"]),
		SDKName:  str(obj(ev["sdk"])["name"]),
	}
	le := obj(ev["logentry"])
	if m := str(le["formatted"]) + str(le["message"]); m != "" {
		out.Messages = []string{str(le["formatted"])}
		if out.Messages[0] == "" {
			out.Messages[0] = str(le["message"])
		}
	} else if m := str(ev["message"]); m != "" {
		out.Messages = []string{m}
	}
	for _, e := range values(ev["exception"]) {
		m := obj(e)
		out.Exceptions = append(out.Exceptions, Exception{Type: str(m["type"]), Value: str(m["value"])})
		out.Frames = append(out.Frames, frames(m["stacktrace"])...)
	}
	if len(out.Frames) == 0 {
		out.Frames = frames(ev["stacktrace"])
	}
	if len(out.Frames) == 0 {
		threads := values(ev["threads"])
		pick := func(key string) any {
			var found []any
			for _, th := range threads {
				if b, _ := obj(th)[key].(bool); b {
					found = append(found, th)
				}
			}
			if len(found) == 1 {
				return found[0]
			}
			return nil
		}
		var th any
		switch {
		case len(threads) == 1:
			th = threads[0]
		case pick("crashed") != nil:
			th = pick("crashed")
		default:
			th = pick("current")
		}
		out.Frames = frames(obj(th)["stacktrace"])
	}
	switch tags := ev["tags"].(type) {
	case map[string]any:
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.Tags = append(out.Tags, Tag{k, str(tags[k])})
		}
	case []any:
		for _, p := range tags {
			if kv, ok := p.([]any); ok && len(kv) == 2 {
				out.Tags = append(out.Tags, Tag{str(kv[0]), str(kv[1])})
			}
		}
	}
	return out
}
