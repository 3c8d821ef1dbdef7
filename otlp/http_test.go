package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
)

const (
	httpTestKey  = "e12d836b15bb49d7bbf99e64295d995b"
	httpTestAuth = "Sentry sentry_version=7, sentry_key=" + httpTestKey

	// Two spans of one trace, as the JavaScript exporter writes them.
	tracesJSONBody = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
		"scopeSpans":[{"scope":{"name":"manual"},"spans":[
		{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /orders","kind":2,
		 "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","status":{"code":2}},
		{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174","name":"SELECT",
		 "startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000"}]}]}]}`
	logsJSONBody = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[
		{"timeUnixNano":"1700000000000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"order placed"},
		 "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}`
)

// tracesProtoBody is a binary request of three spans.
var tracesProtoBody = sync.OnceValue(func() []byte {
	td := &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
			{TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{2}, 8), Name: "a", StartTimeUnixNano: 1, EndTimeUnixNano: 2},
			{TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{3}, 8), Name: "b", StartTimeUnixNano: 1, EndTimeUnixNano: 2},
			{TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{4}, 8), Name: "c", StartTimeUnixNano: 1, EndTimeUnixNano: 2},
		}}},
	}}}
	b, err := proto.Marshal(td)
	if err != nil {
		panic(err)
	}
	return b
})

// logsProtoBody is a binary request of one log record.
var logsProtoBody = sync.OnceValue(func() []byte {
	ld := &logspb.LogsData{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{
			{TimeUnixNano: 1700000000000000000, SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN},
		}}},
	}}}
	b, err := proto.Marshal(ld)
	if err != nil {
		panic(err)
	}
	return b
})

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// The response messages, described here because the generated packages
// that hold them also import gRPC, which this module does not depend on.
// The descriptor is the oracle: proto.Unmarshal and protojson read the
// responses as any OTLP client would.
var responseTypes = sync.OnceValue(func() map[string]protoreflect.MessageDescriptor {
	field := func(name string, n int32, typ descriptorpb.FieldDescriptorProto_Type, msg string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{
			Name: proto.String(name), Number: proto.Int32(n), Type: typ.Enum(),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		}
		if msg != "" {
			f.TypeName = proto.String(msg)
		}
		return f
	}
	const (
		i32 = descriptorpb.FieldDescriptorProto_TYPE_INT32
		i64 = descriptorpb.FieldDescriptorProto_TYPE_INT64
		str = descriptorpb.FieldDescriptorProto_TYPE_STRING
		msg = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	)
	message := func(name string, fields ...*descriptorpb.FieldDescriptorProto) *descriptorpb.DescriptorProto {
		return &descriptorpb.DescriptorProto{Name: proto.String(name), Field: fields}
	}
	fdp := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("otlp_http_test.proto"),
		Package: proto.String("otlptest"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			message("ExportTracePartialSuccess", field("rejected_spans", 1, i64, ""), field("error_message", 2, str, "")),
			message("ExportTraceServiceResponse", field("partial_success", 1, msg, ".otlptest.ExportTracePartialSuccess")),
			message("ExportLogsPartialSuccess", field("rejected_log_records", 1, i64, ""), field("error_message", 2, str, "")),
			message("ExportLogsServiceResponse", field("partial_success", 1, msg, ".otlptest.ExportLogsPartialSuccess")),
			message("Status", field("code", 1, i32, ""), field("message", 2, str, "")),
		},
	}
	fd, err := protodesc.NewFile(fdp, nil)
	if err != nil {
		panic(err)
	}
	out := map[string]protoreflect.MessageDescriptor{}
	for i := 0; i < fd.Messages().Len(); i++ {
		md := fd.Messages().Get(i)
		out[string(md.Name())] = md
	}
	return out
})

// readMessage decodes body as the named response message.
func readMessage(t *testing.T, name string, enc Encoding, body []byte) *dynamicpb.Message {
	t.Helper()
	m := dynamicpb.NewMessage(responseTypes()[name])
	var err error
	if enc == Protobuf {
		err = proto.Unmarshal(body, m)
	} else {
		err = protojson.Unmarshal(body, m)
	}
	require.NoError(t, err, "%s in %v: %q", name, enc, body)
	return m
}

// readStatus decodes a google.rpc.Status.
func readStatus(t *testing.T, enc Encoding, body []byte) (code int32, message string) {
	t.Helper()
	m := readMessage(t, "Status", enc, body)
	f := m.Descriptor().Fields()
	return int32(m.Get(f.ByName("code")).Int()), m.Get(f.ByName("message")).String()
}

