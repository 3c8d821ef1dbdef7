package suitelog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppend checks that lines written from parallel goroutines each arrive
// whole, and that a second writer appends rather than truncates.
func TestAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.txt")
	require.NoError(t, os.WriteFile(path, []byte("suite: earlier cases=1 x\n"), 0o644))
	want := []string{"suite: earlier cases=1 x"}
	var wg sync.WaitGroup
	for i := range 50 {
		line := fmt.Sprintf("suite: Test%d cases=%d %s", i, i, strings.Repeat("d", 4096))
		want = append(want, line)
		wg.Go(func() { assert.NoError(t, Append(path, line)) })
	}
	wg.Wait()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.ElementsMatch(t, want, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))

	assert.Error(t, Append(filepath.Join(t.TempDir(), "missing", "summary.txt"), "x"),
		"a summary file that cannot be opened is an error, not a silent miss")
}

func TestReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.txt")
	t.Setenv(Env, path)
	Report(t, "TestSomething", 3, "requests")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "suite: TestSomething cases=3 requests\n", string(b))
}

func ExampleAppend() {
	dir, _ := os.MkdirTemp("", "suitelog")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "summary.txt")
	_ = Append(path, "suite: TestDjangoGuide cases=13 events in 8 issues")
	_ = Append(path, "suite: TestScaleOut cases=10000 envelopes, none lost")
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// suite: TestDjangoGuide cases=13 events in 8 issues
	// suite: TestScaleOut cases=10000 envelopes, none lost
}
