package sdkcapture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
	"github.com/sentrywire/sentrywire/otlp"
)

// The OpenTelemetry versions the tests pin: the Go modules in go.mod and
// the JS exporters in node/package.json. The exporters name them in their
// User-Agent, so a version bump that was not meant to happen fails here.
const (
	otelGoVersion = "1.47.0"
	otelJSVersion = "0.223.1"
)

// otlpCaptureDir is where otlp's own tests (otlp/capture_test.go) read the
// recorded request bodies.
const otlpCaptureDir = "../../otlp/testdata/captures"

// A spanRef is the ids the SDK itself reported for a span, in the lower-case
// hex both SDKs print.
type spanRef struct {
	TraceID string `json:"traceId"`
	SpanID  string `json:"spanId"`
}

// orderTrace is the trace recordOrderTrace (and node/otlp-capture.js)
// records, span by role:
//
//	server   GET /orders/{id}   SERVER, unset status
//	internal load order         INTERNAL, child of server
//	client   GET                CLIENT, child of internal, 503, status Error
//	db       SELECT orders      CLIENT, child of internal, postgresql, status Ok
//	error    charge card        INTERNAL, child of server, exception event, status Error "boom"
type orderTrace struct {
	Server   spanRef `json:"server"`
	Internal spanRef `json:"internal"`
	Client   spanRef `json:"client"`
	DB       spanRef `json:"db"`
	Error    spanRef `json:"error"`
}

// The names and attribute values both drivers use.
const (
	orderRoute   = "/orders/{id}"
	orderQuery   = "SELECT id, total FROM orders WHERE id = $1"
	inventoryURL = "https://inventory.example.com/stock/42?fields=all"
	chargeError  = "card declined"
)

// paymentError is a value type so that OTel Go records its full name,
// "<import path>.paymentError", in exception.type (for a pointer type it
// records "*sdkcapture.paymentError"); the library then shortens the name
// to what sentry-go would send.
type paymentError struct{ reason string }

func (e paymentError) Error() string { return e.reason }

// The exception type of the payment error in the error event.
const (
	goPaymentErrorType   = "sdkcapture.paymentError"
	nodePaymentErrorType = "PaymentError"
)

// goResource is the resource of every Go capture. It is built from
// explicit detectors, not resource.Default, so that OTEL_RESOURCE_ATTRIBUTES
// or OTEL_SERVICE_NAME in the environment cannot change what is recorded.
func goResource(t *testing.T) *resource.Resource {
	t.Helper()
	res, err := resource.New(context.Background(),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(
			attribute.String("service.name", "checkout"),
			attribute.String("service.version", "1.4.2"),
			attribute.String("deployment.environment.name", "capture"),
		),
	)
	require.NoError(t, err)
	return res
}

// recordOrderTrace records the order trace with tracer and returns the ids
// the SDK gave its spans.
func recordOrderTrace(ctx context.Context, tracer trace.Tracer) orderTrace {
	ref := func(s trace.Span) spanRef {
		sc := s.SpanContext()
		return spanRef{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String()}
	}

	ctx, server := tracer.Start(ctx, "GET "+orderRoute,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("http.request.method", "GET"),
			attribute.String("http.route", orderRoute),
			attribute.String("url.path", "/orders/42"),
			attribute.String("url.scheme", "http"),
		))

	loadCtx, load := tracer.Start(ctx, "load order", trace.WithSpanKind(trace.SpanKindInternal))

	_, inventory := tracer.Start(loadCtx, "GET",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("http.request.method", "GET"),
			attribute.String("url.full", inventoryURL),
			attribute.String("server.address", "inventory.example.com"),
		))
	inventory.SetAttributes(attribute.Int("http.response.status_code", 503))
	inventory.SetStatus(codes.Error, "")
	inventory.End()

	_, db := tracer.Start(loadCtx, "SELECT orders",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("db.system.name", "postgresql"),
			attribute.String("db.query.text", orderQuery),
			attribute.String("db.collection.name", "orders"),
		))
	db.SetStatus(codes.Ok, "")
	db.End()
	load.End()

	_, charge := tracer.Start(ctx, "charge card", trace.WithSpanKind(trace.SpanKindInternal))
	charge.RecordError(paymentError{chargeError}, trace.WithStackTrace(true))
	charge.SetStatus(codes.Error, "boom")
	charge.End()

	server.SetAttributes(attribute.Int("http.response.status_code", 200))
	server.End()

	return orderTrace{
		Server: ref(server), Internal: ref(load), Client: ref(inventory), DB: ref(db), Error: ref(charge),
	}
}

