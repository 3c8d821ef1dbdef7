package sdkcapture

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// The interop suites run the repository's own programs, examples/ingest and
// examples/proxy, as a user would: built with go build and started as
// processes, each reading what the real SDKs send. What the ingest prints
// with -json (one line per event, with its issue's group hash) and what it
// writes with -dump (every accepted envelope) is what the suites assert on,
// so a test passes only when the program a user runs shows the SDK's errors
// as the right issues.

// repoRoot is the repository's root seen from this module.
const repoRoot = "../.."

var (
	programsOnce sync.Once
	programsDir  string
	programsErr  error
)

// program returns the path of examples/<name> built from this checkout,
// building all example programs once per test binary.
func program(t *testing.T, name string) string {
	t.Helper()
	programsOnce.Do(func() {
		programsDir, programsErr = os.MkdirTemp("", "sdkcapture-programs-")
		if programsErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", programsDir+string(os.PathSeparator),
			"./examples/ingest", "./examples/proxy")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			programsErr = &buildError{err: err, out: string(out)}
		}
	})
	require.NoError(t, programsErr, "building the example programs")
	return filepath.Join(programsDir, name)
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if programsDir != "" {
		os.RemoveAll(programsDir)
	}
	os.Exit(code)
}

// eventLine is one line of the ingest's -json output: an accepted error or
// message event and the issue it was grouped into.
type eventLine struct {
	EventID string `json:"event_id"`
	Group   string `json:"group"`
	Title   string `json:"title"`
	Culprit string `json:"culprit"`
	Level   string `json:"level"`
	Count   int    `json:"count"`

	// At is when the line reached the test.
	At time.Time `json:"-"`
}

// ingestProcess is a running examples/ingest.
type ingestProcess struct {
	// DSN is the DSN for SDKs, for project 42 with sdkcapture's fake key.
	DSN string
	// Base is the base URL of the envelope and OTLP endpoints.
	Base string
	// OTLP is the base URL of the endpoints on the separate OTLP listener.
	OTLP string

	dump   string
	stderr *syncBuffer

	mu      sync.Mutex
	lines   []eventLine
	arrived chan struct{}
}

var bannerDSN = regexp.MustCompile(`(?m)^DSN:\s+http://[0-9a-f]+@([0-9.:]+)/`)
var bannerOTLP = regexp.MustCompile(`(?m)^OTLP:\s+(http://[0-9.:]+)`)

// startIngest runs examples/ingest on free loopback ports with -json and
// -dump, and stops it with SIGINT when the test ends.
func startIngest(t *testing.T, args ...string) *ingestProcess {
	t.Helper()
	p := &ingestProcess{
		dump:    t.TempDir(),
		stderr:  &syncBuffer{},
		arrived: make(chan struct{}, 1),
	}
	args = append([]string{"-addr", "127.0.0.1:0", "-otlp-addr", "127.0.0.1:0", "-json", "-dump", p.dump}, args...)
	cmd := exec.Command(program(t, "ingest"), args...)
	cmd.Env = cleanEnv()
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	read := make(chan struct{})
	go func() {
		defer close(read)
		p.readLines(t, stdout)
	}()
	exited := make(chan error, 1)
	go func() { <-read; exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		var err error
		select {
		case err = <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			err = <-exited
		}
		// Real SDK traffic is never to be refused: a rejection is a
		// library bug or a broken SDK setup, whichever test it shows in.
		if n := strings.Count(p.stderr.String(), "msg=rejected"); n > 0 {
			t.Errorf("the ingest rejected %d request(s)", n)
		}
		if err != nil || t.Failed() {
			t.Logf("ingest (exit: %v) log:\n%s", err, p.stderr.String())
		}
	})

	for start := time.Now(); ; {
		log := p.stderr.String()
		if m := bannerDSN.FindStringSubmatch(log); m != nil {
			p.Base = "http://" + m[1]
			p.DSN = "http://" + PublicKey + "@" + m[1] + "/" + ProjectID
			if o := bannerOTLP.FindStringSubmatch(log); o != nil {
				p.OTLP = o[1]
			}
			return p
		}
		select {
		case err := <-exited:
			t.Fatalf("ingest exited before printing its DSN (%v):\n%s", err, log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("ingest printed no DSN within 20s:\n%s", log)
		}
	}
}

func (p *ingestProcess) readLines(t *testing.T, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l eventLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			// Reported, not fatal: this runs outside the test goroutine.
			t.Errorf("ingest -json printed a line that is not an event: %q: %v", sc.Text(), err)
			continue
		}
		l.At = time.Now()
		p.mu.Lock()
		p.lines = append(p.lines, l)
		p.mu.Unlock()
		select {
		case p.arrived <- struct{}{}:
		default:
		}
	}
}

