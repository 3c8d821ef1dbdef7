package envelope

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/dsn"
)

const testKey = "0123456789abcdef0123456789abcdef"

// serve routes r as an ingest server would and returns what ReadRequest
// gave, and the response WriteError wrote on failure.
func serve(t *testing.T, r *http.Request, opts ...Option) (*Request, *httptest.ResponseRecorder) {
	t.Helper()
	var got *Request
	h := func(w http.ResponseWriter, r *http.Request) {
		req, err := ReadRequest(r, opts...)
		if err != nil {
			WriteError(w, err)
			return
		}
		got = req
		w.Write([]byte("{}"))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project_id}/envelope/", h)
	mux.HandleFunc("POST /api/{project_id}/store/", h)
	mux.HandleFunc("GET /api/{project_id}/store/", h)
	mux.HandleFunc("POST /api/store/{$}", h)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return got, w
}

// TestReadRequestSDKCaptures replays every request a real SDK sent.
func TestReadRequestSDKCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			target := c.Path
			if c.Query != "" {
				target += "?" + c.Query
			}
			r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(c.Raw))
			for k, v := range c.Headers {
				r.Header.Set(k, v)
			}
			req, w := serve(t, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.EqualValues(t, 42, req.ProjectID)
			assert.Equal(t, testKey, req.Auth.PublicKey)
			require.NotEmpty(t, req.Envelope.Items)
			if c.IsStore() {
				require.Len(t, req.Envelope.Items, 1)
				assert.Equal(t, TypeEvent, req.Envelope.Items[0].Type())
				assert.Equal(t, c.Body, req.Envelope.Items[0].Payload())
				_, ok := req.Envelope.EventID()
				assert.True(t, ok)
			}
		})
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestReadRequest(t *testing.T) {
	auth := "Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=" + testKey
	tunnel := `{"dsn":"https://` + testKey + `@o1.ingest.sentry.io/42"}` + "\n{\"type\":\"event\"}\n{}"
	var zl bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write([]byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","message":"zlib"}`))
	zw.Close()
	tests := []struct {
		name     string
		method   string
		target   string
		headers  map[string]string
		body     []byte
		status   int
		detail   string
		items    []ItemType
		source   dsn.Source
		eventID  string
		payload0 string
	}{
		{name: "envelope with X-Sentry-Auth", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte("{}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "gzip", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Content-Encoding": "gzip"},
			body: gzipped([]byte("{}\n{\"type\":\"event\"}\n{}")), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "empty Content-Encoding is identity", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Content-Encoding": ""},
			body: []byte("{}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "UTF-8 Content-Encoding is identity", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Content-Encoding": "utf-8"},
			body: []byte("{}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "GZIP is not gzip", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Content-Encoding": "GZIP"},
			body: gzipped([]byte("{}\n")), status: 415},
		{name: "corrupt gzip", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Content-Encoding": "gzip"},
			body: []byte("not gzip"), status: 400},
		{name: "empty body", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth}, status: 400, detail: "empty request body"},
		{name: "no auth", target: "/api/42/envelope/", body: []byte("{}\n"), status: 401, detail: "bad envelope authentication header"},
		{name: "no auth on store", target: "/api/42/store/", body: []byte("{}"), status: 401, detail: "missing authorization information"},
		{name: "two auth sources", target: "/api/42/envelope/?sentry_version=7", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte("{}\n"), status: 401, detail: "multiple authorization payloads detected"},
		{name: "project id not numeric", target: "/api/abc/envelope/", headers: map[string]string{"X-Sentry-Auth": auth}, body: []byte("{}\n"), status: 400},
		{name: "tunnel authenticated by its header dsn", target: "/api/42/envelope/", body: []byte(tunnel),
			status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceEnvelopeHeader},
		{name: "header dsn for another project", target: "/api/43/envelope/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(tunnel), status: 400, detail: "invalid event envelope"},
		{name: "header dsn with another key", target: "/api/42/envelope/",
			headers: map[string]string{"X-Sentry-Auth": "Sentry sentry_key=fedcba9876543210fedcba9876543210"},
			body:    []byte(tunnel), status: 400, detail: "invalid event envelope"},
		{name: "header origin matches", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Origin": "http://localhost"},
			body: []byte("{\"origin\":\"http://localhost/\"}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "header origin differs", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Origin": "http://example.com"},
			body: []byte("{\"origin\":\"http://localhost/\"}\n{\"type\":\"event\"}\n{}"), status: 400, detail: "invalid event envelope"},
		{name: "no header origin skips the check", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth, "Origin": "http://example.com"},
			body: []byte("{}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "framing error", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte("{}\r\n"), status: 400, detail: "invalid event envelope"},
		{name: "two events", target: "/api/42/envelope/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte("{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}"), status: 413,
			detail: "envelope exceeded size limits for type 'event' (https://develop.sentry.dev/sdk/envelopes/#size-limits)"},
		{name: "store JSON", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","message":"hi"}`), status: 200, items: []ItemType{TypeEvent},
			source: dsn.SourceXSentryAuth, eventID: "9ec79c33ec9942ab8353589fcb2e04dc"},
		{name: "store transaction", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(`{"type":"transaction","spans":[]}`), status: 200, items: []ItemType{TypeTransaction}, source: dsn.SourceXSentryAuth},
		{name: "legacy store route", target: "/api/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(`{"message":"hi"}`), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "store base64 zlib", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(base64.StdEncoding.EncodeToString(zl.Bytes())), status: 200, items: []ItemType{TypeEvent},
			source: dsn.SourceXSentryAuth, eventID: "9ec79c33ec9942ab8353589fcb2e04dc"},
		{name: "store GET sentry_data", method: http.MethodGet,
			target: "/api/42/store/?sentry_key=" + testKey + "&sentry_version=7&sentry_data=" + base64.URLEncoding.EncodeToString([]byte(`{"message":"gif"}`)),
			status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceQuery},
		{name: "store NaN from sentry-python is repaired", target: "/api/42/store/",
			headers: map[string]string{"X-Sentry-Auth": "Sentry sentry_version=7, sentry_client=sentry-python/0.10.0, sentry_key=" + testKey},
			body:    []byte(`{"extra":{"x":NaN}}`), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth, payload0: `{"extra":{"x":0  }}`},
		{name: "store NaN from others is invalid", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(`{"extra":{"x":NaN}}`), status: 400, detail: "invalid JSON data"},
		{name: "store garbage", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth}, body: []byte("%%%"), status: 400},
		{name: "store with envelope content type", target: "/api/42/store/",
			headers: map[string]string{"X-Sentry-Auth": auth, "Content-Type": "application/x-sentry-envelope"},
			body:    []byte("{}\n{\"type\":\"event\"}\n{}"), status: 200, items: []ItemType{TypeEvent}, source: dsn.SourceXSentryAuth},
		{name: "store bad event_id", target: "/api/42/store/", headers: map[string]string{"X-Sentry-Auth": auth},
			body: []byte(`{"event_id":"nope"}`), status: 400, detail: "invalid JSON data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, tt.target, bytes.NewReader(tt.body))
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			req, w := serve(t, r)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.status != 200 {
				var body struct {
					Detail string   `json:"detail"`
					Causes []string `json:"causes"`
				}
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
				if tt.detail != "" {
					assert.Equal(t, tt.detail, body.Detail)
				}
				if tt.status == 415 {
					assert.Equal(t, AcceptEncoding, w.Header().Get("Accept-Encoding"))
				}
				return
			}
			var types []ItemType
			for _, it := range req.Envelope.Items {
				types = append(types, it.Type())
			}
			assert.Equal(t, tt.items, types)
			assert.Equal(t, tt.source, req.Auth.Source)
			if tt.eventID != "" {
				id, _ := req.Envelope.EventID()
				assert.Equal(t, tt.eventID, id.String())
			}
			if tt.payload0 != "" {
				assert.Equal(t, tt.payload0, string(req.Envelope.Items[0].Payload()))
			}
		})
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestReadRequestBomb sends a small gzip body that inflates to 1 GiB:
// ReadRequest must stop at the envelope limit without allocating past it.
func TestReadRequestBomb(t *testing.T) {
	// A gzip body may hold several members, decoded one after the other, so
	// 128 copies of one 8 MiB member make 1 GiB.
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, err := io.Copy(zw, io.LimitReader(zeros{}, 8<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	bomb := bytes.NewBuffer(bytes.Repeat(member.Bytes(), 128))
	t.Logf("bomb: %d KiB of gzip for 1 GiB", bomb.Len()>>10)

	limits := DefaultLimits()
	limits.MaxEnvelopeSize = 8 << 20
	r := httptest.NewRequest(http.MethodPost, "/api/42/envelope/", bytes.NewReader(bomb.Bytes()))
	r.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+testKey)
	r.Header.Set("Content-Encoding", "gzip")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, w := serve(t, r, WithLimits(limits))
	runtime.ReadMemStats(&after)
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB for an 8 MiB limit", allocated>>10)
	assert.Less(t, allocated, uint64(3*limits.MaxEnvelopeSize+4<<20))
}

func TestParseStoreKeepsDecodedPayload(t *testing.T) {
	env, err := ParseStore([]byte(`{"message":"x"}`), "sentry.python/1.9.10")
	require.NoError(t, err)
	out, err := env.MarshalBinary()
	require.NoError(t, err)
	again, err := Parse(out)
	require.NoError(t, err)
	assert.Equal(t, `{"message":"x"}`, string(again.Items[0].Payload()))
	assert.True(t, strings.HasPrefix(string(out), `{"event_id":"`))
}
