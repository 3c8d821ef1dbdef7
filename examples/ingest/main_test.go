package main

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/internal/captures"
)

const (
	testKey  = "0123456789abcdef0123456789abcdef"
	testAuth = "Sentry sentry_key=" + testKey + ", sentry_version=7"
)

// logLines collects what the handler logs, as JSON lines. The handler logs
// on the server's goroutines, hence the lock.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// records returns the log records with the given message, each as its
// attributes; time and level are left out so that tests compare the rest.
func (l *logLines) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		if rec["msg"] != msg {
			continue
		}
		delete(rec, "time")
		delete(rec, "level")
		delete(rec, "msg")
		out = append(out, rec)
	}
	return out
}

func newTestServer(t *testing.T, opts ...option) (*httptest.Server, *logLines) {
	t.Helper()
	srv, logs, _ := newTrackedServer(t, nil, opts...)
	return srv, logs
}

// testGrouping is the grouping config of every test server, compiled once
// as the command compiles it once.
var testGrouping = sync.OnceValues(func() (*grouping.Config, error) {
	return grouping.NewConfig(grouping.DefaultConfig)
})

// newTrackedServer is newTestServer with the issue tracker the command
// uses, which writes -json lines to jsonOut if it is not nil.
func newTrackedServer(t *testing.T, jsonOut io.Writer, opts ...option) (*httptest.Server, *logLines, *tracker) {
	t.Helper()
	cfg, err := testGrouping()
	require.NoError(t, err)
	issues := newTracker(cfg, jsonOut)
	logs := new(logLines)
	opts = append([]option{withTracker(issues)}, opts...)
	srv := httptest.NewServer(newHandler(slog.New(slog.NewJSONHandler(logs, nil)), opts...))
	t.Cleanup(srv.Close)
	return srv, logs, issues
}

// send sends a request and returns the answer's status, header and body.
func send(t *testing.T, srv *httptest.Server, method, target string, header http.Header, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+target, body)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func loadCaptures(t *testing.T) []captures.Request {
	t.Helper()
	reqs, err := captures.Load("../../envelope/testdata/sdk")
	require.NoError(t, err)
	return reqs
}

// wantItemLogs is what the handler should log for env, worked out from the
// envelope's headers directly.
func wantItemLogs(t *testing.T, env *envelope.Envelope, auth, client string) []map[string]any {
	t.Helper()
	var sdk string
	if raw := env.Get("sdk"); raw != nil {
		var s struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		}
		require.NoError(t, json.Unmarshal(raw, &s, json.RejectUnknownMembers(false)))
		sdk = s.Name + "/" + s.Version
	}
	var out []map[string]any
	for i, it := range env.Items {
		rec := map[string]any{
			"project": "42",
			"auth":    auth,
			"item":    float64(i),
			"type":    string(it.Type()),
			"size":    float64(len(it.Payload())),
		}
		if sdk != "" {
			rec["sdk"] = sdk
		}
		if client != "" {
			rec["client"] = client
		}
		for _, key := range []string{"content_type", "filename", "attachment_type"} {
			if v, ok := it.GetString(key); ok {
				rec[key] = v
			}
		}
		if n, ok := it.GetInt("item_count"); ok && strings.HasPrefix(it.ContentType(), "application/vnd.sentry.items.") {
			rec["item_count"] = float64(n)
		}
		out = append(out, rec)
	}
	return out
}

// TestCaptures replays every request recorded from a real SDK, with its
// method, path, query and headers, and checks the answer and the log.
func TestCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			srv, logs := newTestServer(t)
			header := http.Header{}
			for k, v := range c.Headers {
				if k != "Host" && k != "Content-Length" {
					header.Set(k, v)
				}
			}
			target := c.Path
			if c.Query != "" {
				target += "?" + c.Query
			}
			code, _, body := send(t, srv, c.Method, target, header, bytes.NewReader(c.Raw))
			require.Equal(t, http.StatusOK, code, body)

			// The SDKs send the same credentials, in the query (Node) or
			// in X-Sentry-Auth (the others).
			authSource, client := "x-sentry-auth", ""
			if strings.Contains(c.Query, "sentry_key=") {
				authSource = "query"
				q, err := url.ParseQuery(c.Query)
				require.NoError(t, err)
				client = q.Get("sentry_client")
			} else {
				a, err := dsn.ParseAuthHeader(c.Headers["X-Sentry-Auth"])
				require.NoError(t, err)
				client = a.Client
			}
			var want *envelope.Envelope
			var err error
			if strings.HasSuffix(c.Path, "/store/") {
				want, err = envelope.ParseStore(c.Body, client)
			} else {
				want, err = envelope.Parse(c.Body)
			}
			require.NoError(t, err)

			wantBody := "{}"
			if id, ok := want.GetString("event_id"); ok {
				wantBody = `{"id":"` + id + `"}`
			}
			assert.Equal(t, wantBody, body)
			assert.Equal(t, wantItemLogs(t, want, authSource, client), logs.records(t, "item"))
			assert.Empty(t, logs.records(t, "rejected"))
		})
	}
}

