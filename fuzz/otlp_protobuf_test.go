package fuzz

import (
	"errors"
	"math"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/sentrywire/sentrywire/otlp"
)

// The OTLP protobuf targets are differential: proto.Unmarshal into the
// generated types is the reference. Whatever it accepts the decoder must
// accept (with no limits) and read the same, whatever it rejects the
// decoder must reject with a *otlp.DecodeError, and limits may reject a
// request but never change what is read.

// fuzzLimits are small enough for fuzzed inputs to reach.
var fuzzLimits = otlp.Limits{MaxSpans: 3, MaxLogRecords: 3, MaxAttributes: 3, MaxValueLength: 8, MaxDepth: 3}

func FuzzDecodeTracesProto(f *testing.F) {
	for _, seed := range protoSeeds(traceSeedRequests()) {
		f.Add(seed)
	}
	for _, seed := range otlpCaptures(false, "pb") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want coltracepb.ExportTraceServiceRequest
		protoErr := proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, &want)
		got, err := otlp.DecodeTraces(data, otlp.Protobuf, otlp.WithLimits(otlp.Limits{}))
		checkProtoVerdict(t, protoErr, err)
		if err != nil {
			return
		}
		canonicalTraces(&want)
		mine := tracesToProto(got)
		if !proto.Equal(&want, mine) {
			t.Fatalf("decoded differently:\nproto.Unmarshal: %v\nsentrywire:      %v", &want, mine)
		}
		checkLimitsOnlyReject(t, mine, func(l otlp.Limits) (proto.Message, error) {
			got, err := otlp.DecodeTraces(data, otlp.Protobuf, otlp.WithLimits(l))
			if err != nil {
				return nil, err
			}
			return tracesToProto(got), nil
		})
	})
}

func FuzzDecodeLogsProto(f *testing.F) {
	for _, seed := range protoSeeds(logsSeedRequests()) {
		f.Add(seed)
	}
	for _, seed := range otlpCaptures(true, "pb") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want collogspb.ExportLogsServiceRequest
		protoErr := proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, &want)
		got, err := otlp.DecodeLogs(data, otlp.Protobuf, otlp.WithLimits(otlp.Limits{}))
		checkProtoVerdict(t, protoErr, err)
		if err != nil {
			return
		}
		canonicalLogs(&want)
		mine := logsToProto(got)
		if !proto.Equal(&want, mine) {
			t.Fatalf("decoded differently:\nproto.Unmarshal: %v\nsentrywire:      %v", &want, mine)
		}
		checkLimitsOnlyReject(t, mine, func(l otlp.Limits) (proto.Message, error) {
			got, err := otlp.DecodeLogs(data, otlp.Protobuf, otlp.WithLimits(l))
			if err != nil {
				return nil, err
			}
			return logsToProto(got), nil
		})
	})
}

// checkProtoVerdict requires both decoders to agree on validity, and our
// errors to be typed.
func checkProtoVerdict(t *testing.T, protoErr, err error) {
	t.Helper()
	switch {
	case protoErr == nil && err != nil:
		t.Fatalf("proto.Unmarshal accepts, sentrywire rejects: %v", err)
	case protoErr != nil && err == nil:
		t.Fatalf("proto.Unmarshal rejects (%v), sentrywire accepts", protoErr)
	case err != nil:
		var de *otlp.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, otlp.ErrInvalidProtobuf) || de.Err == nil {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	}
}

// checkLimitsOnlyReject decodes with small limits and with the defaults:
// each may fail with a *otlp.LimitError, and otherwise must read what the
// unlimited decode read.
func checkLimitsOnlyReject(t *testing.T, want proto.Message, decode func(otlp.Limits) (proto.Message, error)) {
	t.Helper()
	for _, l := range []otlp.Limits{fuzzLimits, otlp.DefaultLimits()} {
		got, err := decode(l)
		if err != nil {
			var le *otlp.LimitError
			if !errors.As(err, &le) || !errors.Is(err, otlp.ErrLimitExceeded) {
				t.Fatalf("limits %+v: want a *LimitError, got %T: %v", l, err, err)
			}
			if le.Max <= 0 || le.Value <= le.Max {
				t.Fatalf("limits %+v: implausible %+v", l, le)
			}
			continue
		}
		if !proto.Equal(want, got) {
			t.Fatalf("limits %+v changed the result:\n%v\n%v", l, want, got)
		}
	}
}

