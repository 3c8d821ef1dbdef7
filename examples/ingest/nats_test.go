package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
)

// startNATS runs nats-server with JetStream on a temporary store and
// returns its URL and a function that stops it. Without nats-server the
// test fails (CI installs it with examples/natsworker/install.sh); under
// -short it skips.
func startNATS(t *testing.T) (string, func()) {
	t.Helper()
	bin := os.Getenv("NATS_SERVER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("nats-server"); err != nil {
			if testing.Short() {
				t.Skip("nats-server not installed (examples/natsworker/install.sh)")
			}
			t.Fatal("nats-server not installed: run examples/natsworker/install.sh, or set $NATS_SERVER")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-js", "-sd", t.TempDir(), "-a", "127.0.0.1", "-p", port)
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); <-done }
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	url := "nats://127.0.0.1:" + port
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		nc, err := nats.Connect(url)
		if err == nil {
			nc.Close()
			return url, stop
		}
		require.True(t, time.Now().Before(deadline), "nats-server did not start: %v", err)
	}
}

// With -nats, an accepted envelope is answered only once it is in the
// work queue, as the bytes the SDK sent after decompression, with the
// project and credentials in headers; a retry is stored once; and with
// the server gone the SDK is told to retry.
func TestQueue(t *testing.T) {
	url, stopNATS := startNATS(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := dialQueue(t.Context(), url, logger)
	require.NoError(t, err)
	t.Cleanup(q.close)
	srv := httptest.NewServer(newHandler(logger, withQueue(q)))
	t.Cleanup(srv.Close)

	stream, err := q.js.Stream(t.Context(), natsqueue.EnvelopeStream)
	require.NoError(t, err)
	assert.Equal(t, jetstream.WorkQueuePolicy, stream.CachedInfo().Config.Retention)
	assert.Equal(t, jetstream.FileStorage, stream.CachedInfo().Config.Storage)

	const id = "9ec79c33ec9942ab8353589fcb2e04dc"
	event := `{"event_id":"` + id + `","sent_at":"2026-01-01T00:00:00Z"}` + "\n" + `{"type":"event"}` + "\n" + `{"message":"hello"}` + "\n"
	session := `{}` + "\n" + `{"type":"session"}` + "\n" + `{"sid":"x"}` + "\n"
	header := http.Header{"X-Sentry-Auth": {testAuth + ", sentry_client=test/1.0"}}
	tests := []struct {
		name, target, body string
		answer, msgID      string
		stored             string // the stored envelope, if not body
	}{
		{name: "event", target: "/api/42/envelope/", body: event, answer: `{"id":"` + id + `"}`, msgID: "42/" + id},
		{name: "no event id", target: "/api/7/envelope/", body: session, answer: `{}`, msgID: "7/xxh-"},
		{name: "store", target: "/api/42/store/", body: `{"event_id":"` + strings.Repeat("a", 32) + `","message":"m"}`,
			answer: `{"id":"` + strings.Repeat("a", 32) + `"}`, msgID: "42/" + strings.Repeat("a", 32),
			stored: `{"event_id":"` + strings.Repeat("a", 32) + `"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := stream.Info(t.Context())
			require.NoError(t, err)
			// An SDK that retries (its answer was lost) sends it again;
			// JetStream stores it once.
			for range 2 {
				status, _, answer := send(t, srv, "POST", tt.target, header, strings.NewReader(tt.body))
				require.Equal(t, http.StatusOK, status, answer)
				assert.JSONEq(t, tt.answer, answer)
			}
			info, err := stream.Info(t.Context())
			require.NoError(t, err)
			require.Equal(t, before.State.Msgs+1, info.State.Msgs)
			m, err := stream.GetMsg(t.Context(), info.State.LastSeq)
			require.NoError(t, err)
			project := strings.Split(tt.target, "/")[2]
			assert.Equal(t, "sentrywire.envelopes."+project, m.Subject)
			assert.Equal(t, project, m.Header.Get(natsqueue.HeaderProject))
			assert.Equal(t, "x-sentry-auth", m.Header.Get(natsqueue.HeaderAuthSource))
			assert.Equal(t, testKey, m.Header.Get(natsqueue.HeaderPublicKey))
			assert.Equal(t, "test/1.0", m.Header.Get(natsqueue.HeaderClient))
			assert.True(t, strings.HasPrefix(m.Header.Get(nats.MsgIdHdr), tt.msgID), m.Header.Get(nats.MsgIdHdr))
			if tt.stored == "" {
				assert.Equal(t, tt.body, string(m.Data))
			} else {
				assert.True(t, bytes.HasPrefix(m.Data, []byte(tt.stored)), "%s", m.Data)
				_, err := envelope.Parse(m.Data)
				assert.NoError(t, err)
			}
		})
	}

	// A bad envelope is Relay's 400, and never queued.
	status, _, _ := send(t, srv, "POST", "/api/42/envelope/", header, strings.NewReader("garbage\n"))
	assert.Equal(t, http.StatusBadRequest, status)

	stopNATS()
	status, h, answer := send(t, srv, "POST", "/api/42/envelope/", header, strings.NewReader(event))
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "1", h.Get("Retry-After"))
	var body struct {
		Detail string   `json:"detail"`
		Causes []string `json:"causes"`
	}
	require.NoError(t, json.Unmarshal([]byte(answer), &body), answer)
	assert.Equal(t, "failed to queue envelope", body.Detail)
	assert.NotEmpty(t, body.Causes)
}

func TestMessageID(t *testing.T) {
	withID, err := envelope.Parse([]byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}` + "\n"))
	require.NoError(t, err)
	without, err := envelope.Parse([]byte("{}\n"))
	require.NoError(t, err)
	assert.Equal(t, "42/9ec79c33ec9942ab8353589fcb2e04dc", messageID("42", withID, []byte("a")))
	assert.Equal(t, "42/9ec79c33ec9942ab8353589fcb2e04dc", messageID("42", withID, []byte("b")), "an SDK's retry may differ in sent_at")
	a, b := messageID("42", without, []byte("a")), messageID("42", without, []byte("b"))
	assert.True(t, strings.HasPrefix(a, "42/xxh-"), a)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, messageID("42", without, []byte("a")))
	assert.NotEqual(t, a, messageID("7", without, []byte("a")))
}