// readExportResponse decodes an export response: whether it has a
// partial_success, and its fields.
func readExportResponse(t *testing.T, sig Signal, enc Encoding, body []byte) (partial bool, rejected int64, message string) {
	t.Helper()
	name, count := "ExportTraceServiceResponse", "rejected_spans"
	if sig == SignalLogs {
		name, count = "ExportLogsServiceResponse", "rejected_log_records"
	}
	m := readMessage(t, name, enc, body)
	ps := m.Descriptor().Fields().ByName("partial_success")
	if !m.Has(ps) {
		return false, 0, ""
	}
	p := m.Get(ps).Message()
	f := p.Descriptor().Fields()
	return true, p.Get(f.ByName(protoreflect.Name(count))).Int(), p.Get(f.ByName("error_message")).String()
}

func TestReadRequest(t *testing.T) {
	small := DefaultLimits()
	small.MaxBodySize = 1 << 20
	oneSpan := DefaultLimits()
	oneSpan.MaxSpans = 1
	// 16 MiB of zeros, about 16 KiB gzipped.
	bomb := gzipBytes(make([]byte, 16<<20))

	tests := []struct {
		name    string
		method  string
		pattern string // a ServeMux pattern to route through, or none
		target  string
		headers map[string]string
		body    []byte
		chunked bool // no Content-Length
		limits  *Limits

		status  int
		signal  Signal
		enc     Encoding
		project uint64
		source  dsn.Source
		items   int      // spans or log records decoded
		errIs   error    // what ReadRequest's error matches
		respEnc Encoding // the encoding of the error body
		grpc    int32
		message string // a part of the Status message
		header  [2]string
	}{
		{name: "JSON traces", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json"},
			body: []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, items: 2},
		{name: "protobuf traces", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			body: tracesProtoBody(), status: 200, signal: SignalTraces, enc: Protobuf, items: 3},
		{name: "gzip protobuf", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
			body: gzipBytes(tracesProtoBody()), status: 200, signal: SignalTraces, enc: Protobuf, items: 3},
		{name: "gzip JSON without length", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"},
			body: gzipBytes([]byte(tracesJSONBody)), chunked: true, status: 200, signal: SignalTraces, enc: JSON, items: 2},
		{name: "trailing slash", target: "/v1/traces/", headers: map[string]string{"Content-Type": "application/json"},
			body: []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, items: 2},
		{name: "charset parameter", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json; charset=utf-8"},
			body: []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, items: 2},
		{name: "JSON logs", target: "/v1/logs", headers: map[string]string{"Content-Type": "application/json"},
			body: []byte(logsJSONBody), status: 200, signal: SignalLogs, enc: JSON, items: 1},
		{name: "protobuf logs, trailing slash", target: "/v1/logs/", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			body: logsProtoBody(), status: 200, signal: SignalLogs, enc: Protobuf, items: 1},
		{name: "prefixed path", target: "/collector/otlp/v1/traces", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			body: tracesProtoBody(), status: 200, signal: SignalTraces, enc: Protobuf, items: 3},
		{name: "empty JSON body", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json"},
			status: 200, signal: SignalTraces, enc: JSON},
		{name: "empty protobuf logs", target: "/v1/logs", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			status: 200, signal: SignalLogs, enc: Protobuf},
		{name: "plain path ignores credentials it cannot use", target: "/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "Authorization": "Basic dXNlcjpwYXNz"},
			body:    []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, items: 2},
		{name: "plain path keeps a Sentry key", target: "/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "X-Sentry-Auth": httpTestAuth},
			body:    []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, items: 2, source: dsn.SourceXSentryAuth},

		// Sentry's project paths.
		{name: "integration path through a pattern", pattern: "POST /api/{project_id}/integration/otlp/v1/",
			target:  "/api/42/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/x-protobuf", "X-Sentry-Auth": httpTestAuth},
			body:    tracesProtoBody(), status: 200, signal: SignalTraces, enc: Protobuf, project: 42, source: dsn.SourceXSentryAuth, items: 3},
		{name: "integration logs path without a pattern", target: "/api/42/integration/otlp/v1/logs/",
			headers: map[string]string{"Content-Type": "application/json", "X-Sentry-Auth": httpTestAuth},
			body:    []byte(logsJSONBody), status: 200, signal: SignalLogs, enc: JSON, project: 42, source: dsn.SourceXSentryAuth, items: 1},
		{name: "older otlp path, key in the query", target: "/api/7/otlp/v1/traces?sentry_key=" + httpTestKey,
			headers: map[string]string{"Content-Type": "application/json"},
			body:    []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, project: 7, source: dsn.SourceQuery, items: 2},
		{name: "integration content type", target: "/api/42/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/vnd.sentry.integration.otel.spans+json", "X-Sentry-Auth": httpTestAuth},
			body:    []byte(tracesJSONBody), status: 200, signal: SignalTraces, enc: JSON, project: 42, source: dsn.SourceXSentryAuth, items: 2},
		// Relay's integration test: no credentials, protobuf body.
		{name: "project path without credentials", target: "/api/42/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/x-protobuf"}, body: tracesProtoBody(),
			status: 401, errIs: dsn.ErrMissingAuth, respEnc: Protobuf, grpc: 16, message: "missing authorization information"},
		{name: "project path with a bad key", pattern: "POST /api/{project_id}/integration/otlp/v1/",
			target:  "/api/42/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "X-Sentry-Auth": "Sentry sentry_key=short"}, body: []byte(tracesJSONBody),
			status: 400, errIs: dsn.ErrBadPublicKey, respEnc: JSON, grpc: 3, message: "bad sentry DSN public key"},
		{name: "project id not a number", target: "/api/shop/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "X-Sentry-Auth": httpTestAuth}, body: []byte(tracesJSONBody),
			status: 400, errIs: dsn.ErrBadProject, respEnc: JSON, grpc: 3, message: "bad project path parameter"},
		{name: "project id not a number, through a pattern", pattern: "POST /api/{project_id}/integration/otlp/v1/",
			target:  "/api/shop/integration/otlp/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "X-Sentry-Auth": httpTestAuth}, body: []byte(tracesJSONBody),
			status: 400, errIs: dsn.ErrBadProject, respEnc: JSON, grpc: 3},

		// Relay's integration test: text/plain is 415 with a JSON INVALID_ARGUMENT.
		{name: "text/plain", target: "/v1/traces", headers: map[string]string{"Content-Type": "text/plain"}, body: tracesProtoBody(),
			status: 415, errIs: ErrUnsupportedContentType, respEnc: JSON, grpc: 3, message: "unsupported content type"},
		{name: "no Content-Type", target: "/v1/traces", body: []byte(tracesJSONBody),
			status: 415, errIs: ErrUnsupportedContentType, respEnc: JSON, grpc: 3},
		{name: "unknown Content-Encoding", target: "/v1/traces",
			headers: map[string]string{"Content-Type": "application/x-protobuf", "Content-Encoding": "GZIP"}, body: gzipBytes(tracesProtoBody()),
			status: 415, errIs: envelope.ErrUnsupportedEncoding, respEnc: Protobuf, grpc: 3, header: [2]string{"Accept-Encoding", envelope.AcceptEncoding}},
		{name: "corrupt gzip", target: "/v1/traces",
			headers: map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, body: []byte("not gzip at all"),
			status: 400, errIs: envelope.ErrCorruptBody, respEnc: JSON, grpc: 3},
		{name: "body over the limit", target: "/v1/traces", limits: &small,
			headers: map[string]string{"Content-Type": "application/x-protobuf"}, body: make([]byte, 1<<20+1),
			status: 413, errIs: ErrLimitExceeded, respEnc: Protobuf, grpc: 8, message: "MaxBodySize"},
		{name: "body over the limit without length", target: "/v1/traces", limits: &small, chunked: true,
			headers: map[string]string{"Content-Type": "application/json"}, body: bytes.Repeat([]byte(" "), 1<<20+1),
			status: 413, errIs: ErrLimitExceeded, respEnc: JSON, grpc: 8, message: "MaxBodySize"},
		{name: "gzip bomb", target: "/v1/traces", limits: &small,
			headers: map[string]string{"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}, body: bomb,
			status: 413, errIs: ErrLimitExceeded, respEnc: Protobuf, grpc: 8, message: "MaxBodySize"},
		{name: "too many spans", target: "/v1/traces", limits: &oneSpan,
			headers: map[string]string{"Content-Type": "application/json"}, body: []byte(tracesJSONBody),
			status: 413, errIs: ErrLimitExceeded, respEnc: JSON, grpc: 8, message: "MaxSpans"},
		{name: "malformed JSON", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json"},
			body:   []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":{}}]}]}]}`),
			status: 400, errIs: ErrInvalidJSON, respEnc: JSON, grpc: 3, message: "/resourceSpans/0/scopeSpans/0/spans/0"},
		{name: "malformed protobuf", target: "/v1/traces", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			body:   []byte{0x0a, 0x05, 0x12, 0x03},
			status: 400, errIs: ErrInvalidProtobuf, respEnc: Protobuf, grpc: 3, message: "/resourceSpans/0"},
		{name: "GET", method: http.MethodGet, target: "/v1/traces", headers: map[string]string{"Content-Type": "application/json"},
			status: 405, errIs: ErrMethodNotAllowed, respEnc: JSON, grpc: 2, header: [2]string{"Allow", "POST"}},
		{name: "metrics", target: "/v1/metrics", headers: map[string]string{"Content-Type": "application/x-protobuf"},
			status: 404, errIs: ErrUnknownSignal, respEnc: Protobuf, grpc: 5, message: "/v1/metrics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []Option
			if tt.limits != nil {
				opts = append(opts, WithLimits(*tt.limits))
			}
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			newRequest := func() *http.Request {
				var body io.Reader = bytes.NewReader(tt.body)
				if tt.chunked {
					body = io.MultiReader(body) // so that ContentLength is -1
				}
				r := httptest.NewRequest(method, tt.target, body)
				for k, v := range tt.headers {
					r.Header.Set(k, v)
				}
				return r
			}

			var got *Request
			var readErr error
			h := NewHandler(func(_ context.Context, req *Request) (int64, string, error) {
				got = req
				return 0, "", nil
			}, opts...)
			// The request is read twice: by ReadRequest directly, for its
			// error, and by the handler, for the answer.
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				r.Body = io.NopCloser(bytes.NewReader(body))
				_, readErr = ReadRequest(r, opts...)
				r.Body = io.NopCloser(bytes.NewReader(body))
				h.ServeHTTP(w, r)
			})
			if tt.pattern != "" {
				mux := http.NewServeMux()
				mux.Handle(tt.pattern, handler)
				handler = mux
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, newRequest())

			require.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.status != http.StatusOK {
				require.Error(t, readErr)
				assert.ErrorIs(t, readErr, tt.errIs)
				assert.Equal(t, tt.status, HTTPStatus(readErr))
				assert.Nil(t, got, "export was called")
				assert.Equal(t, tt.respEnc.ContentType(), w.Header().Get("Content-Type"))
				code, msg := readStatus(t, tt.respEnc, w.Body.Bytes())
				assert.Equal(t, tt.grpc, code)
				assert.Contains(t, msg, tt.message)
				if tt.header[0] != "" {
					assert.Equal(t, tt.header[1], w.Header().Get(tt.header[0]))
				}
				return
			}
			require.NoError(t, readErr)
			require.NotNil(t, got)
			assert.Equal(t, tt.signal, got.Signal)
			assert.Equal(t, tt.enc, got.Encoding)
			assert.Equal(t, tt.project, got.ProjectID)
			assert.Equal(t, tt.source, got.Auth.Source)
			if tt.source != dsn.SourceNone {
				assert.Equal(t, httpTestKey, got.Auth.PublicKey)
			}
			n := 0
			switch tt.signal {
			case SignalTraces:
				require.NotNil(t, got.Traces)
				assert.Nil(t, got.Logs)
				for _, rs := range got.Traces.ResourceSpans {
					for _, ss := range rs.ScopeSpans {
						n += len(ss.Spans)
					}
				}
			case SignalLogs:
				require.NotNil(t, got.Logs)
				assert.Nil(t, got.Traces)
				for _, rl := range got.Logs.ResourceLogs {
					for _, sl := range rl.ScopeLogs {
						n += len(sl.LogRecords)
					}
				}
			}
			assert.Equal(t, tt.items, n)

			// Full success: an empty response in the request's encoding.
			assert.Equal(t, tt.enc.ContentType(), w.Header().Get("Content-Type"))
			if tt.enc == Protobuf {
				assert.Empty(t, w.Body.Bytes())
			} else {
				assert.Equal(t, "{}", w.Body.String())
			}
		})
	}
}