// The model has no place for what OTLP's profiles added to the common
// messages (string-table indexes, entity references) nor for presence of
// a resource, an attribute value or a log body; canonical* clear those on
// the reference side, and *ToProto never sets them.

func canonicalTraces(req *coltracepb.ExportTraceServiceRequest) {
	for _, rs := range req.ResourceSpans {
		rs.Resource = canonicalResource(rs.Resource)
		for _, ss := range rs.ScopeSpans {
			if ss.Scope != nil {
				canonicalKVs(ss.Scope.Attributes)
			}
			for _, s := range ss.Spans {
				canonicalKVs(s.Attributes)
				for _, e := range s.Events {
					canonicalKVs(e.Attributes)
				}
				for _, l := range s.Links {
					canonicalKVs(l.Attributes)
				}
			}
		}
	}
}

func canonicalLogs(req *collogspb.ExportLogsServiceRequest) {
	for _, rl := range req.ResourceLogs {
		rl.Resource = canonicalResource(rl.Resource)
		for _, sl := range rl.ScopeLogs {
			if sl.Scope != nil {
				canonicalKVs(sl.Scope.Attributes)
			}
			for _, r := range sl.LogRecords {
				canonicalKVs(r.Attributes)
				r.Body = canonicalValue(r.Body)
				if r.Body != nil && r.Body.Value == nil {
					r.Body = nil
				}
			}
		}
	}
}

func canonicalResource(r *resourcepb.Resource) *resourcepb.Resource {
	if r == nil {
		return nil
	}
	r.EntityRefs = nil
	canonicalKVs(r.Attributes)
	if len(r.Attributes) == 0 && r.DroppedAttributesCount == 0 {
		return nil
	}
	return r
}

func canonicalKVs(kvs []*commonpb.KeyValue) {
	for _, kv := range kvs {
		kv.KeyStrindex = 0
		kv.Value = canonicalValue(kv.Value)
		if kv.Value != nil && kv.Value.Value == nil {
			kv.Value = nil
		}
	}
}

// canonicalValue returns v with string-table indexes read as no value;
// elements of arrays keep their (then empty) AnyValue.
func canonicalValue(v *commonpb.AnyValue) *commonpb.AnyValue {
	if v == nil {
		return nil
	}
	switch x := v.Value.(type) {
	case *commonpb.AnyValue_StringValueStrindex:
		v.Value = nil
	case *commonpb.AnyValue_ArrayValue:
		for _, e := range x.ArrayValue.GetValues() {
			canonicalValue(e)
		}
	case *commonpb.AnyValue_KvlistValue:
		canonicalKVs(x.KvlistValue.GetValues())
	}
	return v
}

func tracesToProto(t *otlp.Traces) *coltracepb.ExportTraceServiceRequest {
	req := &coltracepb.ExportTraceServiceRequest{}
	for _, rs := range t.ResourceSpans {
		prs := &tracepb.ResourceSpans{Resource: resourceToProto(rs.Resource), SchemaUrl: rs.SchemaURL}
		for _, ss := range rs.ScopeSpans {
			pss := &tracepb.ScopeSpans{Scope: scopeToProto(ss.Scope), SchemaUrl: ss.SchemaURL}
			for _, s := range ss.Spans {
				ps := &tracepb.Span{
					TraceId: s.TraceID, SpanId: s.SpanID, TraceState: s.TraceState, ParentSpanId: s.ParentSpanID,
					Name: s.Name, Kind: tracepb.Span_SpanKind(s.Kind),
					StartTimeUnixNano: s.StartTimeUnixNano, EndTimeUnixNano: s.EndTimeUnixNano,
					Attributes: kvsToProto(s.Attributes), DroppedAttributesCount: s.DroppedAttributesCount,
					DroppedEventsCount: s.DroppedEventsCount, DroppedLinksCount: s.DroppedLinksCount, Flags: s.Flags,
				}
				for _, e := range s.Events {
					ps.Events = append(ps.Events, &tracepb.Span_Event{
						TimeUnixNano: e.TimeUnixNano, Name: e.Name,
						Attributes: kvsToProto(e.Attributes), DroppedAttributesCount: e.DroppedAttributesCount,
					})
				}
				for _, l := range s.Links {
					ps.Links = append(ps.Links, &tracepb.Span_Link{
						TraceId: l.TraceID, SpanId: l.SpanID, TraceState: l.TraceState,
						Attributes: kvsToProto(l.Attributes), DroppedAttributesCount: l.DroppedAttributesCount, Flags: l.Flags,
					})
				}
				if s.Status != nil {
					ps.Status = &tracepb.Status{Message: s.Status.Message, Code: tracepb.Status_StatusCode(s.Status.Code)}
				}
				pss.Spans = append(pss.Spans, ps)
			}
			prs.ScopeSpans = append(prs.ScopeSpans, pss)
		}
		req.ResourceSpans = append(req.ResourceSpans, prs)
	}
	return req
}

