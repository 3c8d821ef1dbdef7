package otlp

// The oracle: OTLP requests built with the generated protobuf types, and
// the model those requests must decode to. Every decoder test compares
// against it, so that "what proto.Unmarshal reads" stays the definition
// of a correct decode.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// tracesFromProto builds the model of a generated request. Absent and
// empty slices both become nil, so compare with requireSameTraces, which
// normalizes the decoded side the same way.
func tracesFromProto(req *coltracepb.ExportTraceServiceRequest) *Traces {
	t := &Traces{}
	for _, prs := range req.GetResourceSpans() {
		rs := ResourceSpans{
			Resource:  resourceFromProto(prs.GetResource()),
			SchemaURL: prs.GetSchemaUrl(),
		}
		for _, pss := range prs.GetScopeSpans() {
			ss := ScopeSpans{Scope: scopeFromProto(pss.GetScope()), SchemaURL: pss.GetSchemaUrl()}
			for _, ps := range pss.GetSpans() {
				ss.Spans = append(ss.Spans, spanFromProto(ps))
			}
			rs.ScopeSpans = append(rs.ScopeSpans, ss)
		}
		t.ResourceSpans = append(t.ResourceSpans, rs)
	}
	return t
}

func spanFromProto(ps *tracepb.Span) Span {
	s := Span{
		TraceID:                emptyToNil(ps.GetTraceId()),
		SpanID:                 emptyToNil(ps.GetSpanId()),
		TraceState:             ps.GetTraceState(),
		ParentSpanID:           emptyToNil(ps.GetParentSpanId()),
		Name:                   ps.GetName(),
		Kind:                   SpanKind(ps.GetKind()),
		StartTimeUnixNano:      ps.GetStartTimeUnixNano(),
		EndTimeUnixNano:        ps.GetEndTimeUnixNano(),
		Attributes:             kvsFromProto(ps.GetAttributes()),
		DroppedAttributesCount: ps.GetDroppedAttributesCount(),
		DroppedEventsCount:     ps.GetDroppedEventsCount(),
		DroppedLinksCount:      ps.GetDroppedLinksCount(),
		Flags:                  ps.GetFlags(),
	}
	for _, pe := range ps.GetEvents() {
		s.Events = append(s.Events, SpanEvent{
			TimeUnixNano:           pe.GetTimeUnixNano(),
			Name:                   pe.GetName(),
			Attributes:             kvsFromProto(pe.GetAttributes()),
			DroppedAttributesCount: pe.GetDroppedAttributesCount(),
		})
	}
	for _, pl := range ps.GetLinks() {
		s.Links = append(s.Links, SpanLink{
			TraceID:                emptyToNil(pl.GetTraceId()),
			SpanID:                 emptyToNil(pl.GetSpanId()),
			TraceState:             pl.GetTraceState(),
			Attributes:             kvsFromProto(pl.GetAttributes()),
			DroppedAttributesCount: pl.GetDroppedAttributesCount(),
			Flags:                  pl.GetFlags(),
		})
	}
	if st := ps.GetStatus(); st != nil {
		s.Status = &Status{Message: st.GetMessage(), Code: StatusCode(st.GetCode())}
	}
	return s
}

// logsFromProto is tracesFromProto for logs.
func logsFromProto(req *collogspb.ExportLogsServiceRequest) *Logs {
	l := &Logs{}
	for _, prl := range req.GetResourceLogs() {
		rl := ResourceLogs{
			Resource:  resourceFromProto(prl.GetResource()),
			SchemaURL: prl.GetSchemaUrl(),
		}
		for _, psl := range prl.GetScopeLogs() {
			sl := ScopeLogs{Scope: scopeFromProto(psl.GetScope()), SchemaURL: psl.GetSchemaUrl()}
			for _, pr := range psl.GetLogRecords() {
				sl.LogRecords = append(sl.LogRecords, LogRecord{
					TimeUnixNano:           pr.GetTimeUnixNano(),
					ObservedTimeUnixNano:   pr.GetObservedTimeUnixNano(),
					SeverityNumber:         SeverityNumber(pr.GetSeverityNumber()),
					SeverityText:           pr.GetSeverityText(),
					Body:                   valueFromProto(pr.GetBody()),
					Attributes:             kvsFromProto(pr.GetAttributes()),
					DroppedAttributesCount: pr.GetDroppedAttributesCount(),
					Flags:                  pr.GetFlags(),
					TraceID:                emptyToNil(pr.GetTraceId()),
					SpanID:                 emptyToNil(pr.GetSpanId()),
					EventName:              pr.GetEventName(),
				})
			}
			rl.ScopeLogs = append(rl.ScopeLogs, sl)
		}
		l.ResourceLogs = append(l.ResourceLogs, rl)
	}
	return l
}

