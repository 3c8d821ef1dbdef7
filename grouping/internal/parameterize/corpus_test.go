package parameterize

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir finds the shared Sentry grouping corpus next to the module
// (../shared/corpus from the directory holding go.mod), or "".
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
	c := filepath.Join(filepath.Dir(dir), "shared", "corpus")
	if _, err := os.Stat(c); err != nil {
		return ""
	}
	return c
}

// olderPatterns lists the parameterized strings that a snapshot from
// before the current pattern set recorded differently. Each entry says
// which string the current set produces instead and why; the test fails if
// an entry is no longer needed.
var olderPatterns = map[string]string{
	// 2024-12 snapshot: ints had no length limit then. Today a 10-digit
	// run is <hex> (8 digits and up), as the 2026 snapshot of the same
	// input records.
	"javascript_xbrowser_sentryui_safari.pysnap\x00GET /issues/<int>/events/latest/ <int>": "GET /issues/<hex>/events/latest/ <int>",
}

// placeholder finds JSON strings holding one of the pattern placeholders.
var (
	jsonString  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	placeholder = regexp.MustCompile(`<(email|url|hostname|ip|traceparent|uuid|sha1|md5|date|duration|swift_txn_id|hex|git_sha|float|int|quoted_str|bool)>`)
)

// TestCorpusSnapshots checks every parameterized string recorded in
// Sentry's grouping snapshots: each must be NormalizeMessage (messages and
// exception values) or Parameterize (the {{ message }} fingerprint
// variable) of some string of the snapshot's input event.
func TestCorpusSnapshots(t *testing.T) {
	root := corpusDir(t)
	if root == "" {
		t.Skip("Sentry grouping corpus not found at ../shared/corpus next to the module; skipping")
	}
	used := map[string]bool{}
	checked := 0
	for _, corpus := range []string{"sentry-grouping", "sentry-grouping-2026"} {
		dir := filepath.Join(root, corpus)
		raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		var index struct {
			Pairs []struct {
				Input    string `json:"input"`
				Snapshot string `json:"snapshot"`
				Note     string `json:"note"`
			} `json:"pairs"`
		}
		require.NoError(t, json.Unmarshal(raw, &index))
		for _, pair := range index.Pairs {
			produced := map[string]bool{}
			for _, s := range inputStrings(t, filepath.Join(dir, pair.Input)) {
				produced[NormalizeMessage(s)] = true
				produced[Parameterize(s)] = true
			}
			snap, err := os.ReadFile(filepath.Join(dir, pair.Snapshot))
			require.NoError(t, err)
			for _, lit := range jsonString.FindAllString(string(snap), -1) {
				var want string
				if json.Unmarshal([]byte(lit), &want) != nil || !placeholder.MatchString(want) {
					continue
				}
				checked++
				if produced[want] {
					continue
				}
				key := filepath.Base(pair.Snapshot) + "\x00" + want
				if now, ok := olderPatterns[key]; ok && pair.Note != "" {
					used[key] = true
					assert.True(t, produced[now], "%s/%s: expected the current form %q", corpus, pair.Snapshot, now)
					continue
				}
				t.Errorf("%s/%s: %q is not produced from any string of %s", corpus, pair.Snapshot, want, pair.Input)
			}
		}
	}
	require.NotZero(t, checked, "no parameterized strings found in the corpus")
	for key := range olderPatterns {
		assert.True(t, used[key], "olderPatterns entry %q no longer needed", key)
	}
	t.Logf("%d parameterized strings checked", checked)
}

// inputStrings returns every string value in a JSON document.
func inputStrings(t *testing.T, path string) []string {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(raw, &doc), path)
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}

// TestCorpusKnownValues pins the parameterized values the snapshots record,
// so the expectations hold even where the corpus is not available.
func TestCorpusKnownValues(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Wed Apr 17 22:31:45 2019: foobar.bazblafasel@example.invalid logged in (error 42) time spent 1234.33 --- correlation id 88ee7c66-29a9-4a4a-bc26-c72d76c5de14, checksum da39a3ee5e6b4b0d3255bfef95601890afd80709 (md5 d41d8cd98f00b204e9800998ecf8427e); payload timestamp 2019-04-17T20:29:05Z (submitted from 127.0.0.1 via 2001:0db8:85a3:0000:0000:8a2e:0370:7334 via ::1) at offset 0xfeedbeef",
			"<date>: <email> logged in (error <int>) time spent <float> --- correlation id <uuid>, checksum <sha1> (md5 <md5>); payload timestamp <date> (submitted from <ip> via <ip> via <ip>) at offset <hex>"},
		{"Fatal Error: 0x40000015 / 0x00000001", "Fatal Error: <hex> / <hex>"},
		{"GET /issues/1018239786/events/latest/ 404", "GET /issues/<hex>/events/latest/ <int>"},
		{"testing testing 1, 2, 3", "testing testing <int>, <int>, <int>"},
		{"FailedToFetchError: Charlie didn't bring 2 balls back!", "FailedToFetchError: Charlie didn't bring <int> balls back!"},
		{"Test 1", "Test <int>"},
	} {
		assert.Equal(t, tc.want, NormalizeMessage(tc.in), "NormalizeMessage(%q)", tc.in)
	}
	assert.True(t, strings.HasPrefix(NormalizeMessage("Loading chunk 123 failed.\n(timeout: https://example.com/x.js)\nmore"), "Loading chunk <int> failed.\n(timeout: <url>"))
}