func logsToProto(l *otlp.Logs) *collogspb.ExportLogsServiceRequest {
	req := &collogspb.ExportLogsServiceRequest{}
	for _, rl := range l.ResourceLogs {
		prl := &logspb.ResourceLogs{Resource: resourceToProto(rl.Resource), SchemaUrl: rl.SchemaURL}
		for _, sl := range rl.ScopeLogs {
			psl := &logspb.ScopeLogs{Scope: scopeToProto(sl.Scope), SchemaUrl: sl.SchemaURL}
			for _, r := range sl.LogRecords {
				pr := &logspb.LogRecord{
					TimeUnixNano: r.TimeUnixNano, ObservedTimeUnixNano: r.ObservedTimeUnixNano,
					SeverityNumber: logspb.SeverityNumber(r.SeverityNumber), SeverityText: r.SeverityText,
					Attributes: kvsToProto(r.Attributes), DroppedAttributesCount: r.DroppedAttributesCount,
					Flags: r.Flags, TraceId: r.TraceID, SpanId: r.SpanID, EventName: r.EventName,
				}
				if r.Body.Kind() != otlp.KindEmpty {
					pr.Body = valueToProto(r.Body)
				}
				psl.LogRecords = append(psl.LogRecords, pr)
			}
			prl.ScopeLogs = append(prl.ScopeLogs, psl)
		}
		req.ResourceLogs = append(req.ResourceLogs, prl)
	}
	return req
}

func resourceToProto(r otlp.Resource) *resourcepb.Resource {
	if len(r.Attributes) == 0 && r.DroppedAttributesCount == 0 {
		return nil
	}
	return &resourcepb.Resource{Attributes: kvsToProto(r.Attributes), DroppedAttributesCount: r.DroppedAttributesCount}
}

func scopeToProto(s *otlp.Scope) *commonpb.InstrumentationScope {
	if s == nil {
		return nil
	}
	return &commonpb.InstrumentationScope{
		Name: s.Name, Version: s.Version,
		Attributes: kvsToProto(s.Attributes), DroppedAttributesCount: s.DroppedAttributesCount,
	}
}

func kvsToProto(kvs []otlp.KeyValue) []*commonpb.KeyValue {
	var out []*commonpb.KeyValue
	for _, kv := range kvs {
		pkv := &commonpb.KeyValue{Key: kv.Key}
		if kv.Value.Kind() != otlp.KindEmpty {
			pkv.Value = valueToProto(kv.Value)
		}
		out = append(out, pkv)
	}
	return out
}

func valueToProto(v otlp.Value) *commonpb.AnyValue {
	switch v.Kind() {
	case otlp.KindString:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v.Str()}}
	case otlp.KindBool:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: v.Bool()}}
	case otlp.KindInt:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v.Int()}}
	case otlp.KindDouble:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: v.Double()}}
	case otlp.KindBytes:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: v.Bytes()}}
	case otlp.KindArray:
		a := &commonpb.ArrayValue{}
		for _, e := range v.Array() {
			a.Values = append(a.Values, valueToProto(e))
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: a}}
	case otlp.KindKVList:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: kvsToProto(v.KVList())}}}
	}
	return &commonpb.AnyValue{}
}