// resourceFromProto maps an absent resource to the zero Resource: the
// model has no presence for it, as Relay makes no difference.
func resourceFromProto(r *resourcepb.Resource) Resource {
	return Resource{
		Attributes:             kvsFromProto(r.GetAttributes()),
		DroppedAttributesCount: r.GetDroppedAttributesCount(),
	}
}

func scopeFromProto(s *commonpb.InstrumentationScope) *Scope {
	if s == nil {
		return nil
	}
	return &Scope{
		Name:                   s.GetName(),
		Version:                s.GetVersion(),
		Attributes:             kvsFromProto(s.GetAttributes()),
		DroppedAttributesCount: s.GetDroppedAttributesCount(),
	}
}

func kvsFromProto(pkvs []*commonpb.KeyValue) []KeyValue {
	if len(pkvs) == 0 {
		return nil
	}
	kvs := make([]KeyValue, len(pkvs))
	for i, kv := range pkvs {
		kvs[i] = KeyValue{Key: kv.GetKey(), Value: valueFromProto(kv.GetValue())}
	}
	return kvs
}

// valueFromProto maps an absent AnyValue, one with no member set and one
// holding a string_value_strindex (a string-table index, which only
// profiles use) to the empty Value.
func valueFromProto(v *commonpb.AnyValue) Value {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return StringValue(x.StringValue)
	case *commonpb.AnyValue_BoolValue:
		return BoolValue(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return IntValue(x.IntValue)
	case *commonpb.AnyValue_DoubleValue:
		return DoubleValue(x.DoubleValue)
	case *commonpb.AnyValue_BytesValue:
		return BytesValue(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		var vs []Value
		for _, e := range x.ArrayValue.GetValues() {
			vs = append(vs, valueFromProto(e))
		}
		return ArrayValue(vs...)
	case *commonpb.AnyValue_KvlistValue:
		return KVListValue(kvsFromProto(x.KvlistValue.GetValues())...)
	}
	return Value{}
}

func emptyToNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// requireSameTraces requires two models to be equal, treating nil and
// empty slices as the same. It normalizes both in place.
func requireSameTraces(t testing.TB, want, got *Traces) {
	t.Helper()
	require.NotNil(t, got)
	normalizeTraces(want)
	normalizeTraces(got)
	require.Equal(t, want, got)
}

// requireSameLogs is requireSameTraces for logs.
func requireSameLogs(t testing.TB, want, got *Logs) {
	t.Helper()
	require.NotNil(t, got)
	normalizeLogs(want)
	normalizeLogs(got)
	require.Equal(t, want, got)
}

func normalizeTraces(t *Traces) {
	if t == nil {
		return
	}
	t.ResourceSpans = noneToNil(t.ResourceSpans)
	for i := range t.ResourceSpans {
		rs := &t.ResourceSpans[i]
		normalizeResource(&rs.Resource)
		rs.ScopeSpans = noneToNil(rs.ScopeSpans)
		for j := range rs.ScopeSpans {
			ss := &rs.ScopeSpans[j]
			normalizeScope(ss.Scope)
			ss.Spans = noneToNil(ss.Spans)
			for k := range ss.Spans {
				s := &ss.Spans[k]
				s.TraceID = emptyToNil(s.TraceID)
				s.SpanID = emptyToNil(s.SpanID)
				s.ParentSpanID = emptyToNil(s.ParentSpanID)
				s.Attributes = normalizeKVs(s.Attributes)
				s.Events = noneToNil(s.Events)
				for e := range s.Events {
					s.Events[e].Attributes = normalizeKVs(s.Events[e].Attributes)
				}
				s.Links = noneToNil(s.Links)
				for l := range s.Links {
					ln := &s.Links[l]
					ln.TraceID = emptyToNil(ln.TraceID)
					ln.SpanID = emptyToNil(ln.SpanID)
					ln.Attributes = normalizeKVs(ln.Attributes)
				}
			}
		}
	}
}

func normalizeLogs(l *Logs) {
	if l == nil {
		return
	}
	l.ResourceLogs = noneToNil(l.ResourceLogs)
	for i := range l.ResourceLogs {
		rl := &l.ResourceLogs[i]
		normalizeResource(&rl.Resource)
		rl.ScopeLogs = noneToNil(rl.ScopeLogs)
		for j := range rl.ScopeLogs {
			sl := &rl.ScopeLogs[j]
			normalizeScope(sl.Scope)
			sl.LogRecords = noneToNil(sl.LogRecords)
			for k := range sl.LogRecords {
				r := &sl.LogRecords[k]
				r.TraceID = emptyToNil(r.TraceID)
				r.SpanID = emptyToNil(r.SpanID)
				r.Attributes = normalizeKVs(r.Attributes)
				r.Body = normalizeValue(r.Body)
			}
		}
	}
}

func normalizeResource(r *Resource) { r.Attributes = normalizeKVs(r.Attributes) }

func normalizeScope(s *Scope) {
	if s != nil {
		s.Attributes = normalizeKVs(s.Attributes)
	}
}

func normalizeKVs(kvs []KeyValue) []KeyValue {
	kvs = noneToNil(kvs)
	for i := range kvs {
		kvs[i].Value = normalizeValue(kvs[i].Value)
	}
	return kvs
}

func normalizeValue(v Value) Value {
	if v.list == nil {
		return v
	}
	l := composite{arr: noneToNil(v.list.arr), kvs: normalizeKVs(v.list.kvs)}
	for i := range l.arr {
		l.arr[i] = normalizeValue(l.arr[i])
	}
	v.list = &l
	if l.arr == nil && l.kvs == nil {
		v.list = nil
	}
	return v
}

func noneToNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// randomTraceRequest returns a varied request: several resources, scopes
// and spans, every kind of value (nested too), empty and unicode strings,
// absent and present scopes and statuses, ids of odd lengths, zero
// times, negative ints and non-finite doubles, each now and then.
func randomTraceRequest(r *rand.Rand) *coltracepb.ExportTraceServiceRequest {
	req := &coltracepb.ExportTraceServiceRequest{}
	for range r.IntN(4) {
		rs := &tracepb.ResourceSpans{Resource: randomResource(r), SchemaUrl: randomSchemaURL(r)}
		for range r.IntN(4) {
			ss := &tracepb.ScopeSpans{Scope: randomScope(r), SchemaUrl: randomSchemaURL(r)}
			for range r.IntN(6) {
				ss.Spans = append(ss.Spans, randomSpan(r))
			}
			rs.ScopeSpans = append(rs.ScopeSpans, ss)
		}
		req.ResourceSpans = append(req.ResourceSpans, rs)
	}
	return req
}

// randomLogsRequest is randomTraceRequest for logs.
func randomLogsRequest(r *rand.Rand) *collogspb.ExportLogsServiceRequest {
	req := &collogspb.ExportLogsServiceRequest{}
	for range r.IntN(4) {
		rl := &logspb.ResourceLogs{Resource: randomResource(r), SchemaUrl: randomSchemaURL(r)}
		for range r.IntN(4) {
			sl := &logspb.ScopeLogs{Scope: randomScope(r), SchemaUrl: randomSchemaURL(r)}
			for range r.IntN(6) {
				rec := &logspb.LogRecord{
					TimeUnixNano:           randomTime(r),
					ObservedTimeUnixNano:   randomTime(r),
					SeverityNumber:         logspb.SeverityNumber(r.IntN(26)),
					SeverityText:           randomPick(r, "", "INFO", "warn", "Error", "FATAL4", "ünknown"),
					Attributes:             randomAttributes(r, 10),
					DroppedAttributesCount: randomCount(r),
					Flags:                  randomFlags(r),
					TraceId:                randomID(r, 16),
					SpanId:                 randomID(r, 8),
					EventName:              randomPick(r, "", "", "browser.click", "device.app.lifecycle"),
				}
				if r.IntN(5) > 0 {
					rec.Body = randomAnyValue(r, 0)
				}
				sl.LogRecords = append(sl.LogRecords, rec)
			}
			rl.ScopeLogs = append(rl.ScopeLogs, sl)
		}
		req.ResourceLogs = append(req.ResourceLogs, rl)
	}
	return req
}

func randomResource(r *rand.Rand) *resourcepb.Resource {
	if r.IntN(6) == 0 {
		return nil
	}
	return &resourcepb.Resource{Attributes: randomAttributes(r, 12), DroppedAttributesCount: randomCount(r)}
}

func randomScope(r *rand.Rand) *commonpb.InstrumentationScope {
	if r.IntN(4) == 0 {
		return nil
	}
	s := &commonpb.InstrumentationScope{
		Name:    randomPick(r, "", "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "@opentelemetry/instrumentation-pg", "io.opentelemetry.jdbc"),
		Version: randomPick(r, "", "0.61.0", "1.2.3-beta.1"),
	}
	if r.IntN(3) == 0 {
		s.Attributes = randomAttributes(r, 3)
		s.DroppedAttributesCount = randomCount(r)
	}
	return s
}

func randomSpan(r *rand.Rand) *tracepb.Span {
	start := randomTime(r)
	s := &tracepb.Span{
		TraceId:                randomID(r, 16),
		SpanId:                 randomID(r, 8),
		TraceState:             randomPick(r, "", "", "rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE"),
		Name:                   randomString(r),
		Kind:                   tracepb.Span_SpanKind(r.IntN(7)),
		StartTimeUnixNano:      start,
		EndTimeUnixNano:        start + uint64(r.IntN(5e9)),
		Attributes:             randomAttributes(r, 12),
		DroppedAttributesCount: randomCount(r),
		DroppedEventsCount:     randomCount(r),
		DroppedLinksCount:      randomCount(r),
		Flags:                  randomFlags(r),
	}
	if r.IntN(2) == 0 {
		s.ParentSpanId = randomID(r, 8)
	}
	for range r.IntN(4) {
		s.Events = append(s.Events, &tracepb.Span_Event{
			TimeUnixNano:           randomTime(r),
			Name:                   randomPick(r, "exception", "message", "", "cache.miss"),
			Attributes:             randomAttributes(r, 4),
			DroppedAttributesCount: randomCount(r),
		})
	}
	for range r.IntN(3) {
		s.Links = append(s.Links, &tracepb.Span_Link{
			TraceId:                randomID(r, 16),
			SpanId:                 randomID(r, 8),
			TraceState:             randomPick(r, "", "a=b"),
			Attributes:             randomAttributes(r, 3),
			DroppedAttributesCount: randomCount(r),
			Flags:                  randomFlags(r),
		})
	}
	if r.IntN(3) > 0 {
		s.Status = &tracepb.Status{
			Code:    tracepb.Status_StatusCode(r.IntN(4)),
			Message: randomPick(r, "", "", "deadline exceeded", "ошибка"),
		}
	}
	return s
}

var randomAttributeKeys = []string{
	"service.name", "http.request.method", "http.response.status_code", "url.full", "db.system",
	"db.query.text", "server.port", "sentry.op", "exception.type", "exception.message", "",
	"gen_ai.operation.name", "messaging.system", "ключ", "key with spaces", "emoji.🚀",
}

func randomAttributes(r *rand.Rand, maxN int) []*commonpb.KeyValue {
	n := r.IntN(maxN + 1)
	if n == 0 {
		return nil
	}
	kvs := make([]*commonpb.KeyValue, n)
	for i := range kvs {
		kv := &commonpb.KeyValue{Key: randomAttributeKeys[r.IntN(len(randomAttributeKeys))]}
		if r.IntN(12) > 0 {
			kv.Value = randomAnyValue(r, 0)
		}
		kvs[i] = kv
	}
	return kvs
}

// randomAnyValue returns a value of a random kind; depth bounds the
// nesting of arrays and key-value lists.
func randomAnyValue(r *rand.Rand, depth int) *commonpb.AnyValue {
	kinds := 9
	if depth >= 3 {
		kinds = 7 // scalars only
	}
	switch r.IntN(kinds) {
	case 0:
		return &commonpb.AnyValue{} // no member set
	case 1, 2:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: randomString(r)}}
	case 3:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: r.IntN(2) == 0}}
	case 4:
		ints := []int64{0, 1, -1, 42, 200, math.MaxInt64, math.MinInt64, r.Int64() - math.MaxInt64/2}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: ints[r.IntN(len(ints))]}}
	case 5:
		doubles := []float64{0, math.Copysign(0, -1), 1.5, -2.25e-300, 1e308, math.NaN(), math.Inf(1), math.Inf(-1), r.NormFloat64()}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: doubles[r.IntN(len(doubles))]}}
	case 6:
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if r.IntN(2) == 0 {
			b = []byte(randomString(r))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: b}}
	case 7:
		a := &commonpb.ArrayValue{}
		for range r.IntN(5) {
			a.Values = append(a.Values, randomAnyValue(r, depth+1))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: a}}
	default:
		kl := &commonpb.KeyValueList{}
		for range r.IntN(4) {
			kv := &commonpb.KeyValue{Key: randomString(r)}
			if r.IntN(8) > 0 {
				kv.Value = randomAnyValue(r, depth+1)
			}
			kl.Values = append(kl.Values, kv)
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: kl}}
	}
}