// An otlpExchange is one OTLP/HTTP request and what sentrywire's handler
// made of it.
type otlpExchange struct {
	Path   string
	Header http.Header
	// Raw is the body as it arrived, still compressed if Content-Encoding
	// says so.
	Raw []byte
	// Status, ResponseType and Response are what the library answered.
	Status       int
	ResponseType string
	Response     []byte
	// Req is what otlp.NewHandler passed on: the decoded request. It is
	// nil when the library rejected the request.
	Req *otlp.Request
}

// otlpServer is an OTLP/HTTP endpoint made of the library's handler,
// recording every exchange. Exporters talk to sentrywire itself, so a
// request the library cannot read fails the exporter as it would in
// production, and the answer the exporter parses is the library's.
type otlpServer struct {
	srv *httptest.Server

	mu        sync.Mutex
	exchanges []*otlpExchange
}

type exchangeKey struct{}

func newOTLPServer(t *testing.T) *otlpServer {
	t.Helper()
	s := &otlpServer{}
	lib := otlp.NewHandler(func(ctx context.Context, req *otlp.Request) (int64, string, error) {
		ctx.Value(exchangeKey{}).(*otlpExchange).Req = req
		return 0, "", nil
	})
	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", lib)
	mux.Handle("POST /v1/logs", lib)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex, err := s.begin(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rec := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
		r.Body = io.NopCloser(bytes.NewReader(ex.Raw))
		mux.ServeHTTP(rec, r)
		ex.Status, ex.Response = rec.status, rec.body.Bytes()
		ex.ResponseType = rec.Header().Get("Content-Type")
		s.mu.Lock()
		s.exchanges = append(s.exchanges, ex)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// begin reads the whole raw body before anything is answered, so that the
// recording holds what the exporter sent, byte for byte.
func (s *otlpServer) begin(r *http.Request) (*otlpExchange, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	return &otlpExchange{Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw}, nil
}

func (s *otlpServer) take() []*otlpExchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	ex := s.exchanges
	s.exchanges = nil
	return ex
}

// host is the server's host:port, the form OTel Go's WithEndpoint wants.
func (s *otlpServer) host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// recordingWriter keeps a copy of the status and body the library wrote.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// checkExchanges requires that every exchange went to path, was accepted,
// carried the content type and encoding wanted, and that the body the
// library decoded is what an independent gzip reader makes of the raw one.
// It returns the decoded bodies, for the captures.
func checkExchanges(t *testing.T, exs []*otlpExchange, path, contentType, contentEncoding, userAgent string) [][]byte {
	t.Helper()
	var bodies [][]byte
	for i, ex := range exs {
		require.Equal(t, path, ex.Path, "request %d", i)
		require.Equal(t, http.StatusOK, ex.Status, "request %d was rejected: %s", i, ex.Response)
		require.NotNil(t, ex.Req, "request %d", i)
		assert.Equal(t, contentType, ex.Header.Get("Content-Type"), "request %d", i)
		assert.Equal(t, contentEncoding, ex.Header.Get("Content-Encoding"), "request %d", i)
		assert.Equal(t, userAgent, ex.Header.Get("User-Agent"), "request %d", i)
		// OTLP/HTTP answers in the request's encoding.
		assert.Equal(t, contentType, ex.ResponseType, "request %d", i)
		plain, err := Request{Header: ex.Header, Body: ex.Raw}.DecodedBody()
		require.NoError(t, err, "request %d", i)
		assert.Equal(t, plain, ex.Req.Body, "request %d: the library's decoded body differs from compress/gzip's", i)
		bodies = append(bodies, plain)
	}
	return bodies
}

// mergeTraces joins the requests of one export session into one request,
// as if one batch had carried every span: a simple span processor sends a
// request per span, and only together do they form the trace's tree.
func mergeTraces(exs []*otlpExchange) *otlp.Traces {
	all := new(otlp.Traces)
	for _, ex := range exs {
		all.ResourceSpans = append(all.ResourceSpans, ex.Req.Traces.ResourceSpans...)
	}
	return all
}

func mergeLogs(exs []*otlpExchange) *otlp.Logs {
	all := new(otlp.Logs)
	for _, ex := range exs {
		all.ResourceLogs = append(all.ResourceLogs, ex.Req.Logs.ResourceLogs...)
	}
	return all
}

// failOnOTelErrors makes errors that the OTel Go SDK reports only to its
// global error handler, such as a failed export of a simple processor,
// fail the test.
func failOnOTelErrors(t *testing.T) {
	t.Helper()
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { t.Errorf("OpenTelemetry Go: %v", err) }))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
}

