package otlp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Wire builders for hand-written messages.

func pbLen(num protowire.Number, payload ...[]byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, join(payload...))
}

func pbStr(num protowire.Number, s string) []byte { return pbLen(num, []byte(s)) }

func pbVarint(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

func pbFixed64(num protowire.Number, v uint64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(nil, num, protowire.Fixed64Type), v)
}

func pbFixed32(num protowire.Number, v uint32) []byte {
	return protowire.AppendFixed32(protowire.AppendTag(nil, num, protowire.Fixed32Type), v)
}

func join(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// spansRequest wraps span messages into a request with one resource and
// one scope.
func spansRequest(spans ...[]byte) []byte {
	var ss []byte
	for _, s := range spans {
		ss = append(ss, pbLen(2, s)...)
	}
	return pbLen(1, pbLen(2, ss))
}

// attrRequest is a request with one span holding the given KeyValue
// messages as attributes.
func attrRequest(kvs ...[]byte) []byte {
	var span []byte
	for _, kv := range kvs {
		span = append(span, pbLen(9, kv)...)
	}
	return spansRequest(span)
}

// kv is a KeyValue message of a key and an AnyValue message.
func kv(key string, value []byte) []byte { return join(pbStr(1, key), pbLen(2, value)) }

// decodeBoth decodes data with proto.Unmarshal and with our decoder
// (without limits), and requires them to agree on whether it is valid
// and, if it is, on what it holds.
func decodeBoth(t *testing.T, data []byte) (*Traces, error) {
	t.Helper()
	var req coltracepb.ExportTraceServiceRequest
	protoErr := proto.Unmarshal(data, &req)
	got, err := decodeTracesProto(data, &Limits{})
	if protoErr != nil {
		require.Error(t, err, "proto.Unmarshal: %v", protoErr)
		assertDecodeError(t, err)
		return nil, err
	}
	require.NoError(t, err)
	requireSameTraces(t, tracesFromProto(&req), got)
	return got, nil
}

func decodeLogsBoth(t *testing.T, data []byte) (*Logs, error) {
	t.Helper()
	var req collogspb.ExportLogsServiceRequest
	protoErr := proto.Unmarshal(data, &req)
	got, err := decodeLogsProto(data, &Limits{})
	if protoErr != nil {
		require.Error(t, err, "proto.Unmarshal: %v", protoErr)
		assertDecodeError(t, err)
		return nil, err
	}
	require.NoError(t, err)
	requireSameLogs(t, logsFromProto(&req), got)
	return got, nil
}

func assertDecodeError(t *testing.T, err error) *DecodeError {
	t.Helper()
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrInvalidProtobuf)
	assert.Equal(t, Protobuf, de.Encoding)
	assert.NotNil(t, de.Err)
	return de
}

func TestDecodeTracesProtoRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 600 {
		req := randomTraceRequest(r)
		data, err := proto.Marshal(req)
		require.NoError(t, err)
		got, err := decodeTracesProto(data, &Limits{})
		require.NoError(t, err, "request %d", i)
		requireSameTraces(t, tracesFromProto(req), got)
	}
}

func TestDecodeLogsProtoRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 600 {
		req := randomLogsRequest(r)
		data, err := proto.Marshal(req)
		require.NoError(t, err)
		got, err := decodeLogsProto(data, &Limits{})
		require.NoError(t, err, "request %d", i)
		requireSameLogs(t, logsFromProto(req), got)
	}
}

// TestDecodeProtoRewired decodes random requests whose encoding is
// rewritten the ways a valid encoder, or a different proto library, may
// write them: fields reordered, repeated fields interleaved, message
// fields split into occurrences that merge, decoy earlier values for
// scalars and oneof members, unknown fields of every wire type, known
// fields with the wrong wire type, and non-minimal varints. What
// proto.Unmarshal reads from the result is what we must read.
func TestDecodeProtoRewired(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tracesDesc := (&coltracepb.ExportTraceServiceRequest{}).ProtoReflect().Descriptor()
	logsDesc := (&collogspb.ExportLogsServiceRequest{}).ProtoReflect().Descriptor()
	for i := range 500 {
		data, err := proto.Marshal(randomTraceRequest(r))
		require.NoError(t, err)
		rewired := rewire(r, tracesDesc, data)
		require.NoError(t, proto.Unmarshal(rewired, &coltracepb.ExportTraceServiceRequest{}), "traces %d", i)
		_, err = decodeBoth(t, rewired)
		require.NoError(t, err)

		data, err = proto.Marshal(randomLogsRequest(r))
		require.NoError(t, err)
		rewired = rewire(r, logsDesc, data)
		require.NoError(t, proto.Unmarshal(rewired, &collogspb.ExportLogsServiceRequest{}), "logs %d", i)
		_, err = decodeLogsBoth(t, rewired)
		require.NoError(t, err)
	}
}