func TestWriteResponse(t *testing.T) {
	tests := []struct {
		signal   Signal
		enc      Encoding
		rejected int64
		message  string
		want     string // the exact body, for JSON
	}{
		{SignalTraces, JSON, 0, "", `{}`},
		{SignalTraces, Protobuf, 0, "", ""},
		{SignalTraces, JSON, 3, "3 spans had an invalid span id", `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"3 spans had an invalid span id"}}`},
		{SignalTraces, Protobuf, 3, "3 spans had an invalid span id", ""},
		{SignalLogs, JSON, 2, "", `{"partialSuccess":{"rejectedLogRecords":"2"}}`},
		{SignalLogs, Protobuf, 2, "", ""},
		{SignalTraces, JSON, 0, "attributes were truncated", `{"partialSuccess":{"errorMessage":"attributes were truncated"}}`},
		{SignalLogs, Protobuf, 0, "a \"quoted\"\nwarning", ""},
		{SignalTraces, JSON, 1 << 40, "", `{"partialSuccess":{"rejectedSpans":"1099511627776"}}`},
		{SignalTraces, JSON, 1, "bad \xff byte", "{\"partialSuccess\":{\"rejectedSpans\":\"1\",\"errorMessage\":\"bad \uFFFD byte\"}}"},
		{SignalTraces, Protobuf, 1, "bad \xff byte", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v %v %d %q", tt.signal, tt.enc, tt.rejected, tt.message), func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteResponse(w, &Request{Signal: tt.signal, Encoding: tt.enc}, tt.rejected, tt.message)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.enc.ContentType(), w.Header().Get("Content-Type"))
			if tt.enc == JSON {
				assert.Equal(t, tt.want, w.Body.String())
			}
			partial, rejected, message := readExportResponse(t, tt.signal, tt.enc, w.Body.Bytes())
			assert.Equal(t, tt.rejected != 0 || tt.message != "", partial)
			assert.Equal(t, tt.rejected, rejected)
			assert.Equal(t, strings.ToValidUTF8(tt.message, "\uFFFD"), message)
		})
	}
}