func TestOTLPGoTraces(t *testing.T) {
	tests := []struct {
		name      string
		encoding  otlptracehttp.Encoding
		batch     bool
		wantReqs  int
		ext       string
		mediaType string
	}{
		// A simple span processor exports every span as it ends: five
		// requests of one span each, children first.
		{name: "simple", encoding: otlptracehttp.EncodingProtobuf, wantReqs: 5, ext: "pb", mediaType: "application/x-protobuf"},
		// A batch processor sends the whole trace at shutdown.
		{name: "batch", encoding: otlptracehttp.EncodingProtobuf, batch: true, wantReqs: 1, ext: "pb", mediaType: "application/x-protobuf"},
		// OTel Go's own JSON marshaller, a second JSON producer next to
		// the JS exporter's. It writes ids in upper-case hex, which
		// OTLP allows and the JS exporter never does.
		{name: "json", encoding: otlptracehttp.EncodingJSON, batch: true, wantReqs: 1, ext: "json", mediaType: "application/json"},
	}
	srv := newOTLPServer(t)
	requests := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failOnOTelErrors(t)
			ctx := context.Background()
			exp, err := otlptracehttp.New(ctx,
				otlptracehttp.WithEndpoint(srv.host()),
				otlptracehttp.WithInsecure(),
				otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
				otlptracehttp.WithEncoding(tt.encoding),
				// A rejection must fail the test now, not after a
				// minute of backing off.
				otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
			)
			require.NoError(t, err)
			proc := sdktrace.NewSimpleSpanProcessor(exp)
			if tt.batch {
				proc = sdktrace.NewBatchSpanProcessor(exp)
			}
			tp := sdktrace.NewTracerProvider(
				sdktrace.WithResource(goResource(t)),
				sdktrace.WithSampler(sdktrace.AlwaysSample()),
				sdktrace.WithSpanProcessor(proc),
			)
			want := recordOrderTrace(ctx, tp.Tracer("sdkcapture", trace.WithInstrumentationVersion("1.0.0")))
			require.NoError(t, tp.ForceFlush(ctx))
			require.NoError(t, tp.Shutdown(ctx))

			exs := srv.take()
			require.Len(t, exs, tt.wantReqs)
			requests += len(exs)
			bodies := checkExchanges(t, exs, "/v1/traces", tt.mediaType, "gzip", "OTel OTLP Exporter Go/"+otelGoVersion)

			checkOrderTrace(t, mergeTraces(exs), want, "go", goPaymentErrorType)
			if !tt.batch {
				checkOneSpanPerRequest(t, exs)
			}
			maybeWriteOTLP(t, "go-otlptracehttp-"+tt.name, tt.ext, bodies)
		})
	}
	suitelog.Report(t, t.Name(), requests, fmt.Sprintf("trace requests from %d exporter setups", len(tests)))
}

