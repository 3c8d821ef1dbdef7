package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
)

const testAuth = "Sentry sentry_key=0123456789abcdef0123456789abcdef, sentry_version=7, sentry_client=sentry.python/2.68.0"

// received is one request as the upstream saw it.
type received struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// upstream is an httptest server that records what reaches it and answers
// 200 {"id":"upstream"} with a rate-limit header, so that tests can tell
// its answer from the proxy's own.
type upstream struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.got = append(u.got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		u.mu.Unlock()
		w.Header().Set("X-Sentry-Rate-Limits", "60:transaction:key")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id":"upstream"}`)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]received(nil), u.got...)
}

// testProxy returns a proxy to base and the buffer its log goes to.
func testProxy(t *testing.T, base string, c config) (*proxy, *bytes.Buffer) {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	c.upstream = u
	if c.timeout == 0 {
		c.timeout = 5 * time.Second
	}
	if c.limits.MaxEnvelopeSize == 0 {
		c.limits = envelope.DefaultLimits()
	}
	var log bytes.Buffer
	p, err := build(c, slog.New(slog.NewTextHandler(&syncWriter{w: &log}, nil)))
	require.NoError(t, err)
	return p, &log
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// send posts body to the proxy and returns the recorded answer.
func send(p *proxy, method, target string, body []byte, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	return w
}

func authHeader(extra ...string) http.Header {
	h := http.Header{"X-Sentry-Auth": {testAuth}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// envelopeOf frames an event with the given extra items after it, in the
// implicit-length style sentry-python uses for JSON items, on one line.
func envelopeOf(eventID string, event []byte, items ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"event_id":"` + eventID + `","sent_at":"2026-12-06T03:20:11.500000Z","sdk":{"name":"sentry.python.django","version":"2.68.0"}}` + "\n")
	if event != nil {
		b.WriteString(`{"type":"event","content_type":"application/json"}` + "\n")
		compact := jsontext.Value(bytes.Clone(event))
		if err := compact.Compact(); err != nil {
			panic(err)
		}
		b.Write(compact)
		b.WriteString("\n")
	}
	for _, it := range items {
		b.WriteString(it)
	}
	return b.Bytes()
}

func disallowedHostEvent(t *testing.T) []byte {
	b, err := os.ReadFile("testdata/disallowed_host_event.json")
	require.NoError(t, err)
	return b
}

const sessionItem = `{"type":"session"}` + "\n" + `{"sid":"7c7b6585f901475f8b1a6f3e8d5a4c3b","status":"ok","init":true,"started":"2026-12-06T03:20:00Z","attrs":{"release":"8f0c1d2"}}` + "\n"

func TestPassThroughByteIdentical(t *testing.T) {
	up := newUpstream(t)
	// Rules and stripping are on but match nothing: the body must still
	// be the one the SDK sent.
	p, log := testProxy(t, up.URL, config{disallowHost: true, strip: []envelope.ItemType{"profile"}})
	event := []byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","message":"hello","level":"info","platform":"python"}`)
	plain := envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", event, sessionItem)

	tests := []struct {
		name, target string
		body         []byte
		header       http.Header
		method       string
	}{
		{"envelope", "/api/42/envelope/", plain, authHeader("Content-Type", envelope.ContentTypeEnvelope), http.MethodPost},
		{"gzip envelope", "/api/42/envelope/", gz(t, plain), authHeader("Content-Type", envelope.ContentTypeEnvelope, "Content-Encoding", "gzip"), http.MethodPost},
		{"store", "/api/42/store/", event, authHeader("Content-Type", "application/json"), http.MethodPost},
		{"gzip store", "/api/42/store/", gz(t, event), authHeader("Content-Encoding", "gzip"), http.MethodPost},
		{"auth in query", "/api/42/envelope/?sentry_key=0123456789abcdef0123456789abcdef&sentry_version=7", plain, http.Header{}, http.MethodPost},
		{"legacy store", "/api/store/", event, authHeader(), http.MethodPost},
		{"store beacon", "/api/42/store/?sentry_key=0123456789abcdef0123456789abcdef&sentry_data=" + url.QueryEscape(string(event)), nil, http.Header{}, http.MethodGet},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := send(p, tt.method, tt.target, tt.body, tt.header)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `{"id":"upstream"}`, w.Body.String(), "the upstream's body")
			assert.Equal(t, "60:transaction:key", w.Header().Get("X-Sentry-Rate-Limits"), "the upstream's headers")

			got := up.requests()
			require.Len(t, got, i+1)
			last := got[i]
			target, _ := url.Parse(tt.target)
			assert.Equal(t, tt.method, last.Method)
			assert.Equal(t, target.Path, last.Path)
			assert.Equal(t, target.RawQuery, last.Query)
			assert.Equal(t, string(tt.body), string(last.Body), "byte-identical body")
			for _, k := range []string{"X-Sentry-Auth", "Content-Encoding", "Content-Type"} {
				assert.Equal(t, tt.header.Get(k), last.Header.Get(k), k)
			}
			assert.Equal(t, "192.0.2.1", last.Header.Get("X-Forwarded-For"), "httptest's client address")
		})
	}
	assert.Equal(t, map[string]int64{"forwarded": 10}, p.snapshot()) // items: 3 envelopes of 2, 4 store events
	assert.NotContains(t, log.String(), "dropped")
}