func TestWriteResponseNegativeAndNil(t *testing.T) {
	w := httptest.NewRecorder()
	WriteResponse(w, &Request{Signal: SignalTraces, Encoding: Protobuf}, -5, "")
	assert.Empty(t, w.Body.Bytes(), "a negative count is no rejection")

	w = httptest.NewRecorder()
	WriteResponse(w, nil, 0, "")
	assert.Equal(t, ContentTypeJSON, w.Header().Get("Content-Type"))
	assert.Equal(t, "{}", w.Body.String())
}

// TestExportErrors checks the answers to errors of the host's export
// function: throttling with Retry-After, as Relay's rate-limit test
// expects (429, JSON code 8), and errors that reveal nothing.
func TestExportErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		enc        Encoding
		status     int
		grpc       int32
		message    string
		retryAfter string
	}{
		{"throttled", &StatusError{Code: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond}, JSON, 429, 8, "Too Many Requests", "2"},
		{"overloaded", &StatusError{Code: http.StatusServiceUnavailable, RetryAfter: 30 * time.Second, Err: errors.New("queue full")}, Protobuf, 503, 14, "queue full", "30"},
		{"a long wait", &StatusError{Code: http.StatusServiceUnavailable, RetryAfter: math.MaxInt64}, JSON, 503, 14, "Service Unavailable", "9223372037"},
		{"forbidden", &StatusError{Code: http.StatusForbidden, Err: errors.New("project disabled")}, Protobuf, 403, 7, "project disabled", ""},
		{"wrapped", fmt.Errorf("export: %w", &StatusError{Code: http.StatusBadGateway}), JSON, 502, 14, "export: Bad Gateway", ""},
		{"not an error status", &StatusError{Code: http.StatusOK}, JSON, 500, 13, "Internal Server Error", ""},
		{"internal", errors.New("pq: connection refused to 10.0.0.3"), JSON, 500, 13, "Internal Server Error", ""},
		{"deadline", fmt.Errorf("store: %w", context.DeadlineExceeded), Protobuf, 504, 4, "store: context deadline exceeded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(func(context.Context, *Request) (int64, string, error) { return 0, "", tt.err })
			r := httptest.NewRequest(http.MethodPost, "/v1/traces", nil)
			r.Header.Set("Content-Type", tt.enc.ContentType())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.retryAfter, w.Header().Get("Retry-After"))
			assert.Equal(t, tt.enc.ContentType(), w.Header().Get("Content-Type"))
			code, msg := readStatus(t, tt.enc, w.Body.Bytes())
			assert.Equal(t, tt.grpc, code)
			assert.Equal(t, tt.message, msg)
		})
	}
}