// checkOneSpanPerRequest holds a simple span processor's requests one by
// one: each has one span, the request of the server span makes a
// transaction of its own, and every other span, whose parent is in
// another request, stays a span.
func checkOneSpanPerRequest(t *testing.T, exs []*otlpExchange) {
	t.Helper()
	txs := 0
	for i, ex := range exs {
		res := otlp.ConvertTraces(ex.Req.Traces, otlp.WithTransactions(true))
		require.Empty(t, res.Rejected, "request %d", i)
		require.Equal(t, 1, len(res.Spans)+len(res.Transactions), "request %d", i)
		txs += len(res.Transactions)
	}
	assert.Equal(t, 1, txs, "one request holds the root span")
}

func TestOTLPGoLogs(t *testing.T) {
	failOnOTelErrors(t)
	srv := newOTLPServer(t)
	ctx := context.Background()
	exp, err := otlploghttp.New(ctx,
		otlploghttp.WithEndpoint(srv.host()),
		otlploghttp.WithInsecure(),
		otlploghttp.WithCompression(otlploghttp.GzipCompression),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}),
	)
	require.NoError(t, err)
	ref := emitOrderLogs(t, sdklog.NewSimpleProcessor(exp))

	exs := srv.take()
	require.Len(t, exs, 2, "a simple processor sends a request per record")
	// otlploghttp v0.23.0 still names itself 0.14.0: its version string
	// was not bumped with the module.
	bodies := checkExchanges(t, exs, "/v1/logs", "application/x-protobuf", "gzip",
		"OTel Go OTLP over HTTP/protobuf logs exporter/0.14.0")
	checkOrderLogs(t, mergeLogs(exs), ref)
	maybeWriteOTLP(t, "go-otlploghttp-logs", "pb", bodies)
	suitelog.Report(t, t.Name(), len(exs), "log requests, one record each")
}

// emitOrderLogs writes the two log records of the order scenario through a
// logger provider with the processor proc, the first inside a span, then
// flushes and shuts the provider down. It returns the span's ids.
func emitOrderLogs(t *testing.T, proc sdklog.Processor) spanRef {
	t.Helper()
	ctx := context.Background()
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(goResource(t)), sdklog.WithProcessor(proc))
	logger := lp.Logger("sdkcapture", otellog.WithInstrumentationVersion("1.0.0"))

	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	spanCtx, span := tp.Tracer("sdkcapture").Start(ctx, "GET "+orderRoute, trace.WithSpanKind(trace.SpanKindServer))
	var warn otellog.Record
	warn.SetTimestamp(time.Now())
	warn.SetSeverity(otellog.SeverityWarn)
	warn.SetSeverityText("WARN")
	warn.SetBody(attribute.StringValue(logRetry))
	warn.AddAttributes(attribute.Int("order.id", 42), attribute.Bool("retry", true))
	logger.Emit(spanCtx, warn)
	span.End()

	var info otellog.Record
	info.SetTimestamp(time.Now())
	info.SetSeverity(otellog.SeverityInfo)
	info.SetSeverityText("INFO")
	info.SetBody(attribute.StringValue(logCache))
	info.AddAttributes(attribute.Int("cache.entries", 1200))
	logger.Emit(ctx, info)

	require.NoError(t, lp.ForceFlush(ctx))
	require.NoError(t, lp.Shutdown(ctx))
	sc := span.SpanContext()
	return spanRef{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String()}
}

// The bodies of the two log records both drivers write.
const (
	logRetry = "inventory answered 503, retrying"
	logCache = "cache warmed"
)