func TestUpstreamBasePath(t *testing.T) {
	up := newUpstream(t)
	p, _ := testProxy(t, up.URL+"/relay/", config{})
	w := send(p, http.MethodPost, "/api/42/envelope/", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", []byte(`{"message":"x"}`)), authHeader())
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, up.requests(), 1)
	assert.Equal(t, "/relay/api/42/envelope/", up.requests()[0].Path)
}

// disallowedHostMessage is the event sentry-python sends for a bad Host
// header under Django 3.2, which logs it without the exception: a message
// on the django.security.DisallowedHost logger.
const disallowedHostMessage = `{"level":"error","logger":"django.security.DisallowedHost","platform":"python",` +
	`"logentry":{"message":"Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS.","params":[]},` +
	`"request":{"url":"http://evil.example/ok/","method":"GET"}}`

// TestDisallowedHost is the Django guide's case: the event sentry-python
// sends for a request with a Host header not in ALLOWED_HOSTS, in the
// shapes of newer Django (with the exception) and of Django 3.2 (the
// logged message alone).
func TestDisallowedHost(t *testing.T) {
	const id = "b6a3c4e1f20d4c7f9a8e5d6c7b8a9f01"
	header := authHeader("Content-Type", envelope.ContentTypeEnvelope, "Content-Encoding", "gzip")
	rulesFile := t.TempDir() + "/rules.txt"
	require.NoError(t, os.WriteFile(rulesFile, []byte("# Django\nlogger = django.security.DisallowedHost\n"), 0o644))

	events := []struct {
		name  string
		event []byte
	}{
		{"exception", disallowedHostEvent(t)},
		{"message", []byte(disallowedHostMessage)},
	}
	tests := []struct {
		name    string
		c       config
		dropped bool
	}{
		{"no rule", config{}, false},
		{"-drop-disallowed-host", config{disallowHost: true}, true},
		{"rules file by logger", config{rulesFile: rulesFile}, true},
	}
	for _, ev := range events {
		body := gz(t, envelopeOf(id, ev.event))
		for _, tt := range tests {
			t.Run(ev.name+"/"+tt.name, func(t *testing.T) {
				up := newUpstream(t)
				p, log := testProxy(t, up.URL, tt.c)
				w := send(p, http.MethodPost, "/api/42/envelope/", body, header)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				if tt.dropped {
					assert.JSONEq(t, `{"id":"`+id+`"}`, w.Body.String(), "answered as Relay answers a filtered event")
					assert.Empty(t, up.requests())
					assert.Equal(t, map[string]int64{"dropped:rule": 1}, p.snapshot())
					assert.Contains(t, log.String(), "msg=dropped project=42 type=event")
					return
				}
				assert.Equal(t, `{"id":"upstream"}`, w.Body.String())
				require.Len(t, up.requests(), 1)
				assert.Equal(t, body, up.requests()[0].Body)
				assert.Equal(t, map[string]int64{"forwarded": 1}, p.snapshot())
			})
		}
	}
}

// parseForwarded parses what the upstream received, undoing nothing: a
// re-framed envelope must arrive uncompressed.
func parseForwarded(t *testing.T, r received) *envelope.Envelope {
	t.Helper()
	assert.Empty(t, r.Header.Get("Content-Encoding"), "re-framed envelopes go uncompressed")
	assert.Equal(t, envelope.ContentTypeEnvelope, r.Header.Get("Content-Type"))
	assert.Equal(t, testAuth, r.Header.Get("X-Sentry-Auth"))
	env, err := envelope.Parse(r.Body)
	require.NoError(t, err, "%s", r.Body)
	return env
}

func types(env *envelope.Envelope) []string {
	var ts []string
	for _, it := range env.Items {
		ts = append(ts, string(it.Type()))
	}
	return ts
}

