package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is the -json output of a test server, written by its
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines(t *testing.T) []eventLine {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []eventLine
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var l eventLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		out = append(out, l)
	}
	return out
}

// exceptionEvent is an error event as sentry-python sends it, with an
// in-app frame, so that the stack trace and not the message decides the
// group.
func exceptionEvent(id, typ, value string) string {
	return `{"event_id":"` + id + `","level":"error","platform":"python","exception":{"values":[{"type":"` + typ + `","value":"` + value + `",` +
		`"stacktrace":{"frames":[{"function":"divide","module":"shop.views","filename":"shop/views.py","abs_path":"/app/shop/views.py","lineno":12,"in_app":true}]}}]}}`
}

func eventEnvelope(payload string) string {
	return "{}\n{\"type\":\"event\"}\n" + payload + "\n"
}

// TestIssues sends events one after the other and checks, per event,
// the -json line, then the issue table they make.
func TestIssues(t *testing.T) {
	buf := new(syncBuffer)
	srv, _, issues := newTrackedServer(t, buf)
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	issues.now = func() time.Time { clock = clock.Add(time.Second); return clock }

	auth := http.Header{"X-Sentry-Auth": {testAuth}}
	steps := []struct {
		name    string
		path    string
		header  http.Header
		body    string
		title   string
		level   string
		count   int
		sameAs  int // the step whose group this event joins, or -1
		culprit string
	}{
		{"first ZeroDivisionError", "/api/42/envelope/", auth,
			eventEnvelope(exceptionEvent("11111111111111111111111111111111", "ZeroDivisionError", "division by zero")),
			"ZeroDivisionError: division by zero", "error", 1, -1, "shop.views in divide"},
		{"same exception, another message and id", "/api/42/envelope/", auth,
			eventEnvelope(exceptionEvent("22222222222222222222222222222222", "ZeroDivisionError", "integer division or modulo by zero")),
			"ZeroDivisionError: integer division or modulo by zero", "error", 2, 0, "shop.views in divide"},
		{"another exception", "/api/42/envelope/", auth,
			eventEnvelope(exceptionEvent("33333333333333333333333333333333", "KeyError", "'user'")),
			"KeyError: 'user'", "error", 1, -1, "shop.views in divide"},
		{"the first exception through /store/", "/api/42/store/", auth,
			exceptionEvent("44444444444444444444444444444444", "ZeroDivisionError", "division by zero"),
			"ZeroDivisionError: division by zero", "error", 3, 0, "shop.views in divide"},
		{"a message at warning", "/api/42/envelope/", auth,
			eventEnvelope(`{"event_id":"55555555555555555555555555555555","level":"warning","message":"disk almost full"}`),
			"disk almost full", "warning", 1, -1, ""},
		{"an exception recorded on an OTLP span", "/v1/traces", http.Header{"Content-Type": {"application/json"}},
			otlpTrace, "DeadlockError: deadlock detected", "error", 1, -1, "GET /orders"},
	}
	var groups []string
	for i, st := range steps {
		code, _, body := send(t, srv, http.MethodPost, st.path, st.header, strings.NewReader(st.body))
		require.Equal(t, http.StatusOK, code, "%s: %s", st.name, body)
		lines := buf.lines(t)
		require.Len(t, lines, i+1, st.name)
		got := lines[i]
		assert.Equal(t, st.title, got.Title, st.name)
		assert.Equal(t, st.level, got.Level, st.name)
		assert.Equal(t, st.count, got.Count, st.name)
		if st.culprit != "" {
			assert.Equal(t, st.culprit, got.Culprit, st.name)
		}
		assert.Regexp(t, `^[0-9a-f]{32}$`, got.Group, st.name)
		assert.Regexp(t, `^[0-9a-f]{32}$`, got.EventID, st.name)
		if st.sameAs >= 0 {
			assert.Equal(t, groups[st.sameAs], got.Group, st.name)
		} else {
			assert.NotContains(t, groups, got.Group, st.name)
		}
		if i < 5 {
			assert.Equal(t, strings.Repeat(fmt.Sprint(i+1), 32), got.EventID, st.name)
		}
		groups = append(groups, got.Group)
	}

	list, counts, _ := issues.snapshot()
	var titles []string
	var events []int
	for _, is := range list {
		titles = append(titles, is.Title)
		events = append(events, is.Count)
	}
	// Newest last seen first; an issue shows its latest event's title.
	assert.Equal(t, []string{"DeadlockError: deadlock detected", "disk almost full", "ZeroDivisionError: division by zero", "KeyError: 'user'"}, titles)
	assert.Equal(t, []int{1, 1, 3, 1}, events)
	assert.Equal(t, list[2].FirstSeen.Add(3*time.Second), list[2].LastSeen)
	assert.Equal(t, int64(1), counts.Transactions, "the OTLP server span's transaction")
}

