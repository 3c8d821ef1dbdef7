//go:build linux

package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: Linux reports
// them in USER_HZ ticks, which the kernel fixes at 100 for user space
// whatever its internal tick rate (getconf CLK_TCK).
const userHZ = 100

// rss returns the resident set size of process pid, VmRSS of
// /proc/<pid>/status, in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(b)
}

// parseVmRSS finds the line "VmRSS:   12345 kB" in a /proc/<pid>/status.
func parseVmRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		kb, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			return 0, fmt.Errorf("proc status: VmRSS %q is not in kB", bytes.TrimSpace(rest))
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(kb)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc status: VmRSS: %w", err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("proc status: no VmRSS line")
}

// cpuTime returns the CPU time, user and system, that process pid has used
// so far, from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, fields 14 and 15 of a
// /proc/<pid>/stat. The fields are counted after the command name, which
// is in parentheses and may itself hold spaces and parentheses: the last
// ")" ends it.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat: no command name")
	}
	f := bytes.Fields(stat[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(f))
	}
	var ticks int64
	for _, field := range f[11:13] {
		n, err := strconv.ParseInt(string(field), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: utime or stime: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// machineBusy returns the CPU time all cores have spent busy since boot,
// from the first line of /proc/stat: everything but idle and iowait. Less
// the ingest's and wrk's share over a run, it is what other processes took
// from the two cores, the noise in the run's figures.
func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineBusy(b)
}

// parseMachineBusy reads the "cpu" line of /proc/stat: user, nice,
// system, idle, iowait, irq, softirq, steal and more, in USER_HZ ticks.
// Guest time is already counted in user, so only the first eight count.
func parseMachineBusy(stat []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, fmt.Errorf("proc stat: first line %q is not the cpu total", line)
	}
	var busy int64
	for i, field := range f[1:9] {
		n, err := strconv.ParseInt(string(field), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: cpu field %d: %w", i+1, err)
		}
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / userHZ, nil
}

// checkFlat reports whether a resident set sampled once a second stayed
// flat: the peak of the last third of the run no more than growth times,
// or slack bytes above, the peak of its second sixth to its half (seconds
// 6 to 15 of 30, once the server has warmed up), whichever allows more,
// and no sample above limit. The slack keeps a server of a few tens of MiB
// from failing on the Go runtime's own drift of a few MiB; a leak of even
// a few hundred bytes a request outgrows it within seconds at thousands of
// requests a second.
func checkFlat(series []int64, growth float64, slack, limit int64) error {
	n := len(series)
	if n < 3 {
		return fmt.Errorf("rss: %d samples, need at least 3", n)
	}
	early, late := slices.Max(series[n/6:n/2]), slices.Max(series[n-n/3:])
	if peak := slices.Max(series); peak > limit {
		return fmt.Errorf("rss: peak %d MiB above the bound of %d MiB", peak>>20, limit>>20)
	}
	if float64(late) > max(growth*float64(early), float64(early+slack)) {
		return fmt.Errorf("rss: grew from a peak of %.1f MiB (seconds %d-%d) to %.1f MiB (the last %d s), more than %.2fx and %.0f MiB",
			mib(early), n/6+1, n/2, mib(late), n/3, growth, mib(slack))
	}
	return nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func TestParseVmRSS(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		want         int64
		wantErr      bool
	}{
		{name: "real", status: "Name:\tingest\nVmPeak:\t 1300000 kB\nVmRSS:\t   20480 kB\nRssAnon:\t 9000 kB\n", want: 20 << 20},
		{name: "missing", status: "Name:\tingest\nVmPeak:\t 1300000 kB\n", wantErr: true},
		{name: "unit", status: "VmRSS:\t 20 MB\n", wantErr: true},
		{name: "number", status: "VmRSS:\t x kB\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tc.status))
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{name: "real", stat: "4242 (ingest) S 1 4242 4242 0 -1 4194560 1270 0 0 0 1234 56 0 0 20 0 7 0 8899 1300000000 5000 18446744073709551615\n",
			want: 12900 * time.Millisecond},
		// A command name may hold spaces and parentheses; the last ")" ends it.
		{name: "odd name", stat: "7 (a) b (c) S 1 7 7 0 -1 0 0 0 0 0 300 100 0 0 20 0 1 0 1 1 1 1\n", want: 4 * time.Second},
		{name: "short", stat: "7 (a) S 1 7 7\n", wantErr: true},
		{name: "no name", stat: "7 a S 1 7 7 0 -1 0 0 0 0 0 300 100 0\n", wantErr: true},
		{name: "not a number", stat: "7 (a) S 1 7 7 0 -1 0 0 0 0 0 x 100 0\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.stat))
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseMachineBusy(t *testing.T) {
	got, err := parseMachineBusy([]byte("cpu  100 5 50 900 40 3 2 0 0 0\ncpu0 50 2 25 450 20 1 1 0 0 0\n"))
	require.NoError(t, err)
	assert.Equal(t, 1600*time.Millisecond, got, "user+nice+system+irq+softirq+steal, without idle and iowait")
	for _, bad := range []string{"cpu0 1 2 3 4 5 6 7 8\n", "cpu 1 2 3\n", "cpu 1 2 3 4 5 6 x 8\n", ""} {
		_, err := parseMachineBusy([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// TestProcSelf reads this test process's own entries, so that the parsers
// meet the real files and not only the examples above.
func TestProcSelf(t *testing.T) {
	n, err := rss(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, n, int64(1<<20), "a Go test binary is resident for more than 1 MiB")
	start := time.Now()
	for time.Since(start) < 30*time.Millisecond {
	} // burn some CPU so that the count is not zero even at 10 ms ticks
	cpu, err := cpuTime(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, cpu, time.Duration(0))
	busy, err := machineBusy()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, busy, cpu, "the machine was busy at least as long as this process")
}

func TestCheckFlat(t *testing.T) {
	const mb = 1 << 20
	flat := []int64{10 * mb, 20 * mb, 30 * mb, 31 * mb, 30 * mb, 32 * mb, 31 * mb, 33 * mb, 32 * mb, 32 * mb, 31 * mb, 33 * mb}
	leak := []int64{10 * mb, 20 * mb, 30 * mb, 35 * mb, 40 * mb, 45 * mb, 50 * mb, 55 * mb, 60 * mb, 65 * mb, 70 * mb, 75 * mb}
	// Small and drifting by a few MiB: within the slack, not 1.1x.
	drift := []int64{10 * mb, 20 * mb, 20 * mb, 20 * mb, 20 * mb, 20 * mb, 21 * mb, 22 * mb, 23 * mb, 23 * mb, 23 * mb, 24 * mb}
	// What the ingest did with the protocol decoders' leak, once a second
	// for 30 s: slow enough that a looser rule passed it.
	var slowLeak []int64
	for _, v := range []float64{22.4, 24.5, 25.0, 27.6, 28.7, 30.2, 30.9, 32.3, 33.7, 34.4, 35.5, 36.9, 37.0, 37.5, 38.1,
		39.1, 38.7, 40.6, 40.5, 40.6, 42.0, 42.0, 43.1, 42.4, 43.3, 43.2, 44.7, 45.1, 45.1, 45.1} {
		slowLeak = append(slowLeak, int64(v*mb))
	}
	for _, tc := range []struct {
		name    string
		series  []int64
		limit   int64
		wantErr string
	}{
		// The climb of the first seconds is warm-up, not growth.
		{name: "flat after warm-up", series: flat, limit: 512 * mb},
		{name: "leak", series: leak, limit: 512 * mb, wantErr: "grew"},
		{name: "drift within the slack", series: drift, limit: 512 * mb},
		{name: "slow leak", series: slowLeak, limit: 512 * mb, wantErr: "grew"},
		{name: "above the bound", series: flat, limit: 32 * mb, wantErr: "above the bound"},
		{name: "too short", series: flat[:2], limit: 512 * mb, wantErr: "samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkFlat(tc.series, rssGrowth, rssSlack, tc.limit)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}