func randomString(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return ""
	case 1:
		return randomPick(r, "héllo wörld", "日本語のテキスト", "🚀 launch", "\u0000nul", "tab\tand\nnewline", `quote" back\slash`)
	case 2:
		return strings.Repeat("x", 100+r.IntN(300))
	default:
		return randomPick(r, "GET /users/{id}", "SELECT * FROM users WHERE id = $1", "checkout", "db", "http.client",
			"process-payment", "GET", "https://example.com/a?b=c", "200", "true")
	}
}

func randomSchemaURL(r *rand.Rand) string {
	return randomPick(r, "", "", "https://opentelemetry.io/schemas/1.26.0")
}

// randomID returns an id of length n, and now and then one that is
// empty, all zeros or of an odd length.
func randomID(r *rand.Rand, n int) []byte {
	switch r.IntN(12) {
	case 0:
		return nil
	case 1:
		return make([]byte, n)
	case 2:
		n = 1 + r.IntN(2*n)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func randomTime(r *rand.Rand) uint64 {
	switch r.IntN(10) {
	case 0:
		return 0
	case 1:
		return math.MaxUint64
	}
	return 1_700_000_000_000_000_000 + uint64(r.Int64N(1e17))
}

func randomCount(r *rand.Rand) uint32 {
	if r.IntN(4) > 0 {
		return 0
	}
	return []uint32{1, 7, 300, math.MaxUint32}[r.IntN(4)]
}

func randomFlags(r *rand.Rand) uint32 {
	return []uint32{0, 0, 1, 0x100, 0x101, 0x301, 0x300, r.Uint32()}[r.IntN(8)]
}

func randomPick(r *rand.Rand, ss ...string) string { return ss[r.IntN(len(ss))] }

// benchTraceRequest is a typical batch of a Go SDK: one service resource,
// two scopes (HTTP server and SQL client instrumentation) and 300 spans
// with 8 to 12 attributes each, some with an exception event. It is the
// same on every call.
func benchTraceRequest() *coltracepb.ExportTraceServiceRequest {
	r := rand.New(rand.NewPCG(1, 2))
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	num := func(k string, v int64) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
	}
	id := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	resource := &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
		str("service.name", "checkout"), str("service.version", "1.14.2"),
		str("service.namespace", "shop"), str("deployment.environment.name", "production"),
		str("telemetry.sdk.name", "opentelemetry"), str("telemetry.sdk.language", "go"),
		str("telemetry.sdk.version", "1.38.0"), str("host.name", "checkout-7f9c6d5b8-x2k4p"),
		num("process.pid", 4242), str("process.runtime.version", "go1.26.0"),
	}}
	const start = 1_760_000_000_000_000_000
	httpScope := &tracepb.ScopeSpans{
		Scope:     &commonpb.InstrumentationScope{Name: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", Version: "0.63.0"},
		SchemaUrl: "https://opentelemetry.io/schemas/1.26.0",
	}
	sqlScope := &tracepb.ScopeSpans{
		Scope: &commonpb.InstrumentationScope{Name: "github.com/XSAM/otelsql", Version: "0.40.0"},
	}
	for i := range 300 {
		traceID := id(16)
		s := &tracepb.Span{
			TraceId:           traceID,
			SpanId:            id(8),
			StartTimeUnixNano: start + uint64(i)*1_000_000,
			EndTimeUnixNano:   start + uint64(i)*1_000_000 + uint64(r.IntN(50_000_000)),
			Flags:             0x101,
		}
		if i%3 == 0 {
			s.Kind = tracepb.Span_SPAN_KIND_SERVER
			s.Name = "GET /api/orders/{id}"
			s.Attributes = []*commonpb.KeyValue{
				str("http.request.method", "GET"), str("url.path", fmt.Sprintf("/api/orders/%d", 1000+i)),
				str("url.scheme", "https"), str("http.route", "/api/orders/{id}"),
				num("http.response.status_code", 200), str("network.protocol.version", "1.1"),
				str("server.address", "shop.example.com"), num("server.port", 443),
				str("client.address", "203.0.113.7"), str("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
				{Key: "http.request.body.size", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(r.IntN(4096))}}},
			}
			httpScope.Spans = append(httpScope.Spans, s)
			continue
		}
		s.ParentSpanId = id(8)
		s.Kind = tracepb.Span_SPAN_KIND_CLIENT
		s.Name = "SELECT orders"
		s.Attributes = []*commonpb.KeyValue{
			str("db.system.name", "postgresql"), str("db.namespace", "shop"),
			str("db.operation.name", "SELECT"), str("db.collection.name", "orders"),
			str("db.query.text", "SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20"),
			str("server.address", "db.internal"), num("server.port", 5432),
			{Key: "db.response.returned_rows", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(r.IntN(20))}}},
		}
		if i%10 == 1 {
			s.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "pq: canceling statement due to statement timeout"}
			s.Events = []*tracepb.Span_Event{{
				TimeUnixNano: s.EndTimeUnixNano,
				Name:         "exception",
				Attributes: []*commonpb.KeyValue{
					str("exception.type", "*pq.Error"),
					str("exception.message", "pq: canceling statement due to statement timeout"),
					str("exception.stacktrace", "goroutine 1 [running]:\nmain.query(...)\n\t/app/orders.go:88 +0x1d\nmain.handler(...)\n\t/app/http.go:41 +0x55"),
				},
			}}
		}
		sqlScope.Spans = append(sqlScope.Spans, s)
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   resource,
		ScopeSpans: []*tracepb.ScopeSpans{httpScope, sqlScope},
		SchemaUrl:  "https://opentelemetry.io/schemas/1.26.0",
	}}}
}

