package otlp_test

// Requests that real OpenTelemetry exporters sent, recorded by
// examples/sdkcapture (otlp_test.go there, `go test -update`): OTel Go's
// otlptracehttp and otlploghttp (protobuf, and otlptracehttp's JSON) and
// the OpenTelemetry JS OTLP/HTTP exporters (JSON). Each capture set is one
// export session of the same order trace, or of the same two log records;
// a simple processor sends one request per span or record, so a set may
// be several files, <name>.<n>.<ext> in arrival order, bodies without
// their Content-Encoding.
//
// The ids change with every recording, so the test finds each span by its
// name in the decoded request and holds the conversion against those ids.

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/otlp"
)

const captureDir = "testdata/captures"

// The facts both drivers share (see examples/sdkcapture/otlp_test.go).
const (
	captureRoute        = "/orders/{id}"
	captureQuery        = "SELECT id, total FROM orders WHERE id = $1"
	captureChargeError  = "card declined"
	captureLogRetry     = "inventory answered 503, retrying"
	captureLogCache     = "cache warmed"
	captureServerName   = "GET " + captureRoute
	captureInternalName = "load order"
	captureClientName   = "GET"
	captureDBName       = "SELECT orders"
	captureErrorName    = "charge card"
	// OTel Go records the error's type with its import path,
	// "github.com/sentrywire/sentrywire/examples/sdkcapture.paymentError";
	// the error event names it as sentry-go would.
	goPaymentError = "sdkcapture.paymentError"
)

// loadCapture reads the files of one capture set in arrival order.
func loadCapture(t *testing.T, name, ext string, want int) [][]byte {
	t.Helper()
	var bodies [][]byte
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(captureDir, fmt.Sprintf("%s.%d.%s", name, i, ext)))
		if os.IsNotExist(err) {
			break
		}
		require.NoError(t, err)
		bodies = append(bodies, b)
	}
	require.Len(t, bodies, want, "files of capture %s (regenerate with examples/sdkcapture: go test -run OTLP -update)", name)
	return bodies
}

// captureSpan is one span of the order trace as the decoded request has
// it, in the lower-case hex the converter must write.
type captureSpan struct{ traceID, spanID, parentID string }

func TestCaptureTraces(t *testing.T) {
	tests := []struct {
		name      string
		ext       string
		enc       otlp.Encoding
		files     int
		platform  string
		errorType string
	}{
		{"go-otlptracehttp-simple", "pb", otlp.Protobuf, 5, "go", goPaymentError},
		{"go-otlptracehttp-batch", "pb", otlp.Protobuf, 1, "go", goPaymentError},
		{"go-otlptracehttp-json", "json", otlp.JSON, 1, "go", goPaymentError},
		{"node-otlp-http-traces", "json", otlp.JSON, 5, "node", "PaymentError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := new(otlp.Traces)
			for i, body := range loadCapture(t, tt.name, tt.ext, tt.files) {
				tr, err := otlp.DecodeTraces(body, tt.enc)
				require.NoError(t, err, "file %d", i)
				if tt.files > 1 {
					// One span per request; alone, only the root's
					// request makes a transaction.
					res := otlp.ConvertTraces(tr, otlp.WithTransactions(true))
					require.Empty(t, res.Rejected, "file %d", i)
					require.Equal(t, 1, len(res.Spans)+len(res.Transactions), "file %d", i)
				}
				all.ResourceSpans = append(all.ResourceSpans, tr.ResourceSpans...)
			}

			// Find the spans by name in the decoded request.
			spans := map[string]captureSpan{}
			for _, rs := range all.ResourceSpans {
				for _, ss := range rs.ScopeSpans {
					for _, s := range ss.Spans {
						require.NotContains(t, spans, s.Name, "two spans named %q", s.Name)
						spans[s.Name] = captureSpan{hex.EncodeToString(s.TraceID), hex.EncodeToString(s.SpanID), hex.EncodeToString(s.ParentSpanID)}
					}
				}
			}
			require.Len(t, spans, 5)
			server, internal, client, db, errSpan := spans[captureServerName], spans[captureInternalName], spans[captureClientName], spans[captureDBName], spans[captureErrorName]
			// The capture is one trace whose tree is the order trace's.
			for name, s := range spans {
				require.Equal(t, server.traceID, s.traceID, name)
				require.Len(t, s.spanID, 16, name)
			}
			require.Len(t, server.traceID, 32)
			require.Empty(t, server.parentID)
			require.Equal(t, server.spanID, internal.parentID)
			require.Equal(t, internal.spanID, client.parentID)
			require.Equal(t, internal.spanID, db.parentID)
			require.Equal(t, server.spanID, errSpan.parentID)

			checkCaptureSpans(t, all, spans, tt.platform)
			checkCaptureTransaction(t, all, spans, tt.platform, tt.errorType)
		})
	}
}