// A wireField is a field as rewire handles it: its value is encoded, the
// tag is not.
type wireField struct {
	num protowire.Number
	typ protowire.Type
	val []byte
}

// rewire re-encodes the message b of type md as described on
// TestDecodeProtoRewired. The result is valid, but need not mean the same.
func rewire(r *rand.Rand, md protoreflect.MessageDescriptor, b []byte) []byte {
	type field = wireField
	var fields []field
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if n < 0 || m < 0 {
			panic("rewire: invalid input")
		}
		fields = append(fields, field{num, typ, b[n : n+m]})
		b = b[n+m:]
	}
	var out []field
	for _, f := range fields {
		fd := md.Fields().ByNumber(f.num)
		if fd == nil || f.typ != protowire.BytesType || fd.Kind() != protoreflect.MessageKind {
			if fd != nil && r.IntN(8) == 0 {
				out = append(out, decoy(r, fd))
			}
			out = append(out, f)
			continue
		}
		inner, _ := protowire.ConsumeBytes(f.val)
		inner = rewire(r, fd.Message(), inner)
		if fd.ContainingOneof() != nil && r.IntN(4) == 0 {
			// An earlier member of the oneof, which the later one replaces.
			out = append(out, field{1, protowire.BytesType, protowire.AppendBytes(nil, []byte("decoy"))})
		}
		if !fd.IsList() && r.IntN(3) == 0 {
			// Two occurrences of a singular message merge into one.
			cut := fieldBoundary(r, inner)
			out = append(out, field{f.num, protowire.BytesType, protowire.AppendBytes(nil, inner[:cut])})
			inner = inner[cut:]
		}
		out = append(out, field{f.num, protowire.BytesType, appendLen(r, nil, inner)})
	}
	// Reorder the fields now and then: proto.Unmarshal takes any order, and
	// repeated fields then come interleaved.
	if r.IntN(4) == 0 {
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	var enc []byte
	for _, f := range out {
		if r.IntN(6) == 0 {
			enc = append(enc, unknownField(r, md)...)
		}
		enc = appendVarint(r, enc, protowire.EncodeTag(f.num, f.typ))
		enc = append(enc, f.val...)
	}
	if r.IntN(6) == 0 {
		enc = append(enc, unknownField(r, md)...)
	}
	return enc
}

// decoy returns a field with fd's number whose value a later field
// replaces or that proto.Unmarshal skips: a value of the right type (the
// field at hand, coming later, wins) or of a wrong wire type.
func decoy(r *rand.Rand, fd protoreflect.FieldDescriptor) wireField {
	type field = wireField
	switch r.IntN(4) {
	case 0:
		return field{fd.Number(), protowire.VarintType, protowire.AppendVarint(nil, 12345)}
	case 1:
		return field{fd.Number(), protowire.Fixed32Type, protowire.AppendFixed32(nil, 7)}
	case 2:
		return field{fd.Number(), protowire.Fixed64Type, protowire.AppendFixed64(nil, 7)}
	}
	if fd.IsList() || fd.Kind() == protoreflect.MessageKind {
		// Another element would change a repeated field; a group is a
		// wrong wire type for everything in OTLP.
		return field{fd.Number(), protowire.StartGroupType, protowire.AppendTag(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 1), fd.Number(), protowire.EndGroupType)}
	}
	switch fd.Kind() {
	case protoreflect.StringKind, protoreflect.BytesKind:
		return field{fd.Number(), protowire.BytesType, protowire.AppendBytes(nil, []byte("decoy"))}
	}
	return field{fd.Number(), protowire.StartGroupType, protowire.AppendTag(nil, fd.Number(), protowire.EndGroupType)}
}