// Lines returns the event lines printed so far.
func (p *ingestProcess) Lines() []eventLine {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

// WaitLines waits until at least n event lines were printed and then none
// for quiet, or until max has passed, and returns the lines.
func (p *ingestProcess) WaitLines(n int, quiet, max time.Duration) []eventLine {
	deadline := time.Now().Add(max)
	for {
		lines := p.Lines()
		enough := len(lines) >= n
		wait := time.Until(deadline)
		if enough {
			wait = min(wait, quiet)
		}
		if wait <= 0 {
			return lines
		}
		select {
		case <-p.arrived:
		case <-time.After(wait):
			if enough {
				return p.Lines()
			}
		}
	}
}

// Log is what the ingest logged so far: one line per item and per
// rejected request.
func (p *ingestProcess) Log() string { return p.stderr.String() }

// Envelopes parses every envelope the ingest dumped, in arrival order.
func (p *ingestProcess) Envelopes(t *testing.T) []*envelope.Envelope {
	t.Helper()
	entries, err := os.ReadDir(p.dump)
	require.NoError(t, err)
	var envs []*envelope.Envelope
	for _, e := range entries { // named by arrival time, so sorted
		b, err := os.ReadFile(filepath.Join(p.dump, e.Name()))
		require.NoError(t, err)
		env, err := envelope.Parse(b)
		require.NoError(t, err, "dumped envelope %s", e.Name())
		envs = append(envs, env)
	}
	return envs
}

// Items returns the payloads of every dumped item of type typ, in arrival
// order.
func (p *ingestProcess) Items(t *testing.T, typ envelope.ItemType) []*envelope.Item {
	t.Helper()
	var items []*envelope.Item
	for _, env := range p.Envelopes(t) {
		for _, it := range env.Items {
			if it.Type() == typ {
				items = append(items, it)
			}
		}
	}
	return items
}

// Events decodes every dumped error or message event, by event id.
func (p *ingestProcess) Events(t *testing.T) map[string]*protocol.Event {
	t.Helper()
	evs := map[string]*protocol.Event{}
	for _, it := range p.Items(t, envelope.TypeEvent) {
		ev, err := protocol.DecodeEvent(it.Payload())
		require.NoError(t, err)
		evs[ev.EventID.String()] = ev
	}
	return evs
}

// arrivedEvent is an event the ingest accepted: what it dumped and the line
// it printed about it.
type arrivedEvent struct {
	Event *protocol.Event
	Line  eventLine
}

// WaitEvents waits as WaitLines does, with a quiet time of half a second,
// and pairs every line with the event the ingest dumped, in the order of
// the lines.
func (p *ingestProcess) WaitEvents(t *testing.T, n int, max time.Duration) []arrivedEvent {
	t.Helper()
	lines := p.WaitLines(n, 500*time.Millisecond, max)
	events := p.Events(t)
	require.Len(t, events, len(lines), "one -json line per accepted event")
	arrived := make([]arrivedEvent, len(lines))
	for i, l := range lines {
		ev := events[l.EventID]
		require.NotNil(t, ev, "the ingest printed event %s but dumped no such event", l.EventID)
		arrived[i] = arrivedEvent{ev, l}
	}
	return arrived
}

// proxyProcess is a running examples/proxy.
type proxyProcess struct {
	// DSN is the DSN for SDKs that are to send through the proxy.
	DSN    string
	stderr *syncBuffer
}

var proxyListening = regexp.MustCompile(`msg=listening addr=([0-9.:]+)`)

// startProxy runs examples/proxy on a free loopback port in front of
// upstream (a base URL), and stops it with SIGINT when the test ends.
func startProxy(t *testing.T, upstream string, args ...string) *proxyProcess {
	t.Helper()
	p := &proxyProcess{stderr: &syncBuffer{}}
	args = append([]string{"-addr", "127.0.0.1:0", "-upstream", upstream}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, program(t, "proxy"), args...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 15 * time.Second
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		err := <-exited
		if errors.Is(err, context.Canceled) {
			err = nil // stopped by the SIGINT of Cancel, and exited cleanly
		}
		if err != nil || t.Failed() {
			t.Logf("proxy (exit: %v) log:\n%s", err, p.stderr.String())
		}
	})
	for start := time.Now(); ; {
		if m := proxyListening.FindStringSubmatch(p.stderr.String()); m != nil {
			p.DSN = "http://" + PublicKey + "@" + m[1] + "/" + ProjectID
			return p
		}
		select {
		case err := <-exited:
			t.Fatalf("proxy exited before listening (%v):\n%s", err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("proxy did not listen within 20s:\n%s", p.stderr.String())
		}
	}
}

// Log is what the proxy logged so far.
func (p *proxyProcess) Log() string { return p.stderr.String() }

// cleanEnv is the environment without the variables that would redirect or
// reconfigure an SDK or a program under test: an inherited SENTRY_* (a real
// DSN), DJANGO_*, CELERY_*, PYTHON*, OTEL_* or NODE_OPTIONS setting, or the
// ingest's own address (SENTRYWIRE_ADDR).
func cleanEnv(extra ...string) []string {
	env := slices.Clone(extra)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "SENTRY"), strings.HasPrefix(name, "DJANGO_"),
			strings.HasPrefix(name, "PYTHON"), strings.HasPrefix(name, "OTEL_"),
			strings.HasPrefix(name, "CELERY_"), strings.HasPrefix(name, "GUIDE_"),
			name == "NODE_OPTIONS":
			continue
		}
		env = append(env, kv)
	}
	return env
}
