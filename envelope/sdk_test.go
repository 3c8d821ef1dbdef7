package envelope

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capture is one request recorded from a real SDK by examples/sdkcapture.
type capture struct {
	name    string // sdk/scenario.n
	path    string // request path
	query   string
	headers map[string]string
	raw     []byte // the body as sent
	body    []byte // the body after Content-Encoding
}

func (c capture) isStore() bool { return strings.HasSuffix(c.path, "/store/") }

// loadCaptures reads testdata/sdk. The bodies are decompressed here with an
// independent gzip reader, so these tests do not lean on the HTTP layer.
func loadCaptures(t testing.TB) []capture {
	t.Helper()
	metas, err := filepath.Glob("testdata/sdk/*/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, metas, "no captures in testdata/sdk; regenerate them with examples/sdkcapture")
	var out []capture
	for _, m := range metas {
		var meta struct {
			Path    string            `json:"path"`
			Query   string            `json:"query"`
			Headers map[string]string `json:"headers"`
		}
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &meta, json.RejectUnknownMembers(false)))
		base := strings.TrimSuffix(m, ".json")
		raw, err := os.ReadFile(base + ".body")
		require.NoError(t, err)
		body := raw
		if meta.Headers["Content-Encoding"] == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			require.NoError(t, err)
			body, err = io.ReadAll(zr)
			require.NoError(t, err)
		}
		rel, _ := filepath.Rel("testdata/sdk", base)
		out = append(out, capture{name: filepath.ToSlash(rel), path: meta.Path, query: meta.Query, headers: meta.Headers, raw: raw, body: body})
	}
	return out
}

// TestSDKCaptures frames every envelope that a real SDK sent: it parses, the
// Reader sees the same items, and writing it back gives the same bytes.
func TestSDKCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		if c.isStore() {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			env, err := Parse(c.body)
			require.NoError(t, err)
			require.NotEmpty(t, env.Items)
			var want []item
			for _, it := range env.Items {
				assert.True(t, it.Type().IsKnown(), "item type %q", it.Type())
				want = append(want, item{it.Type(), string(it.Payload())})
				if n, ok := it.ItemCount(); ok && it.IsContainer() {
					var c struct {
						Items []any `json:"items"`
					}
					require.NoError(t, json.Unmarshal(it.Payload(), &c))
					assert.EqualValues(t, n, len(c.Items), "item_count")
				}
			}
			got, err := readAll(NewReader(bytes.NewReader(c.body)))
			require.NoError(t, err)
			assert.Equal(t, want, got)
			out, err := env.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, c.body, out)
		})
	}
}
