package sdkcapture

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// pythonSDKs are the two sentry-python releases a team meets: Debian's 1.9
// (errors to the store endpoint) and the 2.x source tree beside the
// repository (errors in envelopes).
var pythonSDKs = []struct {
	name       string
	pythonPath string // relative; "" for Debian's own package
	version    string // prefix of the SDK version the events must carry
}{
	{name: "sentry-sdk-1.9", version: "1."},
	{name: "sentry-sdk-2.x", pythonPath: sdk2Path, version: "2."},
}

// sdkPythonPath resolves the PYTHONPATH of an SDK run. The 2.x tree is not
// part of the repository: without it the run skips locally, but CI, which
// checks out shared/ beside the clone, fails.
func sdkPythonPath(t *testing.T, rel string) string {
	t.Helper()
	if rel == "" {
		return ""
	}
	abs, err := filepath.Abs(rel)
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(abs, "sentry_sdk", "__init__.py")); err != nil {
		missing(t, fmt.Sprintf("sentry-python 2.x source tree not found at %s (the repository's ../shared/sdks/)", abs))
	}
	return abs
}

// requirePythonModules calls missing unless Debian's python
// can import every module.
func requirePythonModules(t *testing.T, mods ...string) {
	t.Helper()
	requireTool(t, debianPython, "Debian's python3 runs the Python SDKs")
	for _, mod := range mods {
		if err := exec.Command(debianPython, "-c", "import "+mod).Run(); err != nil {
			missing(t, "python module "+mod+" is not installed for "+debianPython)
		}
	}
}

