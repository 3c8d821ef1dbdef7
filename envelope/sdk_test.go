package envelope

import (
	"bytes"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/internal/captures"
)

// loadCaptures reads the requests real SDKs sent (internal/captures).
func loadCaptures(t testing.TB) []captures.Request {
	t.Helper()
	reqs, err := captures.Load("testdata/sdk")
	require.NoError(t, err)
	return reqs
}

// TestSDKCaptures frames every envelope that a real SDK sent: it parses, the
// Reader sees the same items, and writing it back gives the same bytes.
func TestSDKCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		if c.IsStore() {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			env, err := Parse(c.Body)
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
			got, err := readAll(NewReader(bytes.NewReader(c.Body)))
			require.NoError(t, err)
			assert.Equal(t, want, got)
			out, err := env.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, c.Body, out)
		})
	}
}