func TestQueueFailed(t *testing.T) {
	h := newHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		err    error
		status int
	}{
		{context.DeadlineExceeded, http.StatusServiceUnavailable},
		{nats.ErrConnectionClosed, http.StatusServiceUnavailable},
		{errors.Join(errors.New("publish"), nats.ErrMaxPayload), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.queueFailed(w, httptest.NewRequest("POST", "/api/42/envelope/", nil), tt.err)
		assert.Equal(t, tt.status, w.Code, "%v", tt.err)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Contains(t, w.Body.String(), `"detail":"failed to queue envelope"`)
	}
}

func TestParseConfigNATS(t *testing.T) {
	c, err := parseConfig([]string{"-nats", "nats://127.0.0.1:4222"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "nats://127.0.0.1:4222", c.natsURL)
	c, err = parseConfig(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, c.natsURL, "grouping here is the default")
}

// The limits shrink to what one NATS message carries, and never grow.
func TestQueueLimit(t *testing.T) {
	url, _ := startNATS(t)
	q, err := dialQueue(t.Context(), url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(q.close)
	max := q.nc.MaxPayload() - 4<<10
	l := q.limit(envelope.DefaultLimits())
	assert.Equal(t, max, l.MaxEnvelopeSize)
	assert.Equal(t, max, l.MaxEventSize)
	small := envelope.Limits{MaxEnvelopeSize: 10, MaxEventSize: 5}
	assert.Equal(t, small, q.limit(small))
	assert.Equal(t, max, q.limit(envelope.Limits{}).MaxEnvelopeSize, "no limit becomes NATS's")
}