// unknownField returns a field with a number md does not have.
func unknownField(r *rand.Rand, md protoreflect.MessageDescriptor) []byte {
	num := []protowire.Number{9, 17, 99, 1000, 5000, 19500, protowire.MaxValidNumber}[r.IntN(7)]
	for md.Fields().ByNumber(num) != nil {
		num++
	}
	var b []byte
	switch r.IntN(5) {
	case 0:
		b = protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), r.Uint64())
	case 1:
		b = protowire.AppendFixed32(protowire.AppendTag(b, num, protowire.Fixed32Type), r.Uint32())
	case 2:
		b = protowire.AppendFixed64(protowire.AppendTag(b, num, protowire.Fixed64Type), r.Uint64())
	case 3:
		b = protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), []byte("\xff\xfe not UTF-8, not parsed"))
	default:
		b = protowire.AppendTag(b, num, protowire.StartGroupType)
		b = append(b, pbStr(1, "in a group")...)
		b = protowire.AppendTag(b, 2, protowire.StartGroupType)
		b = protowire.AppendTag(b, 2, protowire.EndGroupType)
		b = protowire.AppendTag(b, num, protowire.EndGroupType)
	}
	return b
}

// fieldBoundary returns a random offset in b at which a field starts or
// b ends.
func fieldBoundary(r *rand.Rand, b []byte) int {
	offsets := []int{0}
	for off := 0; off < len(b); {
		_, _, n := protowire.ConsumeField(b[off:])
		off += n
		offsets = append(offsets, off)
	}
	return offsets[r.IntN(len(offsets))]
}

// appendVarint appends v, now and then in a longer encoding than needed.
func appendVarint(r *rand.Rand, b []byte, v uint64) []byte {
	if r.IntN(10) > 0 || protowire.SizeVarint(v) >= 9 {
		return protowire.AppendVarint(b, v)
	}
	enc := protowire.AppendVarint(nil, v)
	enc[len(enc)-1] |= 0x80
	return append(append(b, enc...), 0)
}

func appendLen(r *rand.Rand, b, v []byte) []byte {
	return append(appendVarint(r, b, uint64(len(v))), v...)
}