func TestDropByRuleKind(t *testing.T) {
	event := []byte(`{"logger":"app.payments","transaction":"/checkout/","level":"error",
		"logentry":{"formatted":"card declined for order 42"},
		"exception":{"values":[{"type":"CardError","module":"stripe.error","value":"Your card was declined."}]},
		"tags":{"environment":"staging"},"sdk":{"name":"sentry.python.django","version":"2.68.0"}}`)
	tests := []struct {
		rule    string
		dropped bool
	}{
		{"exception.type = CardError", true},
		{"exception.module ~ stripe.*", true},
		{"message ~ *declined for order*", true},
		{"message = Your card was declined.", true},
		{"logger = app.payments", true},
		{"transaction = /checkout/", true},
		{"tag:environment = staging", true},
		{"sdk = sentry.python.django", true},
		{"level = error && tag:environment = staging", true},
		{"exception.type = DisallowedHost", false},
		{"tag:environment = production", false},
		{"sdk ~ sentry.javascript.*", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			up := newUpstream(t)
			rulesFile := t.TempDir() + "/rules.txt"
			require.NoError(t, os.WriteFile(rulesFile, []byte(tt.rule+"\n"), 0o644))
			p, log := testProxy(t, up.URL, config{rulesFile: rulesFile})
			// The attachment belongs to the event and goes with it; the
			// session does not.
			body := envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", event,
				`{"type":"attachment","length":5,"filename":"a.txt"}`+"\nab\ncd\n", sessionItem)
			w := send(p, http.MethodPost, "/api/42/envelope/", gz(t, body),
				authHeader("Content-Type", envelope.ContentTypeEnvelope, "Content-Encoding", "gzip"))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Len(t, up.requests(), 1)
			if !tt.dropped {
				assert.Equal(t, gz(t, body), up.requests()[0].Body)
				return
			}
			env := parseForwarded(t, up.requests()[0])
			assert.Equal(t, []string{"session"}, types(env))
			assert.Equal(t, map[string]int64{"dropped:rule": 2, "forwarded": 1}, p.snapshot())
			assert.Contains(t, log.String(), "reason=\"rule "+tt.rule+"\"")
		})
	}
}

func TestStripByType(t *testing.T) {
	up := newUpstream(t)
	p, log := testProxy(t, up.URL, config{strip: []envelope.ItemType{"profile", "replay_video"}})
	event := []byte(`{"message":"kept"}`)
	// The attachment's payload has newlines inside, so only its explicit
	// length frames it; the profile sits between items that stay.
	body := envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", event,
		`{"type":"profile"}`+"\n"+`{"version":"1","samples":[]}`+"\n",
		`{"type":"attachment","length":6,"filename":"log.txt"}`+"\na\nb\nc\n\n",
		`{"type":"replay_video","length":3}`+"\nxyz\n",
		sessionItem)
	w := send(p, http.MethodPost, "/api/42/envelope/", gz(t, body),
		authHeader("Content-Type", envelope.ContentTypeEnvelope, "Content-Encoding", "gzip"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, `{"id":"upstream"}`, w.Body.String())
	require.Len(t, up.requests(), 1)
	env := parseForwarded(t, up.requests()[0])
	require.Equal(t, []string{"event", "attachment", "session"}, types(env))
	assert.Equal(t, string(event), string(env.Items[0].Payload()))
	assert.Equal(t, "a\nb\nc\n", string(env.Items[1].Payload()))
	assert.Equal(t, "log.txt", env.Items[1].Filename())
	id, ok := env.EventID()
	require.True(t, ok, "the envelope header is kept")
	assert.Equal(t, "9ec79c33ec9942ab8353589fcb2e04dc", id.String())
	assert.Equal(t, map[string]int64{"dropped:stripped": 2, "forwarded": 3}, p.snapshot())
	assert.Contains(t, log.String(), "type=profile")
	assert.Contains(t, log.String(), "type=replay_video")
}