// TestCounts checks what each kind of item adds to the counts line.
func TestCounts(t *testing.T) {
	auth := http.Header{"X-Sentry-Auth": {testAuth}}
	tests := []struct {
		name string
		path string
		hdr  http.Header
		body string
		want counts
	}{
		{"transaction", "/api/42/envelope/", auth,
			"{}\n{\"type\":\"transaction\"}\n{\"type\":\"transaction\",\"spans\":[{},{}]}\n", counts{Transactions: 1}},
		{"span v2 container", "/api/42/envelope/", auth,
			"{}\n{\"type\":\"span\",\"item_count\":3,\"content_type\":\"application/vnd.sentry.items.span.v2+json\"}\n{\"items\":[{},{},{}]}\n", counts{Spans: 3}},
		{"standalone span", "/api/42/envelope/", auth, "{}\n{\"type\":\"span\"}\n{}\n", counts{Spans: 1}},
		{"sessions and a check-in", "/api/42/envelope/", auth,
			"{}\n{\"type\":\"session\"}\n{}\n{\"type\":\"sessions\"}\n{}\n{\"type\":\"check_in\"}\n{}\n", counts{Sessions: 2, CheckIns: 1}},
		{"log container", "/api/42/envelope/", auth,
			"{}\n{\"type\":\"log\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n{\"items\":[{},{}]}\n", counts{Logs: 2}},
		{"OTLP logs", "/v1/logs", http.Header{"Content-Type": {"application/json"}},
			`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"}},{"body":{"stringValue":"b"}}]}]}]}`, counts{Logs: 2}},
		{"rejected envelope", "/api/42/envelope/", nil, "{}\n{\"type\":\"event\"}\n{}\n", counts{Rejected: 1}},
		{"rejected OTLP", "/v1/traces", http.Header{"Content-Type": {"text/plain"}}, "hi", counts{Rejected: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, issues := newTrackedServer(t, nil)
			send(t, srv, http.MethodPost, tt.path, tt.hdr, strings.NewReader(tt.body))
			list, got, _ := issues.snapshot()
			assert.Equal(t, tt.want, got)
			assert.Empty(t, list)
		})
	}
}

// TestUndecodableEvent: an event item that frames but is not a JSON
// object is accepted, as Relay accepts it before processing, but groups
// into nothing and says so in the log.
func TestUndecodableEvent(t *testing.T) {
	srv, logs, issues := newTrackedServer(t, nil)
	code, _, body := send(t, srv, http.MethodPost, "/api/42/envelope/", http.Header{"X-Sentry-Auth": {testAuth}},
		strings.NewReader("{}\n{\"type\":\"event\"}\n[1]\n{\"type\":\"check_in\"}\n{}\n"))
	require.Equal(t, http.StatusOK, code, body)
	list, c, _ := issues.snapshot()
	assert.Empty(t, list)
	assert.Equal(t, counts{CheckIns: 1}, c)
	assert.Len(t, logs.records(t, "event not grouped"), 1)
}