func TestDecodeProtoWireCases(t *testing.T) {
	str := func(s string) []byte { return pbStr(1, s) }
	i64 := func(v int64) []byte { return pbVarint(3, uint64(v)) }
	arr := func(vs ...[]byte) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, pbLen(1, v)...)
		}
		return pbLen(5, b)
	}
	tests := []struct {
		name string
		data []byte
		want func(t *testing.T, got *Traces)
	}{
		{
			name: "empty request",
			data: nil,
			want: func(t *testing.T, got *Traces) { assert.Empty(t, got.ResourceSpans) },
		},
		{
			name: "last scalar wins",
			data: spansRequest(join(pbStr(5, "first"), pbVarint(6, 3), pbStr(5, "second"), pbVarint(6, 2))),
			want: func(t *testing.T, got *Traces) {
				s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
				assert.Equal(t, "second", s.Name)
				assert.Equal(t, SpanKindServer, s.Kind)
			},
		},
		{
			name: "status twice merges",
			data: spansRequest(join(pbLen(15, pbStr(2, "timeout"), pbVarint(3, 2)), pbLen(15, pbStr(2, "deadline")))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, &Status{Message: "deadline", Code: StatusCodeError}, got.ResourceSpans[0].ScopeSpans[0].Spans[0].Status)
			},
		},
		{
			name: "empty status is present",
			data: spansRequest(pbLen(15)),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, &Status{}, got.ResourceSpans[0].ScopeSpans[0].Spans[0].Status)
			},
		},
		{
			name: "resource twice merges its attributes",
			data: pbLen(1, pbLen(1, pbLen(1, kv("a", str("1"))), pbVarint(2, 5)), pbLen(2), pbLen(1, pbLen(1, kv("b", str("2"))))),
			want: func(t *testing.T, got *Traces) {
				rs := got.ResourceSpans[0]
				assert.Equal(t, []KeyValue{{"a", StringValue("1")}, {"b", StringValue("2")}}, rs.Resource.Attributes)
				assert.Equal(t, uint32(5), rs.Resource.DroppedAttributesCount)
				assert.Len(t, rs.ScopeSpans, 1)
			},
		},
		{
			name: "scope twice merges",
			data: pbLen(1, pbLen(2, pbLen(1, pbStr(1, "lib"), pbLen(3, kv("x", i64(1)))), pbLen(1, pbStr(2, "1.0"), pbLen(3, kv("y", i64(2)))))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, &Scope{Name: "lib", Version: "1.0", Attributes: []KeyValue{{"x", IntValue(1)}, {"y", IntValue(2)}}},
					got.ResourceSpans[0].ScopeSpans[0].Scope)
			},
		},
		{
			name: "repeated fields split by other fields",
			data: spansRequest(join(pbLen(9, kv("a", i64(1))), pbStr(5, "n"), pbLen(11, pbStr(2, "e1")), pbLen(9, kv("b", i64(2))), pbLen(11, pbStr(2, "e2")))),
			want: func(t *testing.T, got *Traces) {
				s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
				assert.Equal(t, []KeyValue{{"a", IntValue(1)}, {"b", IntValue(2)}}, s.Attributes)
				assert.Equal(t, []SpanEvent{{Name: "e1"}, {Name: "e2"}}, s.Events)
			},
		},
		{
			name: "oneof: the last member wins",
			data: attrRequest(kv("k", join(str("text"), i64(-7)))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, IntValue(-7), got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "oneof: the same array member twice merges",
			data: attrRequest(kv("k", join(arr(i64(1)), arr(i64(2), str("x"))))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, ArrayValue(IntValue(1), IntValue(2), StringValue("x")), got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "oneof: an array after another member starts afresh",
			data: attrRequest(kv("k", join(arr(i64(1)), str("between"), arr(i64(2))))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, ArrayValue(IntValue(2)), got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "oneof: key-value lists merge",
			data: attrRequest(kv("k", join(pbLen(6, pbLen(1, kv("a", i64(1)))), pbLen(6, pbLen(1, kv("b", str("2"))))))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, KVListValue(KeyValue{"a", IntValue(1)}, KeyValue{"b", StringValue("2")}),
					got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "key-value value twice merges",
			data: attrRequest(join(pbStr(1, "k"), pbLen(2, arr(i64(1))), pbLen(2, arr(i64(2))))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, ArrayValue(IntValue(1), IntValue(2)), got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "oneof: string_value_strindex empties the value",
			data: attrRequest(kv("k", join(str("text"), pbVarint(8, 3)))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, Value{}, got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "oneof: a member with a wrong wire type is skipped",
			data: attrRequest(kv("k", join(str("text"), pbFixed64(3, 9), pbVarint(1, 1), pbVarint(5, 1)))),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, StringValue("text"), got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value)
			},
		},
		{
			name: "no member, and no value, are empty",
			data: attrRequest(kv("k", nil), pbStr(1, "novalue")),
			want: func(t *testing.T, got *Traces) {
				attrs := got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes
				assert.Equal(t, []KeyValue{{Key: "k"}, {Key: "novalue"}}, attrs)
			},
		},
		{
			name: "scalars of every kind",
			data: attrRequest(
				kv("b", pbVarint(2, 1)), kv("b2", pbVarint(2, 1<<40)), kv("neg", i64(math.MinInt64)),
				kv("d", pbFixed64(4, math.Float64bits(math.Inf(-1)))), kv("bytes", pbStr(7, "\xff\x00")),
			),
			want: func(t *testing.T, got *Traces) {
				attrs := got.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes
				assert.Equal(t, []KeyValue{
					{"b", BoolValue(true)}, {"b2", BoolValue(true)}, {"neg", IntValue(math.MinInt64)},
					{"d", DoubleValue(math.Inf(-1))}, {"bytes", BytesValue([]byte("\xff\x00"))},
				}, attrs)
			},
		},
		{
			name: "enums and counts are truncated to 32 bits",
			data: spansRequest(join(pbVarint(6, 1<<32|2), pbVarint(10, 1<<33|7), pbLen(15, pbVarint(3, math.MaxUint64)))),
			want: func(t *testing.T, got *Traces) {
				s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
				assert.Equal(t, SpanKindServer, s.Kind)
				assert.Equal(t, uint32(7), s.DroppedAttributesCount)
				assert.Equal(t, StatusCode(-1), s.Status.Code)
			},
		},
		{
			name: "unknown fields of every wire type are skipped",
			data: spansRequest(join(
				pbVarint(99, 1), pbFixed32(98, 1), pbFixed64(97, 1), pbStr(96, "\xff"),
				protowire.AppendTag(nil, 95, protowire.StartGroupType), pbStr(1, "x"), protowire.AppendTag(nil, 95, protowire.EndGroupType),
				pbStr(5, "kept"),
			)),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, "kept", got.ResourceSpans[0].ScopeSpans[0].Spans[0].Name)
			},
		},
		{
			name: "known fields with a wrong wire type are skipped",
			data: spansRequest(join(pbStr(5, "kept"), pbVarint(5, 1), pbFixed64(9, 1), pbStr(7, "not fixed64"), pbVarint(16, 3), pbVarint(15, 1))),
			want: func(t *testing.T, got *Traces) {
				s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
				assert.Equal(t, "kept", s.Name)
				assert.Empty(t, s.Attributes)
				assert.Zero(t, s.StartTimeUnixNano)
				assert.Zero(t, s.Flags)
				assert.Nil(t, s.Status)
			},
		},
		{
			name: "the retired instrumentation_library_spans is skipped",
			data: pbLen(1, pbLen(1000, pbLen(2, pbStr(5, "legacy"))), pbLen(2, pbLen(2, pbStr(5, "current")))),
			want: func(t *testing.T, got *Traces) {
				require.Len(t, got.ResourceSpans[0].ScopeSpans, 1)
				assert.Equal(t, "current", got.ResourceSpans[0].ScopeSpans[0].Spans[0].Name)
			},
		},
		{
			name: "ids of any length",
			data: spansRequest(join(pbStr(1, "abc"), pbStr(2, ""), pbStr(4, strings.Repeat("\x01", 20)))),
			want: func(t *testing.T, got *Traces) {
				s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
				assert.Equal(t, []byte("abc"), s.TraceID)
				assert.Empty(t, s.SpanID)
				assert.Len(t, s.ParentSpanID, 20)
			},
		},
		{
			name: "entity refs are validated, not kept",
			data: pbLen(1, pbLen(1, pbLen(3, pbStr(2, "service"), pbStr(3, "service.name"), pbStr(3, "service.namespace")))),
		},
		{
			name: "non-minimal varints",
			data: pbLen(1, pbLen(2, []byte{0x92, 0x80, 0x00, 0x83, 0x00, 0x30, 0x81, 0x00})),
			want: func(t *testing.T, got *Traces) {
				assert.Equal(t, SpanKindInternal, got.ResourceSpans[0].ScopeSpans[0].Spans[0].Kind)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBoth(t, tt.data)
			require.NoError(t, err)
			if tt.want != nil {
				tt.want(t, got)
			}
		})
	}
}