// checkCaptureSpans holds the span v2 records against the decoded spans.
func checkCaptureSpans(t *testing.T, traces *otlp.Traces, spans map[string]captureSpan, platform string) {
	t.Helper()
	res := otlp.ConvertTraces(traces)
	require.Empty(t, res.Rejected)
	require.Len(t, res.Spans, 5)
	byName := map[string]protocol.SpanV2{}
	for _, s := range res.Spans {
		byName[s.Name] = s
	}
	root := spans[captureServerName]
	for _, c := range []struct {
		name   string
		kind   string
		op     string
		status protocol.SpanV2Status
	}{
		{captureServerName, "server", "http.server", protocol.SpanV2OK},
		{captureInternalName, "internal", "default", protocol.SpanV2OK},
		{captureClientName, "client", "http.client", protocol.SpanV2Error},
		{captureDBName, "client", "db", protocol.SpanV2OK},
		{captureErrorName, "internal", "default", protocol.SpanV2Error},
	} {
		s, ok := byName[c.name]
		if !assert.True(t, ok, "no span %q", c.name) {
			continue
		}
		in := spans[c.name]
		assert.Equal(t, in.traceID, s.TraceID, c.name)
		assert.Equal(t, in.spanID, s.SpanID, c.name)
		assert.Equal(t, in.parentID, s.ParentSpanID, c.name)
		assert.Equal(t, c.status, s.Status, c.name)
		for key, want := range map[string]string{
			"sentry.kind":                          c.kind,
			"sentry.op":                            c.op,
			"sentry.origin":                        "auto.otlp.spans",
			"sentry.platform":                      platform,
			"sentry.segment.id":                    root.spanID,
			"resource.service.name":                "checkout",
			"resource.service.version":             "1.4.2",
			"resource.deployment.environment.name": "capture",
			"instrumentation.name":                 "sdkcapture",
			"instrumentation.version":              "1.0.0",
		} {
			captureAttr(t, s.Attributes, key, want, c.name)
		}
	}
	if r := byName[captureServerName]; assert.NotNil(t, r.IsSegment, "is_segment of the root") {
		assert.True(t, *r.IsSegment)
	}
	captureAttr(t, byName[captureErrorName].Attributes, "sentry.status.message", "boom", captureErrorName)
	captureAttr(t, byName[captureDBName].Attributes, "db.query.text", captureQuery, captureDBName)
	captureAttr(t, byName[captureServerName].Attributes, "http.route", captureRoute, captureServerName)
	if a, ok := byName[captureClientName].Attributes["http.response.status_code"]; assert.True(t, ok) {
		n, ok := a.Int()
		assert.True(t, ok && n == 503, "http.response.status_code = %s", a.Value)
	}
}

// checkCaptureTransaction holds the transaction and error event against
// the decoded spans.
func checkCaptureTransaction(t *testing.T, traces *otlp.Traces, spans map[string]captureSpan, platform, errorType string) {
	t.Helper()
	res := otlp.ConvertTraces(traces, otlp.WithTransactions(true), otlp.WithErrorEvents(true))
	require.Empty(t, res.Rejected)
	require.Empty(t, res.Spans, "every span is in the root's tree")
	require.Len(t, res.Transactions, 1)
	tx := res.Transactions[0]
	root := spans[captureServerName]
	assert.Equal(t, "transaction", tx.Type)
	assert.Equal(t, captureServerName, tx.Transaction)
	assert.Equal(t, platform, tx.Platform)
	assert.Equal(t, "capture", tx.Environment)
	tc, _, err := tx.Contexts.Trace()
	require.NoError(t, err)
	require.NotNil(t, tc)
	assert.EqualValues(t, root.traceID, tc.TraceID)
	assert.EqualValues(t, root.spanID, tc.SpanID)
	assert.Empty(t, tc.ParentSpanID)
	assert.Equal(t, "http.server", tc.Op)
	assert.Equal(t, protocol.SpanStatus("ok"), tc.Status)

	children, _, err := tx.Spans.Get()
	require.NoError(t, err)
	require.Len(t, children, 4)
	byID := map[string]protocol.Span{}
	for _, s := range children {
		byID[string(s.SpanID)] = s
	}
	for _, c := range []struct {
		name        string
		op          string
		description string
		status      protocol.SpanStatus
	}{
		{captureInternalName, "default", captureInternalName, "ok"},
		{captureClientName, "http.client", "GET https://inventory.example.com/stock/42", "unavailable"},
		{captureDBName, "db", captureQuery, "ok"},
		{captureErrorName, "default", captureErrorName, "internal_error"},
	} {
		in := spans[c.name]
		s, ok := byID[in.spanID]
		if !assert.True(t, ok, "transaction lacks %q", c.name) {
			continue
		}
		assert.EqualValues(t, in.traceID, s.TraceID, c.name)
		assert.EqualValues(t, in.parentID, s.ParentSpanID, c.name)
		assert.Equal(t, c.op, s.Op, c.name)
		assert.Equal(t, c.description, s.Description, c.name)
		assert.Equal(t, c.status, s.Status, c.name)
	}
	payload, err := protocol.Marshal(tx)
	require.NoError(t, err)
	decoded, err := protocol.DecodeTransaction(payload)
	require.NoError(t, err, "%s", payload)
	assert.Empty(t, decoded.Warnings)

	require.Len(t, res.Errors, 1)
	ev := res.Errors[0]
	require.Len(t, ev.Exception.Values, 1)
	ex := ev.Exception.Values[0]
	assert.Equal(t, errorType, ex.Type)
	assert.EqualValues(t, captureChargeError, ex.Value)
	assert.Equal(t, protocol.Level("error"), ev.Level)
	assert.Equal(t, platform, ev.Platform)
	etc, _, err := ev.Contexts.Trace()
	require.NoError(t, err)
	require.NotNil(t, etc)
	assert.EqualValues(t, root.traceID, etc.TraceID)
	assert.EqualValues(t, spans[captureErrorName].spanID, etc.SpanID)
	// Both SDKs record the stack trace; the frame that threw is the
	// driver's recordOrderTrace.
	if assert.NotNil(t, ex.Stacktrace, "no stack trace parsed") {
		found := false
		for _, f := range ex.Stacktrace.Frames {
			found = found || strings.Contains(f.Function, "recordOrderTrace")
		}
		assert.True(t, found, "no recordOrderTrace frame in %+v", ex.Stacktrace.Frames)
	}
	payload, err = protocol.Marshal(ev)
	require.NoError(t, err)
	decodedEv, err := protocol.DecodeEvent(payload)
	require.NoError(t, err, "%s", payload)
	assert.Empty(t, decodedEv.Warnings)
}