func TestTable(t *testing.T) {
	at := func(s int) time.Time { return time.Date(2026, 1, 1, 12, 0, s, 0, time.UTC) }
	list := []issue{
		{Hash: "aaaaaaaaaaaabbbbbbbbbbbbbbbbbbbb", Count: 3, Level: "error", Title: "ZeroDivisionError: division by zero", Culprit: "shop.views in divide", LastSeen: at(1)},
		{Hash: "cccccccccccc", Count: 1, Level: "warning", Title: "first line\nsecond line", LastSeen: at(5)},
		{Hash: "dddddddddddd", Count: 1, Level: "error", Title: strings.Repeat("x", 80), LastSeen: at(3)},
	}
	sortIssues(list)
	c := counts{Transactions: 1, Spans: 2, Sessions: 3, CheckIns: 4, Logs: 5, Rejected: 6}
	tests := []struct {
		name  string
		limit int
		want  string
	}{
		{"all", 0, "" +
			"GROUP         EVENTS  LEVEL    LAST SEEN  TITLE                                                         CULPRIT\n" +
			"cccccccccccc  1       warning  12:00:05   first line                                                    \n" +
			"dddddddddddd  1       error    12:00:03   " + strings.Repeat("x", 59) + "…  \n" +
			"aaaaaaaaaaaa  3       error    12:00:01   ZeroDivisionError: division by zero                           shop.views in divide\n" +
			"issues 3 · transactions 1 · spans 2 · sessions 3 · check-ins 4 · logs 5 · rejected requests 6\n"},
		{"live, cut", 1, "" +
			"GROUP         EVENTS  LEVEL    LAST SEEN  TITLE       CULPRIT\n" +
			"cccccccccccc  1       warning  12:00:05   first line  \n" +
			"... and 2 more\n" +
			"issues 3 · transactions 1 · spans 2 · sessions 3 · check-ins 4 · logs 5 · rejected requests 6\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, writeTable(&b, list, c, tt.limit))
			assert.Equal(t, tt.want, b.String())
		})
	}
}

// TestOTLPPort checks the handler for OTLP's own port: OTLP routes only,
// counted in the same table as the main port's.
func TestOTLPPort(t *testing.T) {
	cfg, err := testGrouping()
	require.NoError(t, err)
	issues := newTracker(cfg, nil)
	h := newHandler(slog.New(slog.DiscardHandler), withTracker(issues))
	srv := httptest.NewServer(h.otlpHandler())
	t.Cleanup(srv.Close)
	tests := []struct {
		name, path, contentType, body string
		code                          int
	}{
		{"traces", "/v1/traces", "application/json", otlpTrace, http.StatusOK},
		{"logs", "/v1/logs", "application/json", `{}`, http.StatusOK},
		{"no envelopes here", "/api/42/envelope/", "application/x-sentry-envelope", eventEnvelope(`{}`), http.StatusNotFound},
		{"no store either", "/api/42/store/", "application/json", `{}`, http.StatusNotFound},
	}
	for _, tt := range tests {
		code, _, body := send(t, srv, http.MethodPost, tt.path,
			http.Header{"Content-Type": {tt.contentType}, "X-Sentry-Auth": {testAuth}}, strings.NewReader(tt.body))
		assert.Equal(t, tt.code, code, "%s: %s", tt.name, body)
	}
	list, c, _ := issues.snapshot()
	require.Len(t, list, 1)
	assert.Equal(t, "DeadlockError: deadlock detected", list[0].Title)
	assert.Equal(t, int64(1), c.Transactions)
}

func TestListenOTLP(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { taken.Close() })
	tests := []struct {
		name     string
		addr     string
		explicit bool
		listens  bool
		fails    bool
		warns    bool
	}{
		{"disabled", "", true, false, false, false},
		{"default port taken: warn and go on", taken.Addr().String(), false, false, false, true},
		{"asked-for port taken: fail", taken.Addr().String(), true, false, true, false},
		{"ephemeral port", "127.0.0.1:0", true, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			ln, err := listenOTLP(tt.addr, tt.explicit, slog.New(slog.NewTextHandler(&log, nil)))
			if ln != nil {
				ln.Close()
			}
			assert.Equal(t, tt.listens, ln != nil)
			assert.Equal(t, tt.fails, err != nil, "error: %v", err)
			assert.Equal(t, tt.warns, strings.Contains(log.String(), "level=WARN"), log.String())
		})
	}
}

