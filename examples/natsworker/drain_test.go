package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
	"github.com/sentrywire/sentrywire/grouping"
)

var (
	drainN       = flag.Int("drain", 0, "TestDrainThroughput: envelopes to pre-load per run; 0 skips the test")
	drainRounds  = flag.Int("drain-rounds", 3, "TestDrainThroughput: runs per worker count; the median is reported")
	drainProfile = flag.String("drain-profile", "", "TestDrainThroughput: write each worker's CPU profile to this `DIR`")
)

// TestDrainThroughput measures how fast workers drain a pre-loaded work
// queue: N real-SDK error and message envelopes (one event each, grouped)
// in the stream, then 1 worker, then 2, each a process with GOMAXPROCS=1,
// timed from the first result to the last. It is a measurement, not a
// check, and runs only when asked:
//
//	go test ./examples/natsworker -run TestDrainThroughput -drain 20000 -v
//
// nats-server runs on the same machine and takes its share of the cores:
// the log gives the CPU each side used per event.
func TestDrainThroughput(t *testing.T) {
	if *drainN == 0 {
		t.Skip("a measurement: run with -run TestDrainThroughput -drain 20000 -v")
	}
	srv := startNATS(t)
	bin := programs(t)
	js := srv.connect(t)
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	var templates []*template
	for _, tp := range loadTemplates(t, cfg) {
		if tp.events {
			templates = append(templates, tp)
		}
	}
	require.NotEmpty(t, templates)
	results, err := js.CreateOrUpdateStream(t.Context(), natsqueue.ResultStreamConfig())
	require.NoError(t, err)
	queue, err := js.CreateOrUpdateStream(t.Context(), natsqueue.EnvelopeStreamConfig())
	require.NoError(t, err)

	rates := map[int][]float64{}
	for round := range *drainRounds {
		for _, workers := range []int{1, 2} {
			require.NoError(t, results.Purge(t.Context()))
			preload(t, js, templates, *drainN)
			serverCPU := cpuTime(t, srv.proc.cmd.Process.Pid)
			serverWait := runqueueWait(srv.proc.cmd.Process.Pid)
			var procs []*proc
			for i := range workers {
				args := []string{"-nats", srv.url()}
				if *drainProfile != "" {
					args = append(args, "-cpuprofile", filepath.Join(*drainProfile, fmt.Sprintf("worker-%d-of-%d-round-%d.pprof", i, workers, round)))
				}
				procs = append(procs, startProc(t, "drain-worker-"+strconv.Itoa(i), []string{"GOMAXPROCS=1"},
					filepath.Join(bin, "natsworker"), args...))
			}
			var first, last time.Time
			var atFirst uint64
			for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
				info, err := results.Info(t.Context())
				require.NoError(t, err)
				now := time.Now()
				if info.State.Msgs > 0 && first.IsZero() {
					first, atFirst = now, info.State.Msgs
				}
				if info.State.Msgs >= uint64(*drainN) {
					last = now
					break
				}
				require.True(t, now.Before(deadline), "drain stalled at %d of %d", info.State.Msgs, *drainN)
			}
			serverCPU = cpuTime(t, srv.proc.cmd.Process.Pid) - serverCPU
			serverWait = runqueueWait(srv.proc.cmd.Process.Pid) - serverWait
			var workerCPU, workerWait time.Duration
			for _, p := range procs {
				workerWait += runqueueWait(p.cmd.Process.Pid)
				p.stop(t)
				workerCPU += p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
			}
			events := float64(uint64(*drainN) - atFirst)
			rate := events / last.Sub(first).Seconds()
			rates[workers] = append(rates[workers], rate)
			t.Logf("round %d, %d worker(s): %.0f events/s (%.0f per worker); CPU per event: workers %v, nats-server %v; "+
				"waiting for a CPU (other load): workers %v, nats-server %v",
				round, workers, rate, rate/float64(workers),
				workerCPU/time.Duration(*drainN), serverCPU/time.Duration(*drainN),
				workerWait.Round(time.Millisecond), serverWait.Round(time.Millisecond))
			info, err := queue.Info(t.Context())
			require.NoError(t, err)
			require.Zero(t, info.State.Msgs, "envelopes left in the work queue")
		}
	}
	one, two := median(rates[1]), median(rates[2])
	t.Logf("median of %d rounds, %d envelopes each: 1 worker %.0f events/s; 2 workers %.0f events/s (%.0f per worker); ratio %.2fx",
		*drainRounds, *drainN, one, two, two/2, two/one)
}

// preload publishes n envelopes to the work queue as the ingest would,
// each with a fresh event id.
func preload(t *testing.T, js jetstream.JetStream, templates []*template, n int) {
	t.Helper()
	for i := range n {
		tp := templates[i%len(templates)]
		id := envelope.NewEventID()
		body := tp.withID(id)
		if tp.store {
			env, err := tp.parse(body)
			require.NoError(t, err)
			body, err = env.MarshalBinary()
			require.NoError(t, err)
		}
		m := nats.NewMsg(natsqueue.EnvelopeSubject + "42")
		m.Data = body
		m.Header.Set(natsqueue.HeaderProject, "42")
		_, err := js.PublishMsgAsync(m, jetstream.WithMsgID("42/"+id.String()))
		require.NoError(t, err)
		// In windows, below the client's limit on publishes in flight.
		if i%512 == 511 || i == n-1 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(time.Minute):
				t.Fatal("pre-loading did not finish")
			}
		}
	}
}

// cpuTime is the user and system CPU time a running process has used so
// far, from /proc.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	// The command name, in parentheses, may hold spaces; the fields after
	// it are fixed: utime and stime are the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, err := strconv.ParseInt(f[11], 10, 64)
	require.NoError(t, err)
	stime, err := strconv.ParseInt(f[12], 10, 64)
	require.NoError(t, err)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// runqueueWait is how long the threads of a process have waited for a
// CPU while ready to run, from /proc/PID/task/*/schedstat: on a machine
// shared with other work, the time the measurement lost to it. It is 0
// where the kernel does not keep the statistic.
func runqueueWait(pid int) time.Duration {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/schedstat")
	var sum time.Duration
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
