package sdkcapture

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// TestOTLPIngest points real OpenTelemetry exporters at examples/ingest,
// one server for both protocols: OTel Go's trace exporter at the OTLP
// listener through OTEL_EXPORTER_OTLP_ENDPOINT, as the ingest's banner
// tells users, the JS exporter at the main listener's default OTLP paths,
// and OTel Go's log exporter at the main listener's Relay path with a
// Sentry key, as Sentry's docs tell users. What the ingest dumped and
// printed must be the SDK's trace: its ids, the ops and statuses, one
// transaction per root, and the recorded exception as an issue whose
// group does not change from one trace to the next.
func TestOTLPIngest(t *testing.T) {
	p := startIngest(t)
	require.NotEmpty(t, p.OTLP, "the ingest printed no OTLP endpoint")
	require.NotEqual(t, p.Base, p.OTLP, "the OTLP listener is a port of its own")
	cases := 0

	t.Run("go", func(t *testing.T) {
		failOnOTelErrors(t)
		// The exporter is configured the way the banner says, by
		// environment alone. Any inherited OTEL_* setting is blanked
		// first (OTel Go reads an empty value as unset), so that the
		// machine's configuration cannot redirect the exporter.
		for _, kv := range os.Environ() {
			if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OTEL_") {
				t.Setenv(name, "")
			}
		}
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", p.OTLP)
		t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")

		// The same exception in two traces must make one issue. The two
		// runs use both span processors a user picks from: a batcher
		// sends the whole trace in one request, so the ingest sees the
		// complete tree and builds one transaction holding every span; a
		// syncer sends each span as it ends, so only the root becomes a
		// transaction and the others arrive as span v2 records.
		//
		// The culprit is the event's transaction, the name of the
		// root span when the request had it, else the failing span's own.
		runs := []struct {
			name    string
			proc    func(sdktrace.SpanExporter) sdktrace.TracerProviderOption
			tree    bool
			culprit string
		}{
			{"batcher", func(e sdktrace.SpanExporter) sdktrace.TracerProviderOption { return sdktrace.WithBatcher(e) }, true, "GET " + orderRoute},
			{"syncer", sdktrace.WithSyncer, false, "charge card"},
		}
		var groups []string
		for i, run := range runs {
			before := len(p.Lines())
			ctx := context.Background()
			exp, err := otlptracehttp.New(ctx)
			require.NoError(t, err)
			tp := sdktrace.NewTracerProvider(
				sdktrace.WithResource(goResource(t)),
				sdktrace.WithSampler(sdktrace.AlwaysSample()),
				run.proc(exp),
			)
			want := recordOrderTrace(ctx, tp.Tracer("sdkcapture", trace.WithInstrumentationVersion("1.0.0")))
			require.NoError(t, tp.ForceFlush(ctx), run.name)
			require.NoError(t, tp.Shutdown(ctx), run.name)
			done := time.Now()

			line := checkIngestedTrace(t, p, want, done, ingestedTrace{
				platform: "go", errorType: goPaymentErrorType, tree: run.tree, culprit: run.culprit,
				encoding: "traces/protobuf", linesBefore: before,
			})
			assert.Equal(t, i+1, line.Count, "%s: the second trace's exception joins the first's issue", run.name)
			groups = append(groups, line.Group)
			cases += 6 // five spans and the error event
		}
		require.Len(t, groups, 2)
		assert.Equal(t, groups[0], groups[1], "the same exception in two traces is one issue")

		checkIngestedGoLogs(t, p)
		cases += 2
	})

	t.Run("node", func(t *testing.T) {
		requireTool(t, "node", "the OpenTelemetry JS exporter needs it")
		if _, err := os.Stat(filepath.Join("node", "node_modules", "@opentelemetry", "exporter-trace-otlp-http", "package.json")); err != nil {
			missing(t, "@opentelemetry/exporter-trace-otlp-http is not installed in node/node_modules")
		}
		before := len(p.Lines())
		// The JS exporter posts to the main listener's /v1/traces, next to
		// the envelope endpoint, where no credentials are needed.
		var want orderTrace
		require.NoError(t, json.Unmarshal(runNodeOTLP(t, p.Base, "traces"), &want))
		done := time.Now()
		line := checkIngestedTrace(t, p, want, done, ingestedTrace{
			platform: "node", errorType: nodePaymentErrorType, culprit: "charge card",
			encoding: "traces/json", linesBefore: before,
		})
		assert.Equal(t, 1, line.Count, "a JavaScript exception is an issue of its own")
		for _, l := range p.Lines()[:before] {
			assert.NotEqual(t, l.Group, line.Group, "the JavaScript PaymentError joined the Go issue %q", l.Title)
		}
		cases += 6
	})

	suitelog.Report(t, t.Name(), cases, "spans, error events and log records from OTel Go and JS exporters, read from examples/ingest's dump and -json")
}