func TestStartBanner(t *testing.T) {
	main := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8000}
	otlpLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { otlpLn.Close() })
	port := otlpLn.Addr().(*net.TCPAddr).Port

	assert.Equal(t, "DSN:  http://"+dsnKey+"@127.0.0.1:8000/1\n"+
		fmt.Sprintf("OTLP: http://127.0.0.1:%d  (OTEL_EXPORTER_OTLP_ENDPOINT; /v1/traces, /v1/logs)\n", port),
		startBanner(main, otlpLn))
	assert.Equal(t, "DSN:  http://"+dsnKey+"@127.0.0.1:8000/1\n"+
		"OTLP: http://127.0.0.1:8000  (OTEL_EXPORTER_OTLP_ENDPOINT; /v1/traces, /v1/logs)\n",
		startBanner(main, nil), "without its own port, OTLP is served on the main one")
}

// TestLiveSummary checks that the live table is drawn once per change,
// not on every tick.
func TestLiveSummary(t *testing.T) {
	const every = 20 * time.Millisecond
	cfg, err := testGrouping()
	require.NoError(t, err)
	issues := newTracker(cfg, nil)
	out := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); liveSummary(ctx, issues, out, "DSN: x\n", every) }()

	drawn := func() string {
		out.mu.Lock()
		defer out.mu.Unlock()
		return out.buf.String()
	}
	time.Sleep(5 * every)
	assert.Empty(t, drawn(), "nothing happened, nothing drawn")
	issues.rejected()
	require.Eventually(t, func() bool { return drawn() != "" }, 5*time.Second, 50*time.Millisecond)
	time.Sleep(5 * every)
	cancel()
	<-done
	got := drawn()
	assert.Equal(t, 1, strings.Count(got, "\x1b[H\x1b[2J"), "one change, one redraw:\n%q", got)
	assert.True(t, strings.HasPrefix(got, "\x1b[H\x1b[2JDSN: x\nGROUP "), got)
	assert.Contains(t, got, "rejected requests 1\n")
}

// TestRunJSON runs the command in this process with -json: stdout gets
// one line per event and nothing else, not even the final table.
func TestRunJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("signals the test process")
	}
	stdout, stderr := new(syncBuffer), new(syncBuffer)
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"-addr", "127.0.0.1:0", "-otlp-addr", "", "-json"}, func(string) string { return "" }, stdout, stderr)
	}()
	var addr string
	require.Eventually(t, func() bool {
		stderr.mu.Lock()
		defer stderr.mu.Unlock()
		m := regexp.MustCompile(`msg=listening addr=(\S+)`).FindStringSubmatch(stderr.buf.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 10*time.Second, 20*time.Millisecond)

	for _, id := range []string{"11111111111111111111111111111111", "22222222222222222222222222222222"} {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/1/envelope/",
			strings.NewReader(eventEnvelope(exceptionEvent(id, "ValueError", "bad "+id[:1]))))
		require.NoError(t, err)
		req.Header.Set("X-Sentry-Auth", testAuth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case code := <-status:
		assert.Equal(t, 0, code)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop on SIGINT")
	}
	lines := stdout.lines(t)
	require.Len(t, lines, 2, "stdout holds only the event lines")
	assert.Equal(t, eventLine{EventID: "22222222222222222222222222222222", Group: lines[0].Group,
		Title: "ValueError: bad 2", Culprit: "shop.views in divide", Level: "error", Count: 2}, lines[1])
	assert.Contains(t, func() string { stderr.mu.Lock(); defer stderr.mu.Unlock(); return stderr.buf.String() }(), "DSN:  http://"+dsnKey+"@"+addr+"/1\n")
}