func TestCaptureLogs(t *testing.T) {
	tests := []struct {
		name string
		ext  string
		enc  otlp.Encoding
	}{
		{"go-otlploghttp-logs", "pb", otlp.Protobuf},
		{"node-otlp-http-logs", "json", otlp.JSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := new(otlp.Logs)
			for i, body := range loadCapture(t, tt.name, tt.ext, 2) {
				l, err := otlp.DecodeLogs(body, tt.enc)
				require.NoError(t, err, "file %d", i)
				all.ResourceLogs = append(all.ResourceLogs, l.ResourceLogs...)
			}
			// The record written inside a span carries its ids.
			var inSpan *otlp.LogRecord
			for i := range all.ResourceLogs {
				for j := range all.ResourceLogs[i].ScopeLogs {
					for k := range all.ResourceLogs[i].ScopeLogs[j].LogRecords {
						if r := &all.ResourceLogs[i].ScopeLogs[j].LogRecords[k]; len(r.SpanID) > 0 {
							require.Nil(t, inSpan, "two records with a span id")
							inSpan = r
						}
					}
				}
			}
			require.NotNil(t, inSpan)
			require.Len(t, inSpan.TraceID, 16)
			require.Len(t, inSpan.SpanID, 8)

			res := otlp.ConvertLogs(all)
			require.Empty(t, res.Rejected)
			require.Len(t, res.Logs, 2)
			byBody := map[string]protocol.Log{}
			for _, l := range res.Logs {
				byBody[l.Body] = l
				assert.False(t, l.Timestamp.IsZero(), l.Body)
				assert.Len(t, l.TraceID, 32, l.Body)
				captureAttr(t, l.Attributes, "resource.service.name", "checkout", l.Body)
				captureAttr(t, l.Attributes, "resource.deployment.environment.name", "capture", l.Body)
				captureAttr(t, l.Attributes, "instrumentation.name", "sdkcapture", l.Body)
				captureAttr(t, l.Attributes, "instrumentation.version", "1.0.0", l.Body)
			}
			warn, ok := byBody[captureLogRetry]
			require.True(t, ok)
			assert.Equal(t, protocol.LogLevel("warn"), warn.Level)
			assert.Equal(t, hex.EncodeToString(inSpan.TraceID), warn.TraceID)
			assert.Equal(t, hex.EncodeToString(inSpan.SpanID), warn.SpanID)
			captureInt(t, warn.Attributes, "order.id", 42)
			if a, ok := warn.Attributes["retry"]; assert.True(t, ok) {
				b, ok := a.Bool()
				assert.True(t, ok && b, "retry = %s", a.Value)
			}
			info, ok := byBody[captureLogCache]
			require.True(t, ok)
			assert.Equal(t, protocol.LogLevel("info"), info.Level)
			assert.Empty(t, info.SpanID)
			captureInt(t, info.Attributes, "cache.entries", 1200)
		})
	}
}

func captureAttr(t *testing.T, attrs protocol.Attributes, key, want, where string) {
	t.Helper()
	a, ok := attrs[key]
	if !assert.True(t, ok, "%s: no attribute %q", where, key) {
		return
	}
	got, ok := a.String()
	assert.True(t, ok, "%s: attribute %q is not a string: %s", where, key, a.Value)
	assert.Equal(t, want, got, "%s: attribute %q", where, key)
}

func captureInt(t *testing.T, attrs protocol.Attributes, key string, want int64) {
	t.Helper()
	a, ok := attrs[key]
	if !assert.True(t, ok, "no attribute %q", key) {
		return
	}
	assert.Equal(t, protocol.AttributeInteger, a.Type, key)
	got, ok := a.Int()
	assert.True(t, ok && got == want, "attribute %q = %s, want %d", key, a.Value, want)
}
