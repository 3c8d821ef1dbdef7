package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
)

// A server span, a failed database query below it with a recorded
// exception, and a span with a broken id.
const otlpTrace = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"orders"}}]},
 "scopeSpans":[{"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /orders","kind":2,
   "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174",
   "name":"SELECT","startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000",
   "status":{"code":2},"events":[{"name":"exception","timeUnixNano":"1700000000200000000","attributes":[
     {"key":"exception.type","value":{"stringValue":"DeadlockError"}},
     {"key":"exception.message","value":{"stringValue":"deadlock detected"}}]}]},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"00","name":"broken"}]}]}]}`

func TestOTLP(t *testing.T) {
	tests := []struct {
		name, path, contentType string
		header                  http.Header
		body                    string
		code                    int
		answer                  string
		types                   []any
	}{
		{"traces on the OTLP default path", "/v1/traces", "application/json", nil, otlpTrace,
			http.StatusOK, `{"partialSuccess":{"rejectedSpans":"1","errorMessage":`,
			[]any{"transaction", "event"}},
		{"logs on Relay's path", "/api/42/integration/otlp/v1/logs/", "application/json", http.Header{"X-Sentry-Auth": {testAuth}},
			`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","severityNumber":17,"body":{"stringValue":"boom"}}]}]}]}`,
			http.StatusOK, `{}`, []any{"log"}},
		{"Relay's path wants a key", "/api/42/integration/otlp/v1/traces", "application/json", nil, otlpTrace,
			http.StatusUnauthorized, `{"code":16,"message":"missing authorization information"}`, nil},
		{"not OTLP", "/v1/traces", "text/plain", nil, "hi",
			http.StatusUnsupportedMediaType, `{"code":3,`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := newTestServer(t)
			header := http.Header{"Content-Type": {tt.contentType}}
			for k, v := range tt.header {
				header[k] = v
			}
			code, _, body := send(t, srv, http.MethodPost, tt.path, header, strings.NewReader(tt.body))
			assert.Equal(t, tt.code, code, body)
			assert.True(t, strings.HasPrefix(body, tt.answer), body)
			var types []any
			for _, rec := range logs.records(t, "item") {
				types = append(types, rec["type"])
				assert.Contains(t, rec["otlp"], "/json")
			}
			assert.Equal(t, tt.types, types)
			if tt.code != http.StatusOK {
				assert.Len(t, logs.records(t, "rejected"), 1)
			}
		})
	}
}

// TestOTLPDump checks that converted OTLP data is dumped as the envelopes
// an SDK would have sent, which the sentrywire command replays.
func TestOTLPDump(t *testing.T) {
	dir := t.TempDir()
	srv, _ := newTestServer(t, withDumpDir(dir))
	code, _, body := send(t, srv, http.MethodPost, "/v1/traces", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(otlpTrace))
	require.Equal(t, http.StatusOK, code, body)
	files, err := filepath.Glob(filepath.Join(dir, "*-0.envelope"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one envelope per event, as Relay wants them") // Glob sorts by time
	var types []envelope.ItemType
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		env, err := envelope.Parse(data)
		require.NoError(t, err)
		require.Len(t, env.Items, 1)
		types = append(types, env.Items[0].Type())
		if env.Items[0].Type() == envelope.TypeEvent {
			assert.Contains(t, string(env.Items[0].Payload()), "DeadlockError")
		}
	}
	assert.Equal(t, []envelope.ItemType{envelope.TypeTransaction, envelope.TypeEvent}, types)
}