// pythonEnv is a clean environment (cleanEnv) for a Python process, with
// pythonPath on PYTHONPATH when set, and no bytecode written into the
// repository or the shared SDK tree.
func pythonEnv(pythonPath string, extra ...string) []string {
	env := append([]string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"}, extra...)
	if pythonPath != "" {
		env = append(env, "PYTHONPATH="+pythonPath)
	}
	return cleanEnv(env...)
}

// freeAddr returns a loopback address nobody listens on. The program that
// is given it binds it itself; the window for a clash is tiny.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// startProcess starts cmd with its output collected, and stops it with
// SIGTERM (the graceful shutdown of redis, Celery and uvicorn) when the
// test ends, logging the output. The returned channel reports an early exit.
func startProcess(t *testing.T, name string, cmd func(ctx context.Context) *exec.Cmd) (<-chan error, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	c := cmd(ctx)
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 10 * time.Second
	if err := c.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	t.Cleanup(func() {
		cancel()
		err := <-exited
		t.Logf("%s (exit: %v) output:\n%s", name, err, out.String())
	})
	return exited, out
}

// waitFor polls ready until it is true, failing when the process exits or
// 20 seconds pass.
func waitFor(t *testing.T, name string, exited <-chan error, out *syncBuffer, ready func() bool) {
	t.Helper()
	for start := time.Now(); !ready(); {
		select {
		case err := <-exited:
			t.Fatalf("%s exited before it was ready (%v):\n%s", name, err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("%s not ready within 20s:\n%s", name, out.String())
		}
	}
}

// startRedis runs a throwaway redis-server on a free port, with nothing
// persisted, and returns its broker URL.
func startRedis(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	exited, out := startProcess(t, "redis-server", func(ctx context.Context) *exec.Cmd {
		return exec.CommandContext(ctx, "redis-server", "--bind", "127.0.0.1", "--port", port,
			"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	})
	waitFor(t, "redis-server", exited, out, func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	return "redis://" + addr + "/0"
}

// celeryCase is one task the test enqueues (python/celeryapp/enqueue.py)
// and the error event its failure must produce.
type celeryCase struct {
	task    string
	excType string
	runs    int // how often it is enqueued, each run one event
}

var celeryCases = []celeryCase{
	{task: "tasks.settle_order", excType: "ZeroDivisionError", runs: 2},
	// Retried twice before it gives up: the retries are control flow and
	// send nothing, so the task's three attempts are one event.
	{task: "tasks.charge_card", excType: "GatewayDown", runs: 1},
}

// TestCelery runs a prefork Celery worker against a real redis broker and
// checks that every failing task arrives named after the task, grouped into
// one issue per failure. The SDK is initialised from a worker signal, once
// from worker_init (Sentry's documented setup) and once from
// worker_process_init, as the Django guide shows. The second reports
// nothing (getsentry/sentry-python#1512); the test pins that, so a guide
// reader learns it here rather than from a silent error tracker.
func TestCelery(t *testing.T) {
	requirePythonModules(t, "sentry_sdk", "celery", "redis")
	requireTool(t, "redis-server", "Debian's redis-server is the Celery broker")
	for _, sdk := range pythonSDKs {
		for _, signal := range []string{"worker_init", "worker_process_init"} {
			t.Run(sdk.name+"/"+signal, func(t *testing.T) {
				t.Parallel()
				pythonPath := sdkPythonPath(t, sdk.pythonPath)
				in := startIngest(t)
				runCeleryTasks(t, in.DSN, pythonPath, signal)
				if signal == "worker_process_init" {
					// Every task has failed in the worker; give the SDK the
					// time it would need to send, then require silence.
					time.Sleep(2 * time.Second)
					assert.Empty(t, in.Lines(), "sentry_sdk.init in worker_process_init comes after the pool child built its tracers, so task errors go unreported; if they now arrive, the guide's setup works and this test should expect them")
					suitelog.Report(t, t.Name(), celeryRuns(), "task failures that sent no event")
					return
				}
				checkCeleryEvents(t, in, sdk.version)
			})
		}
	}
}

// celeryRuns is how many task runs fail for good.
func celeryRuns() int {
	n := 0
	for _, c := range celeryCases {
		n += c.runs
	}
	return n
}

// runCeleryTasks starts redis and a prefork worker that initialises the SDK
// from signal, enqueues python/celeryapp/enqueue.py's tasks and waits until
// the worker has failed every one of them. It returns the worker's output.
func runCeleryTasks(t *testing.T, dsn, pythonPath, signal string) *syncBuffer {
	t.Helper()
	broker := startRedis(t)
	env := pythonEnv(pythonPath, "SENTRY_DSN="+dsn, "CELERY_BROKER_URL="+broker, "SDKCAPTURE_SENTRY_SIGNAL="+signal)
	dir := filepath.Join("python", "celeryapp")

	exited, out := startProcess(t, "celery worker", func(ctx context.Context) *exec.Cmd {
		c := exec.CommandContext(ctx, debianPython, "-m", "celery", "-A", "tasks", "worker",
			"--pool=prefork", "-c", "1", "--loglevel=INFO", "--without-mingle", "--without-gossip",
			"-n", "sdkcapture@%h")
		c.Dir, c.Env = dir, env
		return c
	})
	waitFor(t, "celery worker", exited, out, func() bool {
		return strings.Contains(out.String(), "ready.")
	})

	enqueue := exec.Command(debianPython, "enqueue.py")
	enqueue.Dir, enqueue.Env = dir, env
	b, err := enqueue.CombinedOutput()
	require.NoError(t, err, "enqueue.py:\n%s", b)
	waitFor(t, "celery worker", exited, out, func() bool {
		return strings.Count(out.String(), "raised unexpected") >= celeryRuns()
	})
	assert.Equal(t, 2, strings.Count(out.String(), "Retry in"), "charge_card retries twice before it fails")
	return out
}

// checkCeleryEvents requires one event per failed task run at the ingest,
// named after its task, and one issue per task.
func checkCeleryEvents(t *testing.T, in *ingestProcess, sdkVersion string) {
	t.Helper()
	hashes := map[string][]string{} // task → group hash of each event
	var version string
	for _, a := range in.WaitEvents(t, celeryRuns(), 15*time.Second) {
		ev := a.Event
		require.NotNil(t, ev.SDK)
		assert.True(t, strings.HasPrefix(ev.SDK.Version, sdkVersion), "SDK version %q", ev.SDK.Version)
		version = ev.SDK.Version
		task := celeryTask(t, ev)
		// The worker names the event's transaction after the task.
		assert.Equal(t, task, ev.Transaction, "transaction of the %s event", task)
		id, ok := ev.Tags.Get("celery_task_id")
		assert.True(t, ok && id != "", "celery_task_id tag on the %s event", task)
		if assert.NotEmpty(t, ev.Exception.Values, "%s event has no exception", task) {
			exc := ev.Exception.Values[len(ev.Exception.Values)-1]
			for _, c := range celeryCases {
				if c.task == task {
					assert.Equal(t, c.excType, exc.Type, "exception of %s", task)
					assert.True(t, strings.HasPrefix(a.Line.Title, c.excType), "issue title %q of %s", a.Line.Title, task)
				}
			}
			// Nothing but Celery's own bookkeeping caught it.
			if assert.NotNil(t, exc.Mechanism, "mechanism of %s", task) {
				assert.Equal(t, "celery", exc.Mechanism.Type)
				if assert.NotNil(t, exc.Mechanism.Handled) {
					assert.False(t, *exc.Mechanism.Handled, "handled flag of %s", task)
				}
			}
		}
		hashes[task] = append(hashes[task], a.Line.Group)
	}

	issues := map[string]string{} // group hash → task
	checked := 0
	for _, c := range celeryCases {
		got := hashes[c.task]
		if !assert.Len(t, got, c.runs, "events of %s (tasks seen: %v)", c.task, keys(hashes)) {
			continue
		}
		for _, h := range got {
			assert.Equal(t, got[0], h, "runs of %s group into one issue", c.task)
			if prev, seen := issues[h]; seen {
				assert.Equal(t, c.task, prev, "%s groups into the issue of %s", c.task, prev)
			}
			issues[h] = c.task
			checked++
		}
	}
	assert.Len(t, issues, len(celeryCases), "one issue per failing task: %v", issues)
	suitelog.Report(t, t.Name(), checked, fmt.Sprintf("task failures of %d tasks at examples/ingest, in %d issues (sentry_sdk %s)", len(celeryCases), len(issues), version))
}

// celeryTask is the task name CeleryIntegration puts in the event's extra
// "celery-job".
func celeryTask(t *testing.T, ev *protocol.Event) string {
	t.Helper()
	extra, _, err := ev.Extra.Get()
	require.NoError(t, err, "extra of event %s", ev.EventID)
	raw, ok := extra["celery-job"]
	require.True(t, ok, "event %s has no celery-job extra (extra keys %v)", ev.EventID, keys(extra))
	var job struct {
		TaskName string `json:"task_name"`
	}
	require.NoError(t, json.Unmarshal(raw, &job, json.RejectUnknownMembers(false)))
	require.NotEmpty(t, job.TaskName, "celery-job of event %s names no task", ev.EventID)
	return job.TaskName
}

// syncBuffer is an output buffer a process writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