// gzipBomb returns a gzip stream of n zero bytes, about a thousandth of n in
// size, made by streaming the zeros through the compressor.
func gzipBomb(t *testing.T, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := io.Copy(zw, io.LimitReader(zeros{}, n))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestErrors(t *testing.T) {
	event := "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\"}\n{\"message\":\"hi\"}\n"
	auth := http.Header{"X-Sentry-Auth": {testAuth}}
	tests := []struct {
		name   string
		method string
		target string
		header http.Header
		body   string
		status int
		detail string // the "detail" of Relay's error body
	}{
		{"upper-case Content-Encoding", "POST", "/api/42/envelope/",
			http.Header{"X-Sentry-Auth": {testAuth}, "Content-Encoding": {"GZIP"}}, event,
			http.StatusUnsupportedMediaType, ""},
		{"empty body", "POST", "/api/42/envelope/", auth, "",
			http.StatusBadRequest, "empty request body"},
		{"no credentials", "POST", "/api/42/envelope/", nil, "{}\n{\"type\":\"event\"}\n{}\n",
			http.StatusUnauthorized, ""},
		{"credentials in the header and the query", "POST", "/api/42/envelope/?sentry_key=" + testKey, auth, event,
			http.StatusUnauthorized, ""},
		{"project id not a number", "POST", "/api/abc/envelope/", auth, event,
			http.StatusBadRequest, ""},
		{"envelope DSN of another project", "POST", "/api/42/envelope/", auth,
			"{\"dsn\":\"https://" + testKey + "@o1.ingest.sentry.io/43\"}\n{\"type\":\"event\"}\n{}\n",
			http.StatusBadRequest, "invalid event envelope"},
		{"tunnel to another project", "POST", "/api/42/envelope/", nil,
			"{\"dsn\":\"https://" + testKey + "@o1.ingest.sentry.io/43\"}\n{\"type\":\"event\"}\n{}\n",
			http.StatusBadRequest, "invalid event envelope"},
		{"two events", "POST", "/api/42/envelope/", auth,
			"{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n",
			http.StatusRequestEntityTooLarge, "envelope exceeded size limits for type 'event' (https://develop.sentry.dev/sdk/envelopes/#size-limits)"},
		{"bad framing", "POST", "/api/42/envelope/", auth, "{}\n\n",
			http.StatusBadRequest, "invalid event envelope"},
		{"store body not JSON", "POST", "/api/42/store/", auth, "{not json",
			http.StatusBadRequest, "invalid JSON data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := newTestServer(t)
			code, header, body := send(t, srv, tt.method, tt.target, tt.header, strings.NewReader(tt.body))
			assert.Equal(t, tt.status, code, body)
			if code == http.StatusUnsupportedMediaType {
				assert.Equal(t, envelope.AcceptEncoding, header.Get("Accept-Encoding"))
			}
			var answer struct {
				Detail string   `json:"detail"`
				Causes []string `json:"causes"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &answer), body)
			assert.NotEmpty(t, answer.Detail)
			if tt.detail != "" {
				assert.Equal(t, tt.detail, answer.Detail)
			}
			rejected := logs.records(t, "rejected")
			require.Len(t, rejected, 1)
			assert.Equal(t, float64(tt.status), rejected[0]["status"])
			assert.Equal(t, tt.target[:strings.IndexByte(tt.target+"?", '?')], rejected[0]["path"])
			assert.NotEmpty(t, rejected[0]["error"])
			assert.Empty(t, logs.records(t, "item"))
		})
	}
}

func TestNotRouted(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tt := range []struct {
		method, target string
		status         int
	}{
		{"POST", "/api/42/envelope/extra", http.StatusNotFound},
		{"POST", "/api/42/minidump/", http.StatusNotFound},
		{"PUT", "/api/42/envelope/", http.StatusMethodNotAllowed},
		{"GET", "/api/42/envelope/", http.StatusMethodNotAllowed},
	} {
		code, _, _ := send(t, srv, tt.method, tt.target, nil, strings.NewReader("{}\n"))
		assert.Equal(t, tt.status, code, "%s %s", tt.method, tt.target)
	}
}

// TestAccepted covers the routes and credential carriers the captures do
// not: a browser tunnel, the legacy store route and a GET beacon.
func TestAccepted(t *testing.T) {
	const id = "9ec79c33ec9942ab8353589fcb2e04dc"
	storeEvent := `{"event_id":"` + id + `","message":"hi"}`
	tests := []struct {
		name   string
		method string
		target string
		header http.Header
		body   string
		answer string
		logs   []map[string]any
	}{
		{"tunnel: authenticated by the envelope's DSN", "POST", "/api/42/envelope/", nil,
			"{\"event_id\":\"" + id + "\",\"dsn\":\"http://" + testKey + "@127.0.0.1:8000/42\",\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"10.0.0\"}}\n" +
				"{\"type\":\"event\"}\n{}\n" +
				"{\"type\":\"attachment\",\"length\":2,\"filename\":\"a.txt\",\"content_type\":\"text/plain\"}\nab\n" +
				"{\"type\":\"log\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n{\"items\":[{},{}]}\n",
			`{"id":"` + id + `"}`,
			[]map[string]any{
				{"project": "42", "auth": "envelope-header", "sdk": "sentry.javascript.browser/10.0.0", "item": 0.0, "type": "event", "size": 2.0},
				{"project": "42", "auth": "envelope-header", "sdk": "sentry.javascript.browser/10.0.0", "item": 1.0, "type": "attachment",
					"content_type": "text/plain", "filename": "a.txt", "size": 2.0},
				{"project": "42", "auth": "envelope-header", "sdk": "sentry.javascript.browser/10.0.0", "item": 2.0, "type": "log",
					"content_type": "application/vnd.sentry.items.log+json", "size": 17.0, "item_count": 2.0},
			}},
		{"envelope without an event", "POST", "/api/42/envelope/", http.Header{"Authorization": {testAuth}},
			"{}\n{\"type\":\"session\"}\n{\"sid\":\"x\"}\n",
			`{}`,
			[]map[string]any{{"project": "42", "auth": "authorization", "item": 0.0, "type": "session", "size": 11.0}}},
		{"legacy store route", "POST", "/api/store/", http.Header{"X-Sentry-Auth": {testAuth + ", sentry_client=raven-go/0.2"}},
			storeEvent,
			`{"id":"` + id + `"}`,
			[]map[string]any{{"project": "0", "auth": "x-sentry-auth", "client": "raven-go/0.2", "item": 0.0, "type": "event", "size": float64(len(storeEvent))}}},
		{"store beacon", "GET", "/api/42/store/?sentry_version=7&sentry_key=" + testKey + "&sentry_data=" + strings.ReplaceAll(storeEvent, `"`, "%22"), nil,
			"",
			`{"id":"` + id + `"}`,
			[]map[string]any{{"project": "42", "auth": "query", "item": 0.0, "type": "event", "size": float64(len(storeEvent))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := newTestServer(t)
			code, _, body := send(t, srv, tt.method, tt.target, tt.header, strings.NewReader(tt.body))
			require.Equal(t, http.StatusOK, code, body)
			assert.Equal(t, tt.answer, body)
			assert.Equal(t, tt.logs, logs.records(t, "item"))
		})
	}
}

// TestGzipBomb sends a small body that inflates far beyond the envelope
// limit. The handler must stop inflating at the limit: the answer comes
// quickly and the process allocates a bounded amount, far less than the
// bomb's inflated size.
func TestGzipBomb(t *testing.T) {
	const (
		limit    = 1 << 20
		inflated = 64 << 20
	)
	limits := envelope.DefaultLimits()
	limits.MaxEnvelopeSize = limit
	srv, logs := newTestServer(t, withEnvelopeOptions(envelope.WithLimits(limits)))
	bomb := gzipBomb(t, inflated)
	require.Less(t, len(bomb), inflated/500, "not much of a bomb")

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	code, _, body := send(t, srv, "POST", "/api/42/envelope/",
		http.Header{"X-Sentry-Auth": {testAuth}, "Content-Encoding": {"gzip"}}, bytes.NewReader(bomb))
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	assert.Equal(t, http.StatusRequestEntityTooLarge, code, body)
	assert.Less(t, elapsed, 5*time.Second)
	// Everything this process allocated while the request was served, the
	// client's side included: a few times the limit at most, never the
	// inflated size.
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(8*limit), "allocated %d bytes", allocated)
	t.Logf("413 after %v, %d bytes allocated", elapsed, allocated)
	require.Len(t, logs.records(t, "rejected"), 1)
}

func TestDump(t *testing.T) {
	dir := t.TempDir()
	srv, logs := newTestServer(t, withDumpDir(dir))
	// Whitespace and key order the SDK chose must survive into the dump.
	body := "{\"event_id\": \"9ec79c33ec9942ab8353589fcb2e04dc\", \"x\":1}\n{\"type\":\"event\",\"length\":2}\n{}\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write([]byte(body))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	header := http.Header{"X-Sentry-Auth": {testAuth}, "Content-Encoding": {"gzip"}}
	for range 2 {
		code, _, answer := send(t, srv, "POST", "/api/42/envelope/", header, bytes.NewReader(gz.Bytes()))
		require.Equal(t, http.StatusOK, code, answer)
	}
	code, _, _ := send(t, srv, "POST", "/api/42/envelope/", header, strings.NewReader("not gzip"))
	require.Equal(t, http.StatusBadRequest, code)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "one file per accepted envelope")
	dumped := logs.records(t, "dumped")
	require.Len(t, dumped, 2)
	for i, e := range entries {
		assert.Regexp(t, regexp.MustCompile(`^\d+-42\.envelope$`), e.Name())
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.Equal(t, body, string(got))
		assert.Contains(t, []any{dumped[0]["file"], dumped[1]["file"]}, filepath.Join(dir, e.Name()), "entry %d", i)
	}
}

func TestDumpFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	srv, logs := newTestServer(t, withDumpDir(dir))
	code, _, body := send(t, srv, "POST", "/api/42/envelope/", http.Header{"X-Sentry-Auth": {testAuth}},
		strings.NewReader("{}\n{\"type\":\"event\"}\n{}\n"))
	assert.Equal(t, http.StatusInternalServerError, code, body)
	assert.Len(t, logs.records(t, "dump failed"), 1)
	assert.Empty(t, logs.records(t, "item"), "a request answered 500 was not accepted")
}