// protoSeeds marshals the seed requests and adds hand-made wire cases:
// merged and split fields, unknown fields and groups, wrong wire types,
// invalid UTF-8 and truncations.
func protoSeeds(reqs []proto.Message) [][]byte {
	var seeds [][]byte
	for _, m := range reqs {
		b, err := proto.Marshal(m)
		if err != nil {
			panic(err)
		}
		seeds = append(seeds, b, b[:len(b)/2], append(append([]byte(nil), b...), b...))
	}
	lenField := func(num protowire.Number, parts ...[]byte) []byte {
		var v []byte
		for _, p := range parts {
			v = append(v, p...)
		}
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	group := append(protowire.AppendTag(nil, 99, protowire.StartGroupType), protowire.AppendTag(varint(1, 1), 99, protowire.EndGroupType)...)
	anyStr := lenField(1, []byte("v"))
	kv := lenField(1, []byte("k"))
	seeds = append(seeds,
		nil,
		[]byte{0x0e},       // reserved wire type
		[]byte{0x0c},       // end group without start
		[]byte{0x02, 0x00}, // field number 0
		group,
		// A record of every level: one resource, twice merged; an array
		// value merged from two occurrences; a string overridden by an int.
		lenField(1, lenField(1, lenField(1, kv, lenField(2, anyStr))), lenField(1, varint(2, 3)),
			lenField(2, lenField(1, lenField(1, []byte("scope"))), lenField(2, lenField(9, kv,
				lenField(2, lenField(5, lenField(1, anyStr)), lenField(5, lenField(1, varint(3, 1)))),
				lenField(2, anyStr, varint(3, math.MaxUint64)))))),
		lenField(1, lenField(2, lenField(2, lenField(5, []byte("\xff\xfe"))))), // invalid UTF-8
		lenField(1, lenField(2, lenField(2, varint(5, 1), group))),             // wrong wire type
		lenField(1, lenField(1000, []byte("legacy"))),
	)
	return seeds
}

func traceSeedRequests() []proto.Message {
	str := func(k, v string) *commonpb.KeyValue {
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	}
	nested := &commonpb.KeyValue{Key: "nested", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: []*commonpb.AnyValue{
		{Value: &commonpb.AnyValue_IntValue{IntValue: -1}},
		{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: math.NaN()}},
		{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{str("a", "ü")}}}},
		{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xff, 0}}},
		{},
	}}}}}
	return []proto.Message{
		&coltracepb.ExportTraceServiceRequest{},
		&coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
			Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "checkout"), str("telemetry.sdk.language", "go")}},
			ScopeSpans: []*tracepb.ScopeSpans{{
				Scope: &commonpb.InstrumentationScope{Name: "otelhttp", Version: "0.63.0"},
				Spans: []*tracepb.Span{{
					TraceId: []byte("0123456789abcdef"), SpanId: []byte("01234567"), ParentSpanId: []byte("76543210"),
					Name: "GET /users/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER,
					StartTimeUnixNano: 1_760_000_000_000_000_000, EndTimeUnixNano: 1_760_000_000_100_000_000,
					Attributes: []*commonpb.KeyValue{str("http.request.method", "GET"), nested, {Key: "empty"}},
					Events:     []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{str("exception.type", "E")}}},
					Links:      []*tracepb.Span_Link{{TraceId: []byte("fedcba9876543210"), SpanId: []byte("abc"), Flags: 0x301}},
					Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"},
					Flags:      0x101,
				}, {}},
			}, {}},
		}, {}}},
	}
}

func logsSeedRequests() []proto.Message {
	return []proto.Message{
		&collogspb.ExportLogsServiceRequest{},
		&collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
			Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{{Key: "service.name", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "api"}}}}},
			ScopeLogs: []*logspb.ScopeLogs{{
				Scope: &commonpb.InstrumentationScope{Name: "otelslog"},
				LogRecords: []*logspb.LogRecord{{
					TimeUnixNano: 1_760_000_000_000_000_000, ObservedTimeUnixNano: 1_760_000_000_000_000_001,
					SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN, SeverityText: "WARN",
					Body:       &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{}}},
					Attributes: []*commonpb.KeyValue{{Key: "n", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: math.MinInt64}}}},
					TraceId:    []byte("0123456789abcdef"), SpanId: []byte("01234567"), Flags: 1, EventName: "app.event",
				}, {}},
			}},
		}}},
	}
}