func TestOTLPNode(t *testing.T) {
	requireTool(t, "node", "the OpenTelemetry JS captures need it")
	for _, pkg := range []string{"sdk-trace-base", "exporter-trace-otlp-http", "sdk-logs", "exporter-logs-otlp-http"} {
		if _, err := os.Stat(filepath.Join("node", "node_modules", "@opentelemetry", pkg, "package.json")); err != nil {
			missing(t, "@opentelemetry/"+pkg+" is not installed in node/node_modules")
		}
	}
	srv := newOTLPServer(t)
	userAgent := "OTel-OTLP-Exporter-JavaScript/" + otelJSVersion
	traceReqs, logReqs := 0, 0

	t.Run("traces", func(t *testing.T) {
		var want orderTrace
		require.NoError(t, json.Unmarshal(runNodeOTLP(t, srv.srv.URL, "traces"), &want))
		exs := srv.take()
		require.Len(t, exs, 5, "a simple span processor sends a request per span")
		traceReqs = len(exs)
		// The JS exporter does not compress unless told to.
		bodies := checkExchanges(t, exs, "/v1/traces", "application/json", "", userAgent)
		checkOrderTrace(t, mergeTraces(exs), want, "node", nodePaymentErrorType)
		checkOneSpanPerRequest(t, exs)
		maybeWriteOTLP(t, "node-otlp-http-traces", "json", bodies)
	})
	t.Run("logs", func(t *testing.T) {
		var got struct {
			Log spanRef `json:"log"`
		}
		require.NoError(t, json.Unmarshal(runNodeOTLP(t, srv.srv.URL, "logs"), &got))
		exs := srv.take()
		require.Len(t, exs, 2, "a simple processor sends a request per record")
		logReqs = len(exs)
		bodies := checkExchanges(t, exs, "/v1/logs", "application/json", "", userAgent)
		checkOrderLogs(t, mergeLogs(exs), got.Log)
		maybeWriteOTLP(t, "node-otlp-http-logs", "json", bodies)
	})
	suitelog.Report(t, t.Name(), traceReqs+logReqs, fmt.Sprintf("requests (%d traces, %d logs)", traceReqs, logReqs))
}

// runNodeOTLP runs node/otlp-capture.js and returns what it printed on
// stdout: the ids of the spans it recorded.
func runNodeOTLP(t *testing.T, baseURL, scenario string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "otlp-capture.js", scenario, baseURL)
	cmd.Dir = "node"
	// OTEL_* variables would reconfigure the exporters (endpoint,
	// compression, resource); the driver configures them in code.
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node otlp-capture.js %s failed:\n%s", scenario, stderr.Bytes())
	if stderr.Len() > 0 {
		t.Logf("node stderr:\n%s", stderr.Bytes())
	}
	return out
}

