package main

// The machinery the NATS tests share: a real nats-server and the ingest
// and worker programs, each a separate process, and the real-SDK
// envelopes they are fed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/internal/captures"
)

// natsServerBin finds nats-server: $NATS_SERVER, else on PATH. Without it
// the test fails, since CI installs it (install.sh beside this file);
// under -short it skips.
func natsServerBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NATS_SERVER"); p != "" {
		return p
	}
	p, err := exec.LookPath("nats-server")
	if err != nil {
		if testing.Short() {
			t.Skip("nats-server not installed (examples/natsworker/install.sh)")
		}
		t.Fatal("nats-server not installed: run examples/natsworker/install.sh, or set $NATS_SERVER")
	}
	return p
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// programs builds examples/ingest and this worker once per test binary and
// returns the directory that holds them.
func programs(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "natsworker-bin-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", buildDir+string(os.PathSeparator), "../ingest", ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return buildDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A proc is a program the test started, with its output in a file that a
// failing test prints.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProc(t *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	require.NoError(t, cmd.Start(), name)
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.signal(syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("--- %s (last 4000 bytes of its log):\n%s", name, b)
		}
	})
	return p
}

func (p *proc) signal(sig os.Signal) { _ = p.cmd.Process.Signal(sig) }

// stop sends SIGTERM and waits for the exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not stop on SIGTERM", p.name)
	}
}

// A natsServer is nats-server with JetStream on its own store directory.
// stop and start again keep the directory and the port, as a restart of
// the host's server would.
type natsServer struct {
	bin, dir string
	port     int
	proc     *proc
	starts   int
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	s := &natsServer{bin: natsServerBin(t), dir: t.TempDir(), port: freePort(t)}
	s.start(t)
	return s
}