func TestPartialSuccessThroughHandler(t *testing.T) {
	for _, enc := range []Encoding{JSON, Protobuf} {
		t.Run(enc.String(), func(t *testing.T) {
			h := NewHandler(func(_ context.Context, req *Request) (int64, string, error) {
				return 1, "span 0 has an invalid span id", nil
			})
			body := []byte(tracesJSONBody)
			if enc == Protobuf {
				body = tracesProtoBody()
			}
			r := httptest.NewRequest(http.MethodPost, "/v1/traces", bytes.NewReader(body))
			r.Header.Set("Content-Type", enc.ContentType())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(t, http.StatusOK, w.Code)
			partial, rejected, message := readExportResponse(t, SignalTraces, enc, w.Body.Bytes())
			assert.True(t, partial)
			assert.EqualValues(t, 1, rejected)
			assert.Equal(t, "span 0 has an invalid span id", message)
		})
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{&DecodeError{Encoding: JSON, Err: errors.New("x")}, 400},
		{&DecodeError{Encoding: Protobuf}, 400},
		{&LimitError{Limit: "MaxSpans"}, 413},
		{fmt.Errorf("wrapped: %w", &LimitError{Limit: "MaxDepth"}), 413},
		{&http.MaxBytesError{Limit: 10}, 413},
		{envelope.ErrBodyTooLarge, 413},
		{envelope.ErrUnsupportedEncoding, 415},
		{envelope.ErrCorruptBody, 400},
		{ErrUnsupportedContentType, 415},
		{ErrMethodNotAllowed, 405},
		{ErrUnknownSignal, 404},
		{&dsn.Error{Kind: dsn.ErrMissingAuth}, 401},
		{&dsn.Error{Kind: dsn.ErrBadAuth}, 401},
		{&dsn.Error{Kind: dsn.ErrBadProject}, 400},
		{ErrInvalidSpanID, 400},
		{&StatusError{Code: 429}, 429},
		{&StatusError{Code: 999}, 500},
		{context.DeadlineExceeded, 504},
		{context.Canceled, 500},
		{io.ErrUnexpectedEOF, 500},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, HTTPStatus(tt.err), "%v", tt.err)
	}
}