// checkOrderTrace converts the order trace as a host would and holds the
// result against the ids the SDK reported: the span v2 records first, then
// the transaction and the error event.
func checkOrderTrace(t *testing.T, traces *otlp.Traces, want orderTrace, platform, errorType string) {
	t.Helper()
	traceID := want.Server.TraceID
	for _, r := range []spanRef{want.Internal, want.Client, want.DB, want.Error} {
		require.Equal(t, traceID, r.TraceID, "the SDK put all spans in one trace")
	}

	t.Run("spans", func(t *testing.T) {
		res := otlp.ConvertTraces(traces)
		require.Empty(t, res.Rejected)
		require.Len(t, res.Spans, 5)
		spans := map[string]protocol.SpanV2{}
		for _, s := range res.Spans {
			assert.Equal(t, traceID, s.TraceID)
			spans[s.SpanID] = s
		}
		for _, c := range []struct {
			ref    spanRef
			parent string
			name   string
			kind   string
			op     string
			status protocol.SpanV2Status
		}{
			{want.Server, "", "GET " + orderRoute, "server", "http.server", protocol.SpanV2OK},
			{want.Internal, want.Server.SpanID, "load order", "internal", "default", protocol.SpanV2OK},
			{want.Client, want.Internal.SpanID, "GET", "client", "http.client", protocol.SpanV2Error},
			{want.DB, want.Internal.SpanID, "SELECT orders", "client", "db", protocol.SpanV2OK},
			{want.Error, want.Server.SpanID, "charge card", "internal", "default", protocol.SpanV2Error},
		} {
			s, ok := spans[c.ref.SpanID]
			if !assert.True(t, ok, "no span %s (%s)", c.ref.SpanID, c.name) {
				continue
			}
			assert.Equal(t, c.parent, s.ParentSpanID, c.name)
			assert.Equal(t, c.name, s.Name)
			assert.Equal(t, c.status, s.Status, c.name)
			attrs := s.Attributes
			assertAttr(t, attrs, "sentry.kind", c.kind, c.name)
			assertAttr(t, attrs, "sentry.op", c.op, c.name)
			assertAttr(t, attrs, "sentry.origin", "auto.otlp.spans", c.name)
			assertAttr(t, attrs, "sentry.platform", platform, c.name)
			assertAttr(t, attrs, "resource.service.name", "checkout", c.name)
			assertAttr(t, attrs, "resource.service.version", "1.4.2", c.name)
			assertAttr(t, attrs, "resource.deployment.environment.name", "capture", c.name)
			assertAttr(t, attrs, "instrumentation.name", "sdkcapture", c.name)
			assertAttr(t, attrs, "instrumentation.version", "1.0.0", c.name)
			// Every span's segment is the server span, which is in the
			// request.
			assertAttr(t, attrs, "sentry.segment.id", want.Server.SpanID, c.name)
		}
		root := spans[want.Server.SpanID]
		if assert.NotNil(t, root.IsSegment) {
			assert.True(t, *root.IsSegment, "the server span has no parent: a segment")
		}
		assertAttr(t, spans[want.Error.SpanID].Attributes, "sentry.status.message", "boom", "error span")
		assertAttr(t, spans[want.DB.SpanID].Attributes, "db.query.text", orderQuery, "db span")
	})

	t.Run("transaction", func(t *testing.T) {
		res := otlp.ConvertTraces(traces, otlp.WithTransactions(true), otlp.WithErrorEvents(true))
		require.Empty(t, res.Rejected)
		require.Empty(t, res.Spans, "every span belongs to the server span's tree")
		require.Len(t, res.Transactions, 1)
		tx := res.Transactions[0]
		assert.Equal(t, "transaction", tx.Type)
		assert.Equal(t, "GET "+orderRoute, tx.Transaction)
		assert.Equal(t, platform, tx.Platform)
		assert.Equal(t, "capture", tx.Environment)

		tc, _, err := tx.Contexts.Trace()
		require.NoError(t, err)
		require.NotNil(t, tc)
		assert.EqualValues(t, traceID, tc.TraceID)
		assert.EqualValues(t, want.Server.SpanID, tc.SpanID)
		assert.Empty(t, tc.ParentSpanID)
		assert.Equal(t, "http.server", tc.Op)
		assert.Equal(t, protocol.SpanStatus("ok"), tc.Status)

		spans, _, err := tx.Spans.Get()
		require.NoError(t, err)
		require.Len(t, spans, 4, "the transaction holds the server span's descendants")
		byID := map[string]protocol.Span{}
		for _, s := range spans {
			assert.EqualValues(t, traceID, s.TraceID)
			byID[string(s.SpanID)] = s
		}
		for _, c := range []struct {
			ref         spanRef
			parent      string
			op          string
			description string
			status      protocol.SpanStatus
		}{
			{want.Internal, want.Server.SpanID, "default", "load order", "ok"},
			{want.Client, want.Internal.SpanID, "http.client", "GET https://inventory.example.com/stock/42", "unavailable"},
			{want.DB, want.Internal.SpanID, "db", orderQuery, "ok"},
			{want.Error, want.Server.SpanID, "default", "charge card", "internal_error"},
		} {
			s, ok := byID[c.ref.SpanID]
			if !assert.True(t, ok, "transaction lacks span %s (%s)", c.ref.SpanID, c.description) {
				continue
			}
			assert.EqualValues(t, c.parent, s.ParentSpanID, c.description)
			assert.Equal(t, c.op, s.Op, c.description)
			assert.Equal(t, c.description, s.Description)
			assert.Equal(t, c.status, s.Status, c.description)
		}
		// Sentry must accept what the library built.
		payload, err := protocol.Marshal(tx)
		require.NoError(t, err)
		decoded, err := protocol.DecodeTransaction(payload)
		require.NoError(t, err)
		assert.Empty(t, decoded.Warnings)

		require.Len(t, res.Errors, 1, "one exception event")
		ev := res.Errors[0]
		require.Len(t, ev.Exception.Values, 1)
		ex := ev.Exception.Values[0]
		assert.Equal(t, errorType, ex.Type)
		assert.EqualValues(t, chargeError, ex.Value)
		assert.Equal(t, protocol.Level("error"), ev.Level)
		assert.Equal(t, platform, ev.Platform)
		etc, _, err := ev.Contexts.Trace()
		require.NoError(t, err)
		require.NotNil(t, etc)
		assert.EqualValues(t, traceID, etc.TraceID)
		assert.EqualValues(t, want.Error.SpanID, etc.SpanID)
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
		require.NoError(t, err)
		assert.Empty(t, decodedEv.Warnings)
	})
}

