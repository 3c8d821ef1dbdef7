package sdkcapture

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

// summaryEnv names a file that collects one line per interop suite that ran.
// go test prints nothing of a passing package, so t.Logf alone never reaches
// the CI log; CI reads this file instead, and notices a suite that silently
// stopped running.
const summaryEnv = "SDKCAPTURE_SUMMARY"

// summaryMu keeps lines whole when parallel subtests report at once; the
// file is opened with O_APPEND so lines from other test binaries are kept
// too.
var summaryMu sync.Mutex

// reportSuite records that suite ran and checked cases of whatever detail
// names. A suite that failed is logged but left out of the file: the file
// lists only suites that checked what they claim.
func reportSuite(t *testing.T, suite string, cases int, detail string) {
	t.Helper()
	line := fmt.Sprintf("suite: %s cases=%d %s", suite, cases, detail)
	t.Log(line)
	path := os.Getenv(summaryEnv)
	if path == "" || t.Failed() {
		return
	}
	if err := appendSummary(path, line); err != nil {
		t.Errorf("%s: %v", summaryEnv, err)
	}
}

// appendSummary adds line to the file at path, creating it if need be.
func appendSummary(path, line string) error {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// TestAppendSummary checks that lines written from parallel goroutines each
// arrive whole, and that a second writer appends rather than truncates.
func TestAppendSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.txt")
	require.NoError(t, os.WriteFile(path, []byte("suite: earlier cases=1 x\n"), 0o644))
	want := []string{"suite: earlier cases=1 x"}
	var wg sync.WaitGroup
	for i := range 50 {
		line := fmt.Sprintf("suite: Test%d cases=%d %s", i, i, strings.Repeat("d", 4096))
		want = append(want, line)
		wg.Go(func() { assert.NoError(t, appendSummary(path, line)) })
	}
	wg.Wait()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.ElementsMatch(t, want, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))

	assert.Error(t, appendSummary(filepath.Join(t.TempDir(), "missing", "summary.txt"), "x"),
		"a summary file that cannot be opened is an error, not a silent miss")
}