func TestDedupeWindow(t *testing.T) {
	up := newUpstream(t)
	p, log := testProxy(t, up.URL, config{dedupe: time.Minute})
	now := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	zero := []byte(`{"exception":{"values":[{"type":"ZeroDivisionError","value":"division by zero"}]}}`)
	other := []byte(`{"exception":{"values":[{"type":"KeyError","value":"'sku'"}]}}`)
	post := func(project string, ev []byte) {
		t.Helper()
		w := send(p, http.MethodPost, "/api/"+project+"/envelope/", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", ev), authHeader())
		require.Equal(t, http.StatusOK, w.Code)
	}
	post("42", zero)  // forwarded
	post("42", zero)  // duplicate
	post("42", other) // another group
	post("43", zero)  // another project
	now = now.Add(59 * time.Second)
	post("42", zero) // still within the window of the first
	now = now.Add(time.Second)
	post("42", zero) // a minute on: forwarded again
	assert.Len(t, up.requests(), 4)
	assert.Equal(t, map[string]int64{"forwarded": 4, "dropped:duplicate": 2}, p.snapshot())
	assert.Contains(t, log.String(), "duplicate of group")
}

func TestUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL
	dead.Close() // nothing listens there any more
	p, log := testProxy(t, base, config{})
	w := send(p, http.MethodPost, "/api/42/envelope/", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", []byte(`{"message":"x"}`), sessionItem), authHeader())
	assert.Equal(t, http.StatusBadGateway, w.Code)
	var body errorBody
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	assert.Equal(t, "could not send request to upstream", body.Detail)
	require.Len(t, body.Causes, 1)
	assert.Contains(t, body.Causes[0], "connect")
	assert.Equal(t, map[string]int64{"failed": 2}, p.snapshot())
	assert.Contains(t, log.String(), "level=ERROR msg=\"not forwarded\" project=42 path=/api/42/envelope/ items=2 status=502")
}

func TestUpstreamTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	p, log := testProxy(t, slow.URL, config{timeout: 100 * time.Millisecond})
	w := send(p, http.MethodPost, "/api/42/envelope/", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", []byte(`{"message":"x"}`)), authHeader())
	assert.Equal(t, http.StatusGatewayTimeout, w.Code)
	assert.Contains(t, w.Body.String(), `"detail":"upstream request timed out"`)
	assert.Equal(t, map[string]int64{"failed": 1}, p.snapshot())
	assert.Contains(t, log.String(), "status=504")
}

func TestUpstreamErrorPassedOn(t *testing.T) {
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"detail":"event submission rejected with_reason: Quota exceeded"}`)
	}))
	defer limited.Close()
	p, log := testProxy(t, limited.URL, config{})
	w := send(p, http.MethodPost, "/api/42/envelope/", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", []byte(`{"message":"x"}`)), authHeader())
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "60", w.Header().Get("Retry-After"))
	assert.Equal(t, `{"detail":"event submission rejected with_reason: Quota exceeded"}`, w.Body.String())
	assert.Equal(t, map[string]int64{"refused": 1}, p.snapshot())
	assert.Contains(t, log.String(), "level=WARN msg=refused")
}

func TestBadRequestNotForwarded(t *testing.T) {
	up := newUpstream(t)
	c := config{limits: envelope.DefaultLimits()}
	c.limits.MaxEnvelopeSize = 1000
	p, log := testProxy(t, up.URL, c)
	tests := []struct {
		name   string
		body   []byte
		header http.Header
		status int
	}{
		{"no credentials", envelopeOf("9ec79c33ec9942ab8353589fcb2e04dc", []byte(`{"message":"x"}`)), http.Header{}, http.StatusUnauthorized},
		{"bad framing", []byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\",\"length\":99}\n{}"), authHeader(), http.StatusBadRequest},
		{"unknown encoding", []byte("x"), authHeader("Content-Encoding", "lzma"), http.StatusUnsupportedMediaType},
		{"too big before decoding", bytes.Repeat([]byte("x"), 2000), authHeader(), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := send(p, http.MethodPost, "/api/42/envelope/", tt.body, tt.header)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), `"detail":`)
		})
	}
	assert.Empty(t, up.requests())
	assert.Equal(t, map[string]int64{"rejected requests": int64(len(tests))}, p.snapshot())
	assert.Equal(t, len(tests), strings.Count(log.String(), "msg=rejected"))
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no upstream", nil, "-upstream \"\""},
		{"bad scheme", []string{"-upstream", "ftp://x"}, "want an http or https base URL"},
		{"extra argument", []string{"-upstream", "http://x", "y"}, "unexpected arguments"},
		{"negative dedupe", []string{"-upstream", "http://x", "-dedupe", "-1s"}, "-dedupe must not be negative"},
		{"ok", []string{"-upstream", "https://o1.ingest.sentry.io", "-strip", "profile, replay_video", "-dedupe", "10s"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c, err := parseConfig(tt.args, &stderr)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Contains(t, stderr.String(), "usage: proxy")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []envelope.ItemType{"profile", "replay_video"}, c.strip)
			assert.Equal(t, 10*time.Second, c.dedupe)
		})
	}
}

func TestRunExitStatus(t *testing.T) {
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	assert.Equal(t, 0, run([]string{"-h"}, getenv, &stdout, &stderr))
	assert.Equal(t, 2, run(nil, getenv, &stdout, &stderr))
	missing := t.TempDir() + "/missing.rules"
	assert.Equal(t, 2, run([]string{"-upstream", "http://127.0.0.1:1", "-rules", missing}, getenv, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "bad configuration")
}

// An event the proxy cannot read is the upstream's to reject: it goes on
// unchanged, with a warning, rather than being dropped unseen.
func TestUndecodableEventForwarded(t *testing.T) {
	up := newUpstream(t)
	p, log := testProxy(t, up.URL, config{disallowHost: true, dedupe: time.Minute})
	body := []byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\",\"length\":5}\n[1,2]\n")
	w := send(p, http.MethodPost, "/api/42/envelope/", body, authHeader())
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Len(t, up.requests(), 1)
	assert.Equal(t, string(body), string(up.requests()[0].Body))
	assert.Contains(t, log.String(), "event not decoded, forwarded unfiltered")
}
