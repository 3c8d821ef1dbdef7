package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// grouped is the output of the group command, read back.
type grouped struct {
	Config   string   `json:"config"`
	Hashes   []string `json:"hashes"`
	Title    string   `json:"title"`
	Culprit  string   `json:"culprit"`
	Variants map[string]struct {
		Type        string         `json:"type"`
		Hash        *string        `json:"hash"`
		Contributes bool           `json:"contributes"`
		Hint        *string        `json:"hint"`
		Component   jsontext.Value `json:"component"`
		Values      []string       `json:"values"`
	} `json:"variants"`
}

const pythonError = `{"platform":"python","exception":{"values":[{"type":"KeyError","value":"'user_42'",
	"stacktrace":{"frames":[{"module":"shop.views","function":"cart","filename":"shop/views.py","in_app":true}]}}]}}`

func TestGroup(t *testing.T) {
	library := func(t *testing.T, id, payload string) *grouping.Result {
		cfg, err := grouping.NewConfig(id)
		require.NoError(t, err)
		ev, err := protocol.DecodeEvent([]byte(payload))
		require.NoError(t, err)
		return cfg.Group(ev)
	}
	tests := []struct {
		name, stdin string
		args        []string
		config      string
	}{
		{"default config", pythonError, []string{"-"}, grouping.Newstyle2023},
		{"2026 config", pythonError, []string{"-config", grouping.Newstyle2026, "-"}, grouping.Newstyle2026},
		{"message", `{"message":"cache warmup took 5312 ms","platform":"python"}`, []string{"-"}, grouping.Newstyle2023},
		{"store body in base64", base64.StdEncoding.EncodeToString([]byte(pythonError)), []string{"-"}, grouping.Newstyle2023},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.stdin, append([]string{"group"}, tt.args...)...)
			require.Equal(t, 0, code, stderr)
			var got grouped
			require.NoError(t, json.Unmarshal([]byte(stdout), &got))
			want := library(t, tt.config, pythonErrorOr(tt.stdin))
			assert.Equal(t, tt.config, got.Config)
			assert.Equal(t, want.Hashes, got.Hashes)
			assert.Equal(t, want.Title, got.Title)
			require.Len(t, got.Variants, len(want.Variants))
			for _, v := range want.Variants {
				g, ok := got.Variants[v.Name]
				require.True(t, ok, v.Name)
				assert.Equal(t, v.Contributes(), g.Contributes)
				if v.Hash == "" {
					assert.Nil(t, g.Hash)
				} else {
					assert.Equal(t, v.Hash, *g.Hash)
				}
				if v.Component != nil {
					assert.Contains(t, string(g.Component), `"id": "`+v.Name+`"`)
				}
			}
		})
	}
}

// pythonErrorOr undoes the base64 of the store-body case.
func pythonErrorOr(stdin string) string {
	if strings.HasPrefix(stdin, "{") {
		return stdin
	}
	return pythonError
}

func TestGroupExplain(t *testing.T) {
	code, stdout, stderr := cli(t, pythonError, "group", "-explain", "-")
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "app:\n  hash: \""), stdout)
	assert.Contains(t, stdout, "\n"+strings.Repeat("-", 74)+"\nsystem:\n")
	assert.Contains(t, stdout, "          frame* (marked in-app by the client)\n")
}

func TestGroupRules(t *testing.T) {
	dir := t.TempDir()
	enh := filepath.Join(dir, "stack-rules.txt")
	require.NoError(t, os.WriteFile(enh, []byte("module:shop.* -app\n"), 0o644))
	fp := filepath.Join(dir, "fingerprint-rules.txt")
	require.NoError(t, os.WriteFile(fp, []byte("type:KeyError -> missing-key\n"), 0o644))

	code, stdout, stderr := cli(t, pythonError, "group", "-enhancements", enh, "-")
	require.Equal(t, 0, code, stderr)
	var got grouped
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Nil(t, got.Variants["app"].Hash, "the only frame is out of the app now")
	require.NotNil(t, got.Variants["system"].Hash)

	code, stdout, stderr = cli(t, pythonError, "group", "-fingerprinting", fp, "-")
	require.Equal(t, 0, code, stderr)
	got = grouped{}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	v := got.Variants["custom_server_fingerprint"]
	assert.Equal(t, []string{"missing-key"}, v.Values)
	assert.Equal(t, []string{*v.Hash}, got.Hashes)
}

func TestGroupErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("function:foo -app\nfunction:bar +nope\n"), 0o644))
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"unknown config", pythonError, []string{"-config", "legacy:2019-03-12", "-"}, 2, "unknown config"},
		{"no input", "", []string{}, 2, "want one FILE"},
		{"not an event", `[1,2]`, []string{"-"}, 1, "error: "},
		{"malformed JSON", `{"platform":`, []string{"-"}, 1, "error: "},
		{"rule syntax", pythonError, []string{"-enhancements", bad, "-"}, 1, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(t, tt.stdin, append([]string{"group"}, tt.args...)...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, tt.stderr)
			if tt.code == 1 {
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one error line: %q", stderr)
			}
		})
	}
}
