package enhancement

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaseFilesUnchanged(t *testing.T) {
	readme, err := os.ReadFile("../../../shared/spec/grouping-data/README.md")
	if err != nil {
		t.Skipf("spec notes not available (%v)", err)
	}
	// | `all-platforms@2023-01-11.txt` | ... | `<md5>` | ...
	row := regexp.MustCompile("(?m)^\\| `(all-platforms@[0-9-]+\\.txt)` \\|[^|]*\\|[^|]*\\| `([0-9a-f]{32})` \\|")
	found := 0
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		data, err := os.ReadFile("bases/" + m[1])
		require.NoError(t, err, m[1])
		sum := md5.Sum(data)
		assert.Equal(t, m[2], hex.EncodeToString(sum[:]), m[1])
		found++
	}
	assert.Equal(t, 2, found)
	// The embedded copies are the files.
	for name, text := range map[string]string{"all-platforms@2023-01-11.txt": base20230111, "all-platforms@2026-01-20.txt": base20260120} {
		data, err := os.ReadFile("bases/" + name)
		require.NoError(t, err)
		assert.Equal(t, string(data), text)
	}
}

func TestBases(t *testing.T) {
	tests := []struct {
		id    string
		rules int
	}{
		{"all-platforms:2023-01-11", 326},
		{"newstyle:2023-01-11", 326},
		{"all-platforms:2026-01-20", 337},
	}
	for _, tt := range tests {
		r, err := Base(tt.id)
		require.NoError(t, err, tt.id)
		assert.Equal(t, tt.rules, r.Len(), tt.id)
		assert.Empty(t, r.custom, "built-in rules are never labelled custom")
	}
	a, _ := Base("all-platforms:2023-01-11")
	b, _ := Base("newstyle:2023-01-11")
	assert.Same(t, a, b, "compiled once and shared")

	_, err := Base("all-platforms:2019-03-23")
	assert.ErrorIs(t, err, ErrUnknownBase)
}

func TestFrozenBaseHash(t *testing.T) {
	// Sentry pins the md5 of the 2023 base's rule texts, concatenated, to
	// catch edits (LEGACY_ENHANCEMENT_BASE_HASHES). Matching it shows the
	// file parses exactly as Sentry parses it.
	r, err := Base("all-platforms:2023-01-11")
	require.NoError(t, err)
	sum := md5.Sum([]byte(strings.ReplaceAll(r.String(), "\n", "")))
	assert.Equal(t, "56d320de4f8a41213db210fa3d73e130", hex.EncodeToString(sum[:]))
}

func TestExtend(t *testing.T) {
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(t, err)
	custom, err := Parse("function:playFetch +app +group")
	require.NoError(t, err)

	all := Extend(base, custom)
	assert.Equal(t, base.Len()+1, all.Len())
	assert.Equal(t, len(base.all(classifierOf))+1, len(all.all(classifierOf)))
	assert.Equal(t, len(base.all(contributesOf))+1, len(all.all(contributesOf)))
	assert.Same(t, custom.all(classifierOf)[0], all.all(classifierOf)[len(all.all(classifierOf))-1], "custom rules come last")
	assert.Contains(t, all.custom, "function:playFetch +app")
	assert.Contains(t, all.custom, "function:playFetch +group")

	assert.Equal(t, 0, Extend(nil, nil).Len())
	assert.Equal(t, base.Len(), Extend(base, nil).Len())
	assert.Empty(t, Extend(custom, nil).custom, "rules passed as base are built-in")
	var nilRules *Rules
	assert.Equal(t, 0, nilRules.Len())
	assert.Equal(t, "", nilRules.String())
}
