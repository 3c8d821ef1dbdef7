package captures

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	reqs, err := Load("../../envelope/testdata/sdk")
	require.NoError(t, err)
	sdks := map[string]bool{}
	for _, r := range reqs {
		sdk, _, _ := strings.Cut(r.Name, "/")
		sdks[sdk] = true
		assert.NotEmpty(t, r.Body, r.Name)
		assert.Contains(t, []string{"POST", "GET"}, r.Method)
		if r.Headers["Content-Encoding"] == "gzip" {
			assert.NotEqual(t, r.Raw, r.Body, "%s is decompressed", r.Name)
		}
	}
	assert.Equal(t, map[string]bool{"sentry-go": true, "node": true, "python": true}, sdks)

	_, err = Load(t.TempDir())
	assert.ErrorContains(t, err, "none in")
}