func TestConfig(t *testing.T) {
	// base is the configuration with every default but the given fields.
	base := func(c config) config {
		if c.otlpAddr == "" {
			c.otlpAddr = defaultOTLPAddr
		}
		if c.grouping == "" {
			c.grouping = grouping.DefaultConfig
		}
		if c.limits == (envelope.Limits{}) {
			c.limits = envelope.DefaultLimits()
		}
		return c
	}
	small := envelope.DefaultLimits()
	small.MaxEnvelopeSize, small.MaxEventSize = 1000, 500
	tests := []struct {
		name string
		args []string
		env  string
		want config
	}{
		{"defaults", nil, "", base(config{addr: "127.0.0.1:8000"})},
		{"environment", nil, "127.0.0.1:9000", base(config{addr: "127.0.0.1:9000"})},
		{"flag", []string{"-addr", ":7000"}, "", base(config{addr: ":7000"})},
		{"flag beats environment", []string{"-addr", ":7000", "-dump", "d"}, "127.0.0.1:9000", base(config{addr: ":7000", dumpDir: "d"})},
		{"flag equal to the default still beats environment", []string{"-addr=127.0.0.1:8000"}, "127.0.0.1:9000", base(config{addr: "127.0.0.1:8000"})},
		{"no OTLP port", []string{"-otlp-addr="}, "", config{addr: defaultAddr, otlpAddrFlag: true, grouping: grouping.DefaultConfig, limits: envelope.DefaultLimits()}},
		{"OTLP port, json, older grouping", []string{"-otlp-addr", ":4319", "-json", "-grouping-config", grouping.Newstyle2023}, "",
			base(config{addr: defaultAddr, otlpAddr: ":4319", otlpAddrFlag: true, json: true, grouping: grouping.Newstyle2023})},
		{"limits", []string{"-max-envelope-size", "1000", "-max-event-size=500"}, "", base(config{addr: defaultAddr, limits: small})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == addrEnv {
					return tt.env
				}
				return ""
			}
			var stderr bytes.Buffer
			got, err := parseConfig(tt.args, getenv, &stderr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Empty(t, stderr.String())
		})
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"extra"}, os.Getenv, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "usage: ingest")
	stderr.Reset()
	assert.Equal(t, 2, run([]string{"-grouping-config", "legacy:2019-03-12"}, os.Getenv, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "unknown config")
	assert.Empty(t, stdout.String())
}