// checkOrderLogs converts the two log records both drivers write.
func checkOrderLogs(t *testing.T, logs *otlp.Logs, span spanRef) {
	t.Helper()
	res := otlp.ConvertLogs(logs)
	require.Empty(t, res.Rejected)
	require.Len(t, res.Logs, 2)
	byBody := map[string]protocol.Log{}
	for _, l := range res.Logs {
		byBody[l.Body] = l
		assert.False(t, l.Timestamp.IsZero(), l.Body)
		assertAttr(t, l.Attributes, "resource.service.name", "checkout", l.Body)
		assertAttr(t, l.Attributes, "instrumentation.name", "sdkcapture", l.Body)
		assertAttr(t, l.Attributes, "instrumentation.version", "1.0.0", l.Body)
	}
	warn, ok := byBody[logRetry]
	require.True(t, ok, "no %q log", logRetry)
	assert.Equal(t, protocol.LogLevel("warn"), warn.Level)
	assert.Equal(t, span.TraceID, warn.TraceID)
	assert.Equal(t, span.SpanID, warn.SpanID)
	assertAttrInt(t, warn.Attributes, "order.id", 42)
	if a, ok := warn.Attributes["retry"]; assert.True(t, ok, "retry attribute") {
		b, ok := a.Bool()
		assert.True(t, ok && b, "retry = %s", a.Value)
	}

	info, ok := byBody[logCache]
	require.True(t, ok, "no %q log", logCache)
	assert.Equal(t, protocol.LogLevel("info"), info.Level)
	assert.Empty(t, info.SpanID, "written outside a span")
	// Relay gives a log without a trace a random one.
	assert.Len(t, info.TraceID, 32)
	assertAttrInt(t, info.Attributes, "cache.entries", 1200)
}

func assertAttr(t *testing.T, attrs protocol.Attributes, key, want, where string) {
	t.Helper()
	a, ok := attrs[key]
	if !assert.True(t, ok, "%s: no attribute %q", where, key) {
		return
	}
	got, ok := a.String()
	assert.True(t, ok, "%s: attribute %q is not a string: %s", where, key, a.Value)
	assert.Equal(t, want, got, "%s: attribute %q", where, key)
}

func assertAttrInt(t *testing.T, attrs protocol.Attributes, key string, want int64) {
	t.Helper()
	a, ok := attrs[key]
	if !assert.True(t, ok, "no attribute %q", key) {
		return
	}
	assert.Equal(t, protocol.AttributeInteger, a.Type, key)
	got, ok := a.Int()
	assert.True(t, ok, "attribute %q is not an integer: %s", key, a.Value)
	assert.Equal(t, want, got, key)
}

// maybeWriteOTLP stores the decoded request bodies of one scenario as
// <otlpCaptureDir>/<name>.<n>.<ext> when -update is set, numbered in
// arrival order. Stale files of the scenario go first, so that a scenario
// that now sends fewer requests leaves none behind.
func maybeWriteOTLP(t *testing.T, name, ext string, bodies [][]byte) {
	t.Helper()
	if !*update {
		return
	}
	require.NoError(t, os.MkdirAll(otlpCaptureDir, 0o755))
	stale, err := filepath.Glob(filepath.Join(otlpCaptureDir, name+".*."+ext))
	require.NoError(t, err)
	for _, f := range stale {
		num := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), name+"."), "."+ext)
		if num != "" && strings.Trim(num, "0123456789") == "" {
			require.NoError(t, os.Remove(f))
		}
	}
	for i, b := range bodies {
		require.NoError(t, os.WriteFile(filepath.Join(otlpCaptureDir, fmt.Sprintf("%s.%d.%s", name, i, ext)), b, 0o644))
	}
	t.Logf("wrote %d request body file(s) to %s/%s.*.%s", len(bodies), otlpCaptureDir, name, ext)
}
