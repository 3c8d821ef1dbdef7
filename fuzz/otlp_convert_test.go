package fuzz

import (
	"errors"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/otlp"
)

// otlpSpanSeeds are protobuf requests with the span features conversion
// reads: remote and local parents, links, every value kind, HTTP and
// database conventions, error statuses, and ids of wrong lengths.
func otlpSpanSeeds(f *testing.F) {
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	val := func(k string, v *commonpb.AnyValue) *commonpb.KeyValue { return &commonpb.KeyValue{Key: k, Value: v} }
	id := func(n int, b byte) []byte {
		out := make([]byte, n)
		for i := range out {
			out[i] = b + byte(i)
		}
		return out
	}
	spans := []*tracepb.Span{{
		TraceId: id(16, 1), SpanId: id(8, 2), ParentSpanId: id(8, 3), Name: "GET /users/{id}",
		Kind: tracepb.Span_SPAN_KIND_SERVER, StartTimeUnixNano: 1697620454980000000, EndTimeUnixNano: 1697620454980078800,
		Flags:      0x301,
		Attributes: []*commonpb.KeyValue{str("http.request.method", "GET"), str("http.route", "/users/{id}"), val("http.response.status_code", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 500}})},
		Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"},
		Links: []*tracepb.Span_Link{
			{TraceId: id(16, 9), SpanId: id(8, 9), Flags: 1, Attributes: []*commonpb.KeyValue{str("k", "v")}},
			{TraceId: id(3, 9), SpanId: id(8, 9)},
		},
	}, {
		TraceId: id(15, 1), SpanId: id(8, 4), ParentSpanId: id(8, 2), Kind: tracepb.Span_SPAN_KIND_CLIENT,
		Attributes: []*commonpb.KeyValue{
			str("db.system.name", "postgresql"), str("db.query.text", "SELECT 1"),
			val("a", &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: []*commonpb.AnyValue{
				{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 1.5}}, {Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xff}}}, {},
			}}}}),
			val("kv", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{
				str("b", "\"q\""), val("a", &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}), str("b", "again"),
			}}}}),
			val("empty", nil),
		},
	}, {
		TraceId: id(16, 1), SpanId: id(7, 5), Name: "bad span id",
	}, {
		TraceId: id(16, 1), SpanId: id(8, 6), ParentSpanId: id(8, 0), Kind: 9, Flags: 0x100,
		Status: &tracepb.Status{Code: 7}, Name: "",
		Attributes: []*commonpb.KeyValue{str("gen_ai.operation.name", "chat"), str("sentry.op", "cache.get")},
	}}
	req := &tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "svc"), str("telemetry.sdk.language", "nodejs")}},
		ScopeSpans: []*tracepb.ScopeSpans{
			{Scope: &commonpb.InstrumentationScope{Name: "lib", Version: "1", Attributes: []*commonpb.KeyValue{str("name", "x")}}, Spans: spans[:2]},
			{Spans: spans[2:]},
		},
	}}}
	data, err := proto.Marshal(req)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte{})
	for _, data := range otlpCaptures(false, "pb") {
		f.Add(data)
	}
}

// FuzzConvertSpan converts every span of arbitrary protobuf requests. It
// must never panic; a span fails only for its span id; the span v2 must
// survive a span container item and decode back with its ids, and the
// older span that SpanToV1 makes of it must marshal to valid JSON.
func FuzzConvertSpan(f *testing.F) {
	otlpSpanSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		traces, err := otlp.DecodeTraces(data, otlp.Protobuf)
		if err != nil {
			return // decoding has its own fuzz test
		}
		for i := range traces.ResourceSpans {
			rs := &traces.ResourceSpans[i]
			for j := range rs.ScopeSpans {
				ss := &rs.ScopeSpans[j]
				for k := range ss.Spans {
					convertOne(t, &ss.Spans[k], &rs.Resource, ss.Scope)
				}
			}
		}
	})
}

func convertOne(t *testing.T, s *otlp.Span, res *otlp.Resource, scope *otlp.Scope) {
	v2, err := otlp.ConvertSpan(s, res, scope)
	if err != nil {
		if !errors.Is(err, otlp.ErrInvalidSpanID) {
			t.Fatalf("ConvertSpan: unexpected error %v", err)
		}
		return
	}
	it, err := (&protocol.SpanContainer{Items: []protocol.SpanV2{v2}}).Item()
	if err != nil {
		t.Fatalf("span container: %v", err)
	}
	back, err := protocol.DecodeSpans(it)
	if err != nil {
		t.Fatalf("decoding the span container: %v\n%s", err, it.Payload())
	}
	if len(back.Items) != 1 {
		t.Fatalf("decoded %d spans", len(back.Items))
	}
	got := back.Items[0]
	if got.TraceID != v2.TraceID || got.SpanID != v2.SpanID || got.ParentSpanID != v2.ParentSpanID ||
		got.Name != v2.Name || len(got.Attributes) != len(v2.Attributes) || len(got.Links) != len(v2.Links) {
		t.Fatalf("span changed in the container:\n%s", it.Payload())
	}
	v1 := otlp.SpanToV1(&v2)
	b, err := json.Marshal(v1)
	if err != nil {
		t.Fatalf("marshaling the v1 span: %v", err)
	}
	if !jsontext.Value(b).IsValid() {
		t.Fatalf("v1 span is not valid JSON: %s", b)
	}
}