// freePort returns a port nothing listens on right now. Listening on :0
// and passing that to the binary would leave the test unable to learn
// the port without reading the log, so the test picks one.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestBinary builds the command, serves an envelope with it and stops it
// with SIGINT, as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	bin := filepath.Join(t.TempDir(), "ingest")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	addr, otlpAddr := freePort(t), freePort(t)
	dump := filepath.Join(t.TempDir(), "dump")
	cmd := exec.Command(bin, "-addr", addr, "-otlp-addr", otlpAddr, "-dump", dump)
	cmd.Env = append(os.Environ(), addrEnv+"=127.0.0.1:1") // the flag wins
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	stdoutPipe, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// stdout is a pipe, not a terminal: it gets the banner at start and
	// the table at the end, nothing in between.
	stdout := make(chan string)
	go func() {
		b, _ := io.ReadAll(stdoutPipe)
		stdout <- string(b)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // if the test fails before the SIGINT

	// The log tells when the server listens; collect all of it for the end.
	logs := make(chan string)
	listening := make(chan struct{})
	go func() {
		var all strings.Builder
		var once sync.Once
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			// The OTLP port listens before the main one is announced.
			if strings.Contains(sc.Text(), "msg=listening ") {
				once.Do(func() { close(listening) })
			}
		}
		logs <- all.String()
	}()
	select {
	case <-listening:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start listening")
	}

	env := "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\"}\n{\"message\":\"hello\"}\n"
	req, err := http.NewRequest("POST", "http://"+addr+"/api/42/envelope/", strings.NewReader(env))
	require.NoError(t, err)
	req.Header.Set("X-Sentry-Auth", testAuth)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"id":"9ec79c33ec9942ab8353589fcb2e04dc"}`, string(answer))

	// OTLP's own port takes a trace with an exception, which becomes an
	// issue of its own.
	resp, err = http.Post("http://"+otlpAddr+"/v1/traces", "application/json", strings.NewReader(otlpTrace))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	// The log ends when the process exits and its stderr closes. Wait
	// closes the pipe too, so it must come after the last read: called
	// earlier, it can cut off the last lines.
	var log string
	select {
	case log = <-logs:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop on SIGINT")
	}
	var printed string
	select {
	case printed = <-stdout:
	case <-time.After(30 * time.Second):
		t.Fatal("stdout did not close")
	}
	require.NoError(t, cmd.Wait(), "exit status; log:\n%s", log)
	assert.Contains(t, log, "msg=\"listening for OTLP\" addr="+otlpAddr+"\n")
	lines := strings.Split(strings.TrimSuffix(printed, "\n"), "\n")
	require.Len(t, lines, 7, "stdout:\n%s", printed)
	assert.Equal(t, "DSN:  http://"+dsnKey+"@"+addr+"/1", lines[0])
	assert.Equal(t, "OTLP: http://"+otlpAddr+"  (OTEL_EXPORTER_OTLP_ENDPOINT; /v1/traces, /v1/logs)", lines[1])
	assert.Empty(t, lines[2])
	assert.Regexp(t, `^GROUP +EVENTS +LEVEL +LAST SEEN +TITLE +CULPRIT$`, lines[3])
	assert.Regexp(t, `^[0-9a-f]{12} +1 +error +\d\d:\d\d:\d\d +DeadlockError: deadlock detected +GET /orders$`, lines[4])
	assert.Regexp(t, `^[0-9a-f]{12} +1 +error +\d\d:\d\d:\d\d +hello +$`, lines[5])
	assert.Equal(t, "issues 2 · transactions 1 · spans 0 · sessions 0 · check-ins 0 · logs 0 · rejected requests 0", lines[6])
	assert.Contains(t, log, "msg=item project=42 auth=x-sentry-auth item=0 type=event size=19\n")
	assert.Contains(t, log, "msg=\"shutting down\"")
	files, err := filepath.Glob(filepath.Join(dump, "*-42.envelope"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	dumped, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Equal(t, env, string(dumped))
}