// ingestedTrace says how one recorded order trace reached the ingest.
type ingestedTrace struct {
	platform  string
	errorType string
	// tree is set when the whole trace came in one request, so that the
	// ingest saw the complete span tree.
	tree bool
	// culprit is the culprit: the error event's transaction.
	culprit string
	// encoding is the ingest's log attribute for the requests, such as
	// "traces/protobuf".
	encoding string
	// linesBefore is the number of -json lines printed before the trace
	// was exported.
	linesBefore int
}

// spanWant is what a span of the order trace becomes: its parent by the
// SDK's ids, the op Relay infers, and the status of a span v2 and of a
// transaction's span.
type spanWant struct {
	ref      spanRef
	parent   string
	name     string
	op       string
	status   protocol.SpanV2Status
	statusV1 protocol.SpanStatus
}

func orderSpans(want orderTrace) []spanWant {
	return []spanWant{
		{want.Internal, want.Server.SpanID, "load order", "default", protocol.SpanV2OK, "ok"},
		{want.Client, want.Internal.SpanID, "GET", "http.client", protocol.SpanV2Error, "unavailable"},
		{want.DB, want.Internal.SpanID, "SELECT orders", "db", protocol.SpanV2OK, "ok"},
		{want.Error, want.Server.SpanID, "charge card", "default", protocol.SpanV2Error, "internal_error"},
	}
}

// checkIngestedTrace finds the order trace want in the ingest's dump and
// -json output and holds it against the ids the SDK reported. done is
// when the exporter had flushed. It returns the -json line of the error
// event.
func checkIngestedTrace(t *testing.T, p *ingestProcess, want orderTrace, done time.Time, how ingestedTrace) eventLine {
	t.Helper()
	traceID := want.Server.TraceID
	for _, r := range []spanRef{want.Internal, want.Client, want.DB, want.Error} {
		require.Equal(t, traceID, r.TraceID, "the SDK put all spans in one trace")
	}

	// The error event: one -json line, soon after the flush.
	var line eventLine
	var ev *protocol.Event
	lines := p.WaitLines(how.linesBefore+1, 200*time.Millisecond, 5*time.Second)
	events := p.Events(t)
	found := 0
	for _, l := range lines {
		e, ok := events[l.EventID]
		require.True(t, ok, "-json printed event %s, which was not dumped", l.EventID)
		tc, _, err := e.Contexts.Trace()
		require.NoError(t, err)
		if tc != nil && string(tc.TraceID) == traceID {
			line, ev = l, e
			found++
		}
	}
	require.Equal(t, 1, found, "error events of trace %s in -json lines %+v", traceID, lines)
	assert.Less(t, line.At.Sub(done), time.Second, "the -json line came %v after the flush", line.At.Sub(done))
	assert.Equal(t, how.errorType+": "+chargeError, line.Title)
	assert.Equal(t, how.culprit, line.Culprit)
	assert.Equal(t, how.culprit, ev.Transaction)
	assert.Equal(t, "error", line.Level)
	assert.Len(t, line.Group, 32, "a group hash, not %q", line.Group)
	require.Len(t, ev.Exception.Values, 1)
	assert.Equal(t, how.errorType, ev.Exception.Values[0].Type)
	assert.EqualValues(t, chargeError, ev.Exception.Values[0].Value)
	assert.Equal(t, how.platform, ev.Platform)
	etc, _, err := ev.Contexts.Trace()
	require.NoError(t, err)
	assert.EqualValues(t, want.Error.SpanID, etc.SpanID, "the event belongs to the span that recorded it")

	// One transaction, for the root, with the server span's ids.
	var txs []*protocol.Event
	for _, it := range p.Items(t, envelope.TypeTransaction) {
		tx, err := protocol.DecodeTransaction(it.Payload())
		require.NoError(t, err)
		assert.Empty(t, tx.Warnings)
		tc, _, err := tx.Contexts.Trace()
		require.NoError(t, err)
		if tc != nil && string(tc.TraceID) == traceID {
			txs = append(txs, tx)
		}
	}
	require.Len(t, txs, 1, "one transaction for the trace's root")
	tx := txs[0]
	assert.Equal(t, "GET "+orderRoute, tx.Transaction)
	assert.Equal(t, how.platform, tx.Platform)
	assert.Equal(t, "capture", tx.Environment)
	tc, _, err := tx.Contexts.Trace()
	require.NoError(t, err)
	assert.EqualValues(t, want.Server.SpanID, tc.SpanID)
	assert.Empty(t, tc.ParentSpanID)
	assert.Equal(t, "http.server", tc.Op)
	assert.Equal(t, protocol.SpanStatus("ok"), tc.Status)
	txSpans, _, err := tx.Spans.Get()
	require.NoError(t, err)

	// The rest of the spans: inside the transaction when the ingest saw
	// the whole tree, else as span v2 records.
	var v2 []protocol.SpanV2
	for _, it := range p.Items(t, envelope.TypeSpan) {
		c, err := protocol.DecodeSpans(it)
		require.NoError(t, err)
		assert.Empty(t, c.Warnings)
		for _, s := range c.Items {
			if s.TraceID == traceID {
				v2 = append(v2, s)
			}
		}
	}
	if how.tree {
		assert.Empty(t, v2, "every span is in the transaction")
		require.Len(t, txSpans, 4, "the transaction holds the server span's descendants")
		byID := map[string]protocol.Span{}
		for _, s := range txSpans {
			assert.EqualValues(t, traceID, s.TraceID)
			byID[string(s.SpanID)] = s
		}
		for _, w := range orderSpans(want) {
			s, ok := byID[w.ref.SpanID]
			if !assert.True(t, ok, "the transaction lacks span %s (%s)", w.ref.SpanID, w.name) {
				continue
			}
			assert.EqualValues(t, w.parent, s.ParentSpanID, w.name)
			assert.Equal(t, w.op, s.Op, w.name)
			assert.Equal(t, w.statusV1, s.Status, w.name)
		}
	} else {
		assert.Empty(t, txSpans, "the root came alone, without its descendants")
		require.Len(t, v2, 4, "the spans but the root arrive as span v2 records")
		byID := map[string]protocol.SpanV2{}
		for _, s := range v2 {
			byID[s.SpanID] = s
		}
		for _, w := range orderSpans(want) {
			s, ok := byID[w.ref.SpanID]
			if !assert.True(t, ok, "no span v2 %s (%s)", w.ref.SpanID, w.name) {
				continue
			}
			assert.Equal(t, w.parent, s.ParentSpanID, w.name)
			assert.Equal(t, w.name, s.Name)
			assert.Equal(t, w.status, s.Status, w.name)
			assertAttr(t, s.Attributes, "sentry.op", w.op, w.name)
			assertAttr(t, s.Attributes, "sentry.platform", how.platform, w.name)
			assertAttr(t, s.Attributes, "resource.service.name", "checkout", w.name)
		}
	}

	// The ingest logged the OTLP requests' items as it logs SDK
	// envelopes, with where they came from.
	assertLogged(t, p, `msg=item project=0 auth=none otlp=`+regexp.QuoteMeta(how.encoding)+` item=0 type=transaction`)
	return line
}

