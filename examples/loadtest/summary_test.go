package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summaryEnv names the file that collects one line per suite that ran, as
// in examples/sdkcapture: go test prints nothing of a passing package, so
// CI reads this file to show the figures of the load run, and to notice
// when it stopped running.
const summaryEnv = "SDKCAPTURE_SUMMARY"

// reportSuite logs "suite: NAME cases=N DETAIL" and, unless the test
// failed, appends it to the file $SDKCAPTURE_SUMMARY names, if any.
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

// appendSummary adds line to the file at path, creating it if need be;
// O_APPEND keeps the lines other test binaries wrote there.
func appendSummary(path, line string) error {
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

func TestAppendSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.txt")
	require.NoError(t, os.WriteFile(path, []byte("suite: earlier cases=1 x\n"), 0o644))
	require.NoError(t, appendSummary(path, "suite: TestIngestLoad cases=2 y"))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "suite: earlier cases=1 x\nsuite: TestIngestLoad cases=2 y\n", string(b))
	assert.Error(t, appendSummary(filepath.Join(t.TempDir(), "missing", "summary.txt"), "x"))
}