// TestGRPCCode pins the HTTP status to gRPC code table of Relay's OTLP
// endpoints.
func TestGRPCCode(t *testing.T) {
	tests := []struct {
		status int
		want   int32
	}{
		{400, 3}, {415, 3}, {401, 16}, {403, 7}, {404, 5}, {413, 8}, {429, 8}, {501, 12},
		{502, 14}, {503, 14}, {504, 4}, {500, 13}, {507, 13}, {405, 2}, {409, 2}, {200, 2},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, grpcCode(tt.status), "%d", tt.status)
	}
}

func TestWriteErrorNil(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, nil, nil)
	assert.Equal(t, 500, w.Code)
	code, _ := readStatus(t, JSON, w.Body.Bytes())
	assert.EqualValues(t, 13, code)
}

func TestSignalString(t *testing.T) {
	assert.Equal(t, "traces", SignalTraces.String())
	assert.Equal(t, "logs", SignalLogs.String())
	assert.Equal(t, "Signal(9)", Signal(9).String())
}

// BenchmarkHandler measures what the handler adds to decoding a request
// of 100 spans: the baseline reads the same body and decodes it.
func BenchmarkHandler(b *testing.B) {
	td := &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{}}}}}
	for i := range 100 {
		td.ResourceSpans[0].ScopeSpans[0].Spans = append(td.ResourceSpans[0].ScopeSpans[0].Spans, &tracepb.Span{
			TraceId: bytes.Repeat([]byte{1}, 16), SpanId: []byte{2, 2, 2, 2, 2, 2, 2, byte(i + 1)}, Name: "GET /orders/{id}",
			StartTimeUnixNano: 1700000000000000000, EndTimeUnixNano: 1700000000500000000,
		})
	}
	body, err := proto.Marshal(td)
	require.NoError(b, err)
	newRequest := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/traces", bytes.NewReader(body))
		r.Header.Set("Content-Type", ContentTypeProtobuf)
		return r
	}
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			r := newRequest()
			_ = httptest.NewRecorder()
			data, err := io.ReadAll(r.Body)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := DecodeTraces(data, Protobuf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		h := NewHandler(func(context.Context, *Request) (int64, string, error) { return 0, "", nil })
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, newRequest())
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})
}