// checkIngestedGoLogs sends two log records with OTel Go's log exporter
// to the main listener's Relay path, configured as Sentry's docs say,
// and finds them in the ingest's dump.
func checkIngestedGoLogs(t *testing.T, p *ingestProcess) {
	t.Helper()
	t.Setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", p.Base+"/api/"+ProjectID+"/integration/otlp/v1/logs")
	t.Setenv("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-sentry-auth=sentry sentry_key="+PublicKey)
	exp, err := otlploghttp.New(context.Background())
	require.NoError(t, err)
	ref := emitOrderLogs(t, sdklog.NewBatchProcessor(exp))

	// The ingest answers only after dumping, so the records are there.
	var logs []protocol.Log
	for _, it := range p.Items(t, envelope.TypeLog) {
		c, err := protocol.DecodeLogs(it)
		require.NoError(t, err)
		assert.Empty(t, c.Warnings)
		logs = append(logs, c.Items...)
	}
	require.Len(t, logs, 2)
	byBody := map[string]protocol.Log{}
	for _, l := range logs {
		byBody[l.Body] = l
		assertAttr(t, l.Attributes, "resource.service.name", "checkout", l.Body)
	}
	if w, ok := byBody[logRetry]; assert.True(t, ok, "no %q log", logRetry) {
		assert.Equal(t, protocol.LogLevel("warn"), w.Level)
		assert.Equal(t, ref.TraceID, w.TraceID)
		assert.Equal(t, ref.SpanID, w.SpanID)
		assertAttrInt(t, w.Attributes, "order.id", 42)
	}
	if i, ok := byBody[logCache]; assert.True(t, ok, "no %q log", logCache) {
		assert.Equal(t, protocol.LogLevel("info"), i.Level)
		assert.Empty(t, i.SpanID, "written outside a span")
		assert.Len(t, i.TraceID, 32, "a log without a trace gets one, as in Relay")
	}
	// The project and the key came from the path and the header.
	assertLogged(t, p, `msg=item project=`+ProjectID+` auth=x-sentry-auth otlp=logs/protobuf item=0 type=log `)
}

// assertLogged waits briefly for a line of the ingest's log that matches
// pattern: the ingest logs before it answers, but its stderr reaches the
// test through a pipe and a copying goroutine.
func assertLogged(t *testing.T, p *ingestProcess, pattern string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	assert.Eventually(t, func() bool { return re.MatchString(p.Log()) }, 2*time.Second, 10*time.Millisecond,
		"no ingest log line matches %s in:\n%s", pattern, p.Log())
}