// benchLogsRequest is a typical logs batch: one resource, one scope (a
// slog bridge) and 300 records with a string body and 6 attributes. It is
// the same on every call.
func benchLogsRequest() *collogspb.ExportLogsServiceRequest {
	r := rand.New(rand.NewPCG(3, 4))
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	num := func(k string, v int64) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
	}
	id := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	sl := &logspb.ScopeLogs{Scope: &commonpb.InstrumentationScope{Name: "go.opentelemetry.io/contrib/bridges/otelslog", Version: "0.13.0"}}
	const start = 1_760_000_000_000_000_000
	for i := range 300 {
		sev, text := logspb.SeverityNumber_SEVERITY_NUMBER_INFO, "INFO"
		if i%7 == 0 {
			sev, text = logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, "ERROR"
		}
		sl.LogRecords = append(sl.LogRecords, &logspb.LogRecord{
			TimeUnixNano:         start + uint64(i)*1_000_000,
			ObservedTimeUnixNano: start + uint64(i)*1_000_000 + 5000,
			SeverityNumber:       sev,
			SeverityText:         text,
			Body:                 &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprintf("order %d processed in %dms", 1000+i, r.IntN(300))}},
			Attributes: []*commonpb.KeyValue{
				str("code.function.name", "main.processOrder"), str("code.file.path", "/app/orders.go"),
				num("code.line.number", 120), str("order.id", fmt.Sprintf("ord_%06d", i)),
				num("order.items", int64(r.IntN(10))), str("customer.tier", "gold"),
			},
			Flags:   1,
			TraceId: id(16),
			SpanId:  id(8),
		})
	}
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			str("service.name", "checkout"), str("service.version", "1.14.2"),
			str("telemetry.sdk.language", "go"), str("telemetry.sdk.name", "opentelemetry"),
			str("telemetry.sdk.version", "1.38.0"), str("host.name", "checkout-7f9c6d5b8-x2k4p"),
		}},
		ScopeLogs: []*logspb.ScopeLogs{sl},
	}}}
}