func TestDecodeProtoErrors(t *testing.T) {
	deep := func(levels int) []byte {
		// An AnyValue of arrays nested levels deep, the innermost value
		// empty, written outside in from the sizes of the levels.
		sizes := make([]int, levels+1)
		for k := 1; k <= levels; k++ {
			array := 1 + protowire.SizeBytes(sizes[k-1])
			sizes[k] = 1 + protowire.SizeBytes(array)
		}
		b := make([]byte, 0, sizes[levels])
		for k := levels; k >= 1; k-- {
			b = protowire.AppendTag(b, 5, protowire.BytesType)
			b = protowire.AppendVarint(b, uint64(1+protowire.SizeBytes(sizes[k-1])))
			b = protowire.AppendTag(b, 1, protowire.BytesType)
			b = protowire.AppendVarint(b, uint64(sizes[k-1]))
		}
		return b
	}
	logsWithBody := func(body []byte) []byte { return pbLen(1, pbLen(2, pbLen(2, pbLen(5, body)))) }
	tests := []struct {
		name   string
		data   []byte
		logs   bool
		path   string
		offset int64
		err    error // matched with errors.Is when set
		msg    string
	}{
		{name: "field number 0", data: []byte{0x02, 0x00}, err: errFieldNumber},
		{name: "field number too large", data: protowire.AppendVarint(nil, uint64(protowire.MaxValidNumber+1)<<3|2), err: errFieldNumber},
		{name: "truncated tag", data: []byte{0x80}, err: io.ErrUnexpectedEOF},
		{name: "varint overflow", data: join([]byte{0x08}, []byte(strings.Repeat("\xff", 10)+"\x01")), offset: 1, msg: "overflow"},
		{name: "wire type 6", data: []byte{0x0e}, offset: 1, msg: "reserved wire type"},
		{name: "wire type 7 in a span", data: spansRequest([]byte{0x2f}), path: "/resourceSpans/0/scopeSpans/0/spans/0", offset: 7, msg: "reserved wire type"},
		{name: "end group without start", data: []byte{0x0c}, offset: 1, msg: "end group"},
		{name: "unterminated group", data: []byte{0x0b, 0x10, 0x01}, err: io.ErrUnexpectedEOF},
		{name: "mismatched end group", data: []byte{0x0b, 0x14}, msg: "end group"},
		{
			name: "truncated resource spans", data: pbLen(1, pbStr(3, "x"))[:4],
			path: "/resourceSpans/0", offset: 1, err: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated span name", data: spansRequest(pbStr(5, "name")[:4]),
			path: "/resourceSpans/0/scopeSpans/0/spans/0/name", offset: 7, err: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated fixed64", data: spansRequest([]byte{0x39, 1, 2, 3}),
			path: "/resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano", offset: 7, err: io.ErrUnexpectedEOF,
		},
		{
			name: "invalid UTF-8 in a span name", data: spansRequest(pbStr(5, "caf\xe9")),
			path: "/resourceSpans/0/scopeSpans/0/spans/0/name", offset: 7, err: errInvalidUTF8,
		},
		{
			name: "invalid UTF-8 in the second span's second attribute value",
			data: spansRequest(nil, join(pbLen(9, kv("a", pbStr(1, "ok"))), pbLen(9, kv("b", pbStr(1, "\xc3("))))),
			path: "/resourceSpans/0/scopeSpans/0/spans/1/attributes/1/value/stringValue", err: errInvalidUTF8,
		},
		{
			name: "invalid UTF-8 in a nested key",
			data: attrRequest(kv("k", pbLen(5, pbLen(1, pbLen(6, pbLen(1, kv("\xff", nil))))))),
			path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/0/value/arrayValue/values/0/kvlistValue/values/0/key", err: errInvalidUTF8,
		},
		{
			name: "invalid UTF-8 in an entity ref",
			data: pbLen(1, pbLen(1, pbLen(3), pbLen(3, pbStr(3, "ok"), pbStr(3, "\xff")))),
			path: "/resourceSpans/0/resource/entityRefs/1/idKeys/1", err: errInvalidUTF8,
		},
		{
			name: "invalid UTF-8 in a status message", data: spansRequest(pbLen(15, pbStr(2, "\x80"))),
			path: "/resourceSpans/0/scopeSpans/0/spans/0/status/message", err: errInvalidUTF8,
		},
		{
			name: "invalid UTF-8 in a log record's severity text", logs: true,
			data: pbLen(1, pbLen(2, pbLen(2, pbStr(3, "\xed\xa0\x80")))),
			path: "/resourceLogs/0/scopeLogs/0/logRecords/0/severityText", err: errInvalidUTF8,
		},
		{
			name: "truncated log body", logs: true,
			data: pbLen(1, pbLen(2, pbLen(2, pbLen(5, []byte{0x0a, 0x05, 'a'})))),
			path: "/resourceLogs/0/scopeLogs/0/logRecords/0/body/stringValue", err: io.ErrUnexpectedEOF,
		},
		{
			// The body is message 5 and each array level adds two: the
			// innermost AnyValue is message 10,001.
			name: "nesting deeper than proto.Unmarshal's recursion limit", logs: true,
			data: logsWithBody(deep(4998)), err: errTooDeep,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.logs {
				_, err = decodeLogsBoth(t, tt.data)
			} else {
				_, err = decodeBoth(t, tt.data)
			}
			require.Error(t, err)
			de := assertDecodeError(t, err)
			if strings.HasPrefix(tt.name, "nesting") {
				// The path names every level, and costs time linear in
				// the depth to build.
				assert.True(t, strings.HasPrefix(de.Path, "/resourceLogs/0/scopeLogs/0/logRecords/0/body/arrayValue/values/0/arrayValue/values/0/"), de.Path[:100])
				assert.Equal(t, 4998, strings.Count(de.Path, "/arrayValue/values/0"))
			} else {
				assert.Equal(t, tt.path, de.Path)
			}
			if tt.offset != 0 {
				assert.Equal(t, tt.offset, de.Offset)
			}
			assert.GreaterOrEqual(t, de.Offset, int64(0))
			assert.LessOrEqual(t, de.Offset, int64(len(tt.data)))
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	t.Run("nesting up to the recursion limit", func(t *testing.T) {
		_, err := decodeLogsBoth(t, logsWithBody(deep(4997)))
		require.NoError(t, err)
	})
}

// TestDecodeProtoTruncated cuts real requests at every byte: each prefix
// must decode as proto.Unmarshal decodes it, or fail as it fails.
func TestDecodeProtoTruncated(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var traces, logs []byte
	for len(traces) < 2000 {
		var err error
		traces, err = proto.Marshal(randomTraceRequest(r))
		require.NoError(t, err)
	}
	for len(logs) < 2000 {
		var err error
		logs, err = proto.Marshal(randomLogsRequest(r))
		require.NoError(t, err)
	}
	failed := 0
	for n := range len(traces) {
		if _, err := decodeBoth(t, traces[:n]); err != nil {
			failed++
		}
	}
	for n := range len(logs) {
		if _, err := decodeLogsBoth(t, logs[:n]); err != nil {
			failed++
		}
	}
	assert.Greater(t, failed, (len(traces)+len(logs))/2)
}

func TestDecodeProtoLimits(t *testing.T) {
	span := func(attrs ...[]byte) []byte {
		var b []byte
		for _, a := range attrs {
			b = append(b, pbLen(9, a)...)
		}
		return b
	}
	a := kv("a", pbStr(1, "x"))
	nested := func(levels int) []byte { // an attribute whose value nests arrays levels deep
		v := pbStr(1, "leaf")
		for range levels {
			v = pbLen(5, pbLen(1, v))
		}
		return kv("k", v)
	}
	tests := []struct {
		name   string
		limits Limits
		data   []byte
		logs   bool
		want   LimitError
	}{
		{
			name: "spans of a request", limits: Limits{MaxSpans: 2},
			data: pbLen(1, pbLen(2, pbLen(2), pbLen(2)), pbLen(2, pbLen(2))),
			want: LimitError{Limit: "MaxSpans", Path: "/resourceSpans/0/scopeSpans/1/spans", Value: 3, Max: 2},
		},
		{
			name: "log records of a request", limits: Limits{MaxLogRecords: 1}, logs: true,
			data: pbLen(1, pbLen(2, pbLen(2), pbLen(2))),
			want: LimitError{Limit: "MaxLogRecords", Path: "/resourceLogs/0/scopeLogs/0/logRecords", Value: 2, Max: 1},
		},
		{
			name: "attributes of a span", limits: Limits{MaxAttributes: 2},
			data: spansRequest(span(a, a), span(a, a, a)),
			want: LimitError{Limit: "MaxAttributes", Path: "/resourceSpans/0/scopeSpans/0/spans/1/attributes", Value: 3, Max: 2},
		},
		{
			name: "attributes of a merged resource", limits: Limits{MaxAttributes: 2},
			data: pbLen(1, pbLen(1, pbLen(1, a), pbLen(1, a)), pbLen(1, pbLen(1, a))),
			want: LimitError{Limit: "MaxAttributes", Path: "/resourceSpans/0/resource/attributes", Value: 3, Max: 2},
		},
		{
			name: "attributes of a log record", limits: Limits{MaxAttributes: 1}, logs: true,
			data: pbLen(1, pbLen(2, pbLen(2, pbLen(6, a), pbLen(6, a)))),
			want: LimitError{Limit: "MaxAttributes", Path: "/resourceLogs/0/scopeLogs/0/logRecords/0/attributes", Value: 2, Max: 1},
		},
		{
			name: "elements of an array", limits: Limits{MaxAttributes: 2},
			data: spansRequest(span(kv("k", pbLen(5, pbLen(1), pbLen(1), pbLen(1))))),
			want: LimitError{Limit: "MaxAttributes", Path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/0/value/arrayValue/values", Value: 3, Max: 2},
		},
		{
			name: "pairs of a key-value list", limits: Limits{MaxAttributes: 1}, logs: true,
			data: pbLen(1, pbLen(2, pbLen(2, pbLen(5, pbLen(6, pbLen(1, a), pbLen(1, a)))))),
			want: LimitError{Limit: "MaxAttributes", Path: "/resourceLogs/0/scopeLogs/0/logRecords/0/body/kvlistValue/values", Value: 2, Max: 1},
		},
		{
			name: "length of a key", limits: Limits{MaxValueLength: 3},
			data: spansRequest(span(a, kv("long", nil))),
			want: LimitError{Limit: "MaxValueLength", Path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/1/key", Value: 4, Max: 3},
		},
		{
			name: "length of a string value", limits: Limits{MaxValueLength: 3},
			data: spansRequest(span(kv("k", pbStr(1, "four")))),
			want: LimitError{Limit: "MaxValueLength", Path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/0/value/stringValue", Value: 4, Max: 3},
		},
		{
			name: "length of a bytes value in an event", limits: Limits{MaxValueLength: 3},
			data: spansRequest(pbLen(11, pbLen(3, kv("k", pbStr(7, "\x00\x01\x02\x03"))))),
			want: LimitError{Limit: "MaxValueLength", Path: "/resourceSpans/0/scopeSpans/0/spans/0/events/0/attributes/0/value/bytesValue", Value: 4, Max: 3},
		},
		{
			name: "depth of a value", limits: Limits{MaxDepth: 3},
			data: spansRequest(span(nested(2), nested(3))),
			want: LimitError{Limit: "MaxDepth", Path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/1/value/arrayValue/values/0/arrayValue/values/0/arrayValue/values/0", Value: 4, Max: 3},
		},
		{
			name: "depth of a scalar attribute is 1", limits: Limits{MaxDepth: 1},
			data: spansRequest(span(a, nested(1))),
			want: LimitError{Limit: "MaxDepth", Path: "/resourceSpans/0/scopeSpans/0/spans/0/attributes/1/value/arrayValue/values/0", Value: 2, Max: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Within the limits by one, and without limits, the request
			// decodes.
			loose := tt.limits
			switch tt.want.Limit {
			case "MaxSpans":
				loose.MaxSpans++
			case "MaxLogRecords":
				loose.MaxLogRecords++
			case "MaxAttributes":
				loose.MaxAttributes++
			case "MaxValueLength":
				loose.MaxValueLength++
			case "MaxDepth":
				loose.MaxDepth++
			}
			var err error
			if tt.logs {
				_, err = decodeLogsBoth(t, tt.data)
				require.NoError(t, err)
				_, err = decodeLogsProto(tt.data, &loose)
				require.NoError(t, err)
				_, err = decodeLogsProto(tt.data, &tt.limits)
			} else {
				_, err = decodeBoth(t, tt.data)
				require.NoError(t, err)
				_, err = decodeTracesProto(tt.data, &loose)
				require.NoError(t, err)
				_, err = decodeTracesProto(tt.data, &tt.limits)
			}
			require.ErrorIs(t, err, ErrLimitExceeded)
			assert.NotErrorIs(t, err, ErrInvalidProtobuf)
			var le *LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.want, *le)
		})
	}
}

// TestDecodeProtoAliases pins what the decoder promises about memory:
// strings and ids point into the input, and the slices it hands out are
// capped, so appending to one cannot overwrite another.
func TestDecodeProtoAliases(t *testing.T) {
	data := spansRequest(
		join(pbStr(1, "0123456789abcdef"), pbStr(5, "one"), pbLen(9, kv("a", pbStr(1, "x"))), pbLen(9, kv("b", pbStr(1, "y")))),
		join(pbLen(9, kv("c", pbStr(1, "z")))),
	)
	got, err := decodeTracesProto(data, &Limits{})
	require.NoError(t, err)
	spans := got.ResourceSpans[0].ScopeSpans[0].Spans
	data[bytes.Index(data, []byte("0123456789abcdef"))+4] = '!' // the decode aliases the input
	assert.Equal(t, []byte("0123!56789abcdef"), spans[0].TraceID)
	assert.Equal(t, len(spans[0].TraceID), cap(spans[0].TraceID))
	assert.Equal(t, len(spans[0].Attributes), cap(spans[0].Attributes))
	_ = append(spans[0].Attributes, KeyValue{Key: "appended"})
	assert.Equal(t, "c", spans[1].Attributes[0].Key)
}

func TestDecodeTracesPublicAPI(t *testing.T) {
	data, err := proto.Marshal(benchTraceRequest())
	require.NoError(t, err)
	got, err := DecodeTraces(data, Protobuf)
	require.NoError(t, err)
	requireSameTraces(t, tracesFromProto(benchTraceRequest()), got)

	_, err = DecodeTraces(data, Protobuf, WithLimits(Limits{MaxSpans: 10}))
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxSpans", le.Limit)

	_, err = DecodeTraces(data[:len(data)-1], Protobuf)
	require.ErrorIs(t, err, ErrInvalidProtobuf)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	var de *DecodeError
	require.True(t, errors.As(err, &de))
	assert.Contains(t, de.Error(), "otlp: invalid OTLP protobuf at byte ")
}