func (s *natsServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

func (s *natsServer) start(t *testing.T) {
	t.Helper()
	s.starts++
	s.proc = startProc(t, "nats-server-"+strconv.Itoa(s.starts), nil, s.bin,
		"-js", "-sd", s.dir, "-a", "127.0.0.1", "-p", strconv.Itoa(s.port))
	// Ready when JetStream answers, which after a restart is after it has
	// recovered the streams from disk.
	deadline := time.Now().Add(15 * time.Second)
	for {
		nc, err := nats.Connect(s.url(), nats.Timeout(time.Second))
		if err == nil {
			js, _ := jetstream.New(nc)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err = js.AccountInfo(ctx)
			cancel()
			nc.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats-server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *natsServer) stop(t *testing.T) { s.proc.stop(t) }

// connect returns a JetStream client for the test's own reading and
// writing.
func (s *natsServer) connect(t *testing.T) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(s.url(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
	require.NoError(t, err)
	return js
}

// waitTCP waits until addr accepts connections.
func waitTCP(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not accept connections: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A template is a real SDK request whose event id the test replaces with
// a fresh one on every send, so that each envelope is distinct, as each
// event of a real SDK is.
type template struct {
	name    string
	path    string
	headers map[string]string // as sent, less Content-Length and Content-Encoding
	gzip    bool              // the SDK compressed it; the test does too
	store   bool
	body    []byte // decompressed, with oldID where the event id goes
	oldID   []byte
	events  bool // has an event item, which groups
	// want is expected(...) of the body with the probe id: the event id is
	// no input to grouping, which fits checks with a second id, so every
	// send of the template must group so.
	want map[int]result
}

// wantFor is the template's expected results for a send with event id id.
func (tp *template) wantFor(id envelope.EventID) map[int]result {
	out := make(map[int]result, len(tp.want))
	for i, r := range tp.want {
		r.EventID = id.String()
		out[i] = r
	}
	return out
}

// withID returns the template's body with a fresh event id.
func (tp *template) withID(id envelope.EventID) []byte {
	return bytes.ReplaceAll(tp.body, tp.oldID, []byte(id.String()))
}

// parse frames a body of the template as the ingest does.
func (tp *template) parse(body []byte) (*envelope.Envelope, error) {
	if tp.store {
		return envelope.ParseStore(body, "")
	}
	return envelope.Parse(body)
}

// loadTemplates reads the real SDK captures as templates. An envelope
// without an event id (sessions, logs, client reports) gets one in its
// header, which Relay allows on any envelope, so that its result can be
// told apart too. A capture whose event id cannot be replaced everywhere
// is left out, and the check below says so if that leaves too few.
func loadTemplates(t *testing.T, cfg *grouping.Config) []*template {
	t.Helper()
	reqs, err := captures.Load("../../envelope/testdata/sdk")
	require.NoError(t, err)
	var out []*template
	for _, r := range reqs {
		if r.Method != "POST" {
			continue
		}
		tp := &template{name: r.Name, path: r.Target(), store: r.IsStore(),
			gzip: r.Headers["Content-Encoding"] == "gzip", headers: map[string]string{}, body: r.Body}
		for k, v := range r.Headers {
			if k != "Content-Length" && k != "Content-Encoding" {
				tp.headers[k] = v
			}
		}
		env, err := tp.parse(tp.body)
		require.NoError(t, err, r.Name)
		id, ok := env.EventID()
		if !ok && !tp.store {
			id = envelope.NewEventID()
			env.SetEventID(id)
			tp.body, err = env.MarshalBinary()
			require.NoError(t, err, r.Name)
		}
		if !ok && tp.store {
			continue
		}
		tp.oldID = []byte(id.String())
		if tp.fits(t, cfg) {
			out = append(out, tp)
		}
	}
	require.GreaterOrEqual(t, len(out), 20, "too few usable captures")
	return out
}

// fits checks that a fresh id lands in the envelope header and in every
// event item, and that two ids group alike; it sets events and want.
func (tp *template) fits(t *testing.T, cfg *grouping.Config) bool {
	probe, other := envelope.NewEventID(), envelope.NewEventID()
	body := tp.withID(probe)
	env, err := tp.parse(body)
	if err != nil {
		return false
	}
	if tp.want, err = expected(cfg, tp, body, probe); err != nil {
		t.Logf("capture %s left out: %v", tp.name, err)
		return false
	}
	if w, err := expected(cfg, tp, tp.withID(other), other); err != nil || !equalGroups(w, tp.want) {
		t.Logf("capture %s left out: its event id changes its group", tp.name)
		return false
	}
	if id, ok := env.EventID(); !ok || id != probe {
		t.Logf("capture %s left out: its event id is not replaced in its header", tp.name)
		return false
	}
	for _, it := range env.Items {
		if it.Type() != envelope.TypeEvent && it.Type() != envelope.TypeTransaction {
			continue
		}
		ev, err := protocol.DecodeEvent(it.Payload())
		if err != nil || (!ev.EventID.IsZero() && ev.EventID != probe) {
			t.Logf("capture %s left out: its event's id is not the envelope's", tp.name)
			return false
		}
		tp.events = tp.events || it.Type() == envelope.TypeEvent
	}
	return true
}

// expected is what the single process makes of an envelope: per item
// index, the result a worker must publish, grouped by grouping.Config.Group
// here, in the test process, on the same bytes.
func expected(cfg *grouping.Config, tp *template, body []byte, id envelope.EventID) (map[int]result, error) {
	env, err := tp.parse(body)
	if err != nil {
		return nil, err
	}
	out := map[int]result{}
	for i, it := range env.Items {
		typ := it.Type()
		if typ != envelope.TypeEvent && typ != envelope.TypeTransaction {
			continue
		}
		r := result{Item: i, Type: string(typ), EventID: id.String()}
		if typ == envelope.TypeEvent {
			ev, err := protocol.DecodeEvent(it.Payload())
			if err != nil {
				return nil, err
			}
			g := cfg.Group(ev)
			r.Group, r.Title = g.Hashes[0], g.Title
		}
		out[i] = r
	}
	if len(out) == 0 {
		out[-1] = result{Item: -1, EventID: id.String()}
	}
	return out, nil
}

func equalGroups(a, b map[int]result) bool {
	if len(a) != len(b) {
		return false
	}
	for i, r := range a {
		if b[i].Group != r.Group || b[i].Title != r.Title || b[i].Type != r.Type {
			return false
		}
	}
	return true
}

// authHeader is the X-Sentry-Auth of a template that carries its
// credentials elsewhere or not at all.
var authHeader = "Sentry sentry_key=0123456789abcdef0123456789abcdef, sentry_version=" + strconv.Itoa(dsn.ProtocolVersion)

// readResults reads the results stream from the start until stop is
// closed, into got, keyed by event id.
func readResults(t *testing.T, js jetstream.JetStream, got *resultSet, stop <-chan struct{}) {
	t.Helper()
	ctx := context.Background()
	cons, err := js.OrderedConsumer(ctx, natsqueue.ResultStream, jetstream.OrderedConsumerConfig{})
	require.NoError(t, err)
	it, err := cons.Messages()
	require.NoError(t, err)
	go func() { <-stop; it.Stop() }()
	go func() {
		for {
			m, err := it.Next()
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			if err != nil {
				continue // a reconnect; the ordered consumer resumes
			}
			got.add(m.Data())
		}
	}()
}

// resultSet collects results by event id.
type resultSet struct {
	mu     sync.Mutex
	byID   map[string][]result
	n      int
	broken []string
}

func newResultSet() *resultSet { return &resultSet{byID: map[string][]result{}} }

func (s *resultSet) add(data []byte) {
	var r result
	err := json.Unmarshal(data, &r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if err != nil {
		s.broken = append(s.broken, string(data))
		return
	}
	s.byID[r.EventID] = append(s.byID[r.EventID], r)
}

func (s *resultSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// missing counts the event ids in want that have no result yet.
func (s *resultSet) missing(want []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range want {
		if len(s.byID[id]) == 0 {
			n++
		}
	}
	return n
}

// summary is a line for the log.
func (s *resultSet) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	dups := 0
	for _, rs := range s.byID {
		seen := map[int]bool{}
		for _, r := range rs {
			if seen[r.Item] {
				dups++
			}
			seen[r.Item] = true
		}
	}
	return fmt.Sprintf("%d results for %d event ids, %d duplicates", s.n, len(s.byID), dups)
}
