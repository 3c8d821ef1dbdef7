// Package suitelog tells CI which test suites ran and what they checked.
//
// go test prints nothing of a passing package, so a suite that silently
// stopped running (a renamed test, a skip that should have been a failure)
// would go unseen. Each suite that drives a real client or a real server
// calls [Report] once at its end; when the environment variable [Env] names
// a file, the line is appended there, and .ci/run prints the file and fails
// when an expected suite is missing from it.
package suitelog

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// Env names the file that collects one line per suite.
const Env = "SDKCAPTURE_SUMMARY"

// mu keeps lines whole when parallel subtests report at once; the file is
// opened with O_APPEND, so lines from other test binaries are kept too.
var mu sync.Mutex

// Report logs "suite: NAME cases=N DETAIL" and appends it to the file Env
// names, if any. A failed test is logged but left out of the file: the file
// lists only suites that checked what they claim.
func Report(t testing.TB, suite string, cases int, detail string) {
	t.Helper()
	line := fmt.Sprintf("suite: %s cases=%d %s", suite, cases, detail)
	t.Log(line)
	path := os.Getenv(Env)
	if path == "" || t.Failed() {
		return
	}
	if err := Append(path, line); err != nil {
		t.Errorf("%s: %v", Env, err)
	}
}

// Append adds line to the file at path, creating it if need be.
func Append(path, line string) error {
	mu.Lock()
	defer mu.Unlock()
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
