package loadtest

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A wrkReport is what envelopes.lua's done() printed: counts, and
// latencies in microseconds, by name ("requests", "p99_us",
// "status_200", ...).
type wrkReport map[string]int64

// parseWrkReport reads the key=value pairs of the lines of wrk's output
// that start with "loadtest:", and checks that the ones the test relies on
// are there: a wrk that ran without the script, or a script that failed
// in done(), must not pass for a run with no errors.
func parseWrkReport(out string) (wrkReport, error) {
	r := wrkReport{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "loadtest:")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("wrk report: %q is not key=value", kv)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("wrk report: %s: %w", k, err)
			}
			r[k] = n
		}
	}
	for _, k := range []string{"requests", "duration_us", "err_connect", "err_read", "err_write", "err_status", "err_timeout", "p99_us"} {
		if _, ok := r[k]; !ok {
			return nil, fmt.Errorf("wrk report: no %s: did envelopes.lua run?", k)
		}
	}
	return r, nil
}

// statuses returns the answers counted by status code other than 200, and
// how many were 200.
func (r wrkReport) statuses() (ok int64, other map[int]int64) {
	other = map[int]int64{}
	for k, n := range r {
		code, found := strings.CutPrefix(k, "status_")
		if !found {
			continue
		}
		c, err := strconv.Atoi(code)
		if err != nil {
			continue
		}
		if c == 200 {
			ok = n
		} else {
			other[c] = n
		}
	}
	return ok, other
}

// errors is the number of requests wrk counted as failed: connections it
// could not open, read or write errors, timeouts, and statuses above 399.
func (r wrkReport) errors() int64 {
	return r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"] + r["err_status"]
}

func TestParseWrkReport(t *testing.T) {
	// What wrk 4.1.0 printed on a run with envelopes.lua, shortened.
	const out = `Running 5s test @ http://127.0.0.1:40000
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms    2.01ms  40.12ms   85.00%
  Latency Distribution
     99%   10.10ms
  60000 requests in 5.00s, 9.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  12000.00
loadtest: requests=60000 duration_us=5000123 bytes=9437184 err_connect=0 err_read=0 err_write=0 err_status=3 err_timeout=0
loadtest: p50_us=2900 p90_us=5000 p99_us=10100 p999_us=30000 max_us=40120 mean_us=3100
loadtest: status_200=59997 status_503=3
`
	r, err := parseWrkReport(out)
	require.NoError(t, err)
	assert.Equal(t, int64(60000), r["requests"])
	assert.Equal(t, int64(10100), r["p99_us"])
	assert.Equal(t, int64(3), r.errors())
	ok, other := r.statuses()
	assert.Equal(t, int64(59997), ok)
	assert.Equal(t, map[int]int64{503: 3}, other)

	_, err = parseWrkReport("Running 5s test @ http://127.0.0.1:40000\nRequests/sec: 1.00\n")
	assert.ErrorContains(t, err, "did envelopes.lua run", "wrk's report without the script's is an error")
	_, err = parseWrkReport("loadtest: requests=x\n")
	assert.Error(t, err)
	_, err = parseWrkReport("loadtest: requests\n")
	assert.Error(t, err)
}
