package otlp

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// The direct writers are held against the struct path they stand in for:
// the container item of what ConvertTraces and ConvertLogs return, member
// for member, with attributes compared as the maps they are in the struct
// path. Only made-up trace ids differ, being random.

// requireSameSpans checks AppendSpans(t) against ConvertTraces(t).
func requireSameSpans(t *testing.T, tr *Traces, what string) {
	t.Helper()
	want := ConvertTraces(tr)
	it, err := (&protocol.SpanContainer{Items: want.Spans}).Item()
	require.NoError(t, err, what)
	got, n, rejected := AppendSpans([]byte("prefix"), tr)
	require.True(t, strings.HasPrefix(string(got), "prefix"), what)
	got = got[len("prefix"):]
	require.True(t, jsontext.Value(got).IsValid(jsontext.AllowDuplicateNames(false)), "%s: %s", what, got)
	require.Equal(t, len(want.Spans), n, what)
	require.Equal(t, rejectionText(want.Rejected), rejectionText(rejected), what)
	requireSameContainer(t, it.Payload(), got, madeUpTraceIDs(tr), what)
}

// requireSameLogs checks AppendLogs(l) against ConvertLogs(l).
func requireSameLogRecords(t *testing.T, l *Logs, what string) {
	t.Helper()
	want := ConvertLogs(l)
	it, err := (&protocol.LogContainer{Items: want.Logs}).Item()
	require.NoError(t, err, what)
	got, n := AppendLogs(nil, l)
	require.True(t, jsontext.Value(got).IsValid(jsontext.AllowDuplicateNames(false)), "%s: %s", what, got)
	require.Equal(t, len(want.Logs), n, what)
	var madeUp []bool
	for i := range l.ResourceLogs {
		for j := range l.ResourceLogs[i].ScopeLogs {
			for _, r := range l.ResourceLogs[i].ScopeLogs[j].LogRecords {
				madeUp = append(madeUp, !validID(r.TraceID, 16))
			}
		}
	}
	requireSameContainer(t, it.Payload(), got, madeUp, what)
}

// madeUpTraceIDs says, for each span that converts, whether its trace id
// is made up.
func madeUpTraceIDs(tr *Traces) []bool {
	var out []bool
	for i := range tr.ResourceSpans {
		for j := range tr.ResourceSpans[i].ScopeSpans {
			for _, s := range tr.ResourceSpans[i].ScopeSpans[j].Spans {
				if validID(s.SpanID, 8) {
					out = append(out, !validID(s.TraceID, 16))
				}
			}
		}
	}
	return out
}

func rejectionText(rs []Rejection) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Error())
	}
	return out
}

// requireSameContainer compares two container payloads as canonical JSON
// (members sorted, numbers and strings as written), with the trace ids of
// the records that made theirs up left out.
func requireSameContainer(t *testing.T, want, got []byte, madeUp []bool, what string) {
	t.Helper()
	var w, g struct {
		Items []map[string]jsontext.Value `json:"items"`
	}
	require.NoError(t, json.Unmarshal(want, &w), what)
	require.NoError(t, json.Unmarshal(got, &g), what)
	require.Len(t, g.Items, len(w.Items), what)
	require.Len(t, madeUp, len(w.Items), what)
	for i := range w.Items {
		if madeUp[i] {
			assert.Len(t, g.Items[i]["trace_id"], 34, "%s: a made-up trace id", what)
			delete(w.Items[i], "trace_id")
			delete(g.Items[i], "trace_id")
		}
		wi, gi := canonicalJSON(t, w.Items[i]), canonicalJSON(t, g.Items[i])
		require.Equal(t, wi, gi, "%s: record %d", what, i)
	}
}

// canonicalJSON writes v with the members of every object sorted by
// name, and everything else as it is.
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v, jsontext.PreserveRawStrings(true))
	require.NoError(t, err)
	var out []byte
	out, err = canonicalize(out, jsontext.Value(b))
	require.NoError(t, err)
	return string(out)
}

func canonicalize(dst []byte, v jsontext.Value) ([]byte, error) {
	switch v.Kind() {
	case '{':
		var m []struct {
			name string
			v    jsontext.Value
		}
		dec := jsontext.NewDecoder(strings.NewReader(string(v)))
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			name := tok.String()
			val, err := dec.ReadValue()
			if err != nil {
				return nil, err
			}
			m = append(m, struct {
				name string
				v    jsontext.Value
			}{name, val.Clone()})
		}
		slices.SortFunc(m, func(a, b struct {
			name string
			v    jsontext.Value
		}) int {
			return cmp.Compare(a.name, b.name)
		})
		dst = append(dst, '{')
		for i, e := range m {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst, _ = jsontext.AppendQuote(dst, e.name)
			dst = append(dst, ':')
			var err error
			if dst, err = canonicalize(dst, e.v); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case '[':
		dec := jsontext.NewDecoder(strings.NewReader(string(v)))
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		dst = append(dst, '[')
		for i := 0; dec.PeekKind() != ']'; i++ {
			val, err := dec.ReadValue()
			if err != nil {
				return nil, err
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = canonicalize(dst, val.Clone()); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	return append(dst, v...), nil
}

func TestAppendSpansBenchRequest(t *testing.T) {
	data, err := proto.Marshal(benchTraceRequest())
	require.NoError(t, err)
	tr, err := DecodeTraces(data, Protobuf)
	require.NoError(t, err)
	requireSameSpans(t, tr, "bench request")
	requireSameSpans(t, treeTraces(t), "tree")
}

func TestAppendSpansCaptures(t *testing.T) {
	files, err := filepath.Glob("testdata/captures/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		enc := Protobuf
		if strings.HasSuffix(name, ".json") {
			enc = JSON
		}
		if strings.Contains(name, "-logs.") {
			l, err := DecodeLogs(data, enc)
			require.NoError(t, err, name)
			requireSameLogRecords(t, l, name)
			continue
		}
		tr, err := DecodeTraces(data, enc)
		require.NoError(t, err, name)
		requireSameSpans(t, tr, name)
	}
}

func TestAppendSpansRandom(t *testing.T) {
	for seed := range uint64(150) {
		r := rand.New(rand.NewPCG(seed, 7))
		requireSameSpans(t, tracesFromProto(randomTraceRequest(r)), fmt.Sprintf("seed %d", seed))
		requireSameLogRecords(t, logsFromProto(randomLogsRequest(r)), fmt.Sprintf("logs seed %d", seed))
	}
}

// TestAppendSpansCases are the cases where the writer must resolve what
// the struct path's maps resolve: repeated keys, attributes that replace
// the resource's or the derived ones, segments named by attributes.
func TestAppendSpansCases(t *testing.T) {
	id := func(n int, b byte) []byte {
		out := make([]byte, n)
		for i := range out {
			out[i] = b + byte(i)
		}
		return out
	}
	str := func(k, v string) KeyValue { return KeyValue{k, StringValue(v)} }
	kvl := KVListValue(KeyValue{"b", StringValue(`"q"`)}, KeyValue{"a", BoolValue(true)})
	many := make([]KeyValue, 0, 80)
	for i := range 80 {
		many = append(many, KeyValue{fmt.Sprintf("k%d", i%50), IntValue(int64(i))})
	}
	res := Resource{Attributes: []KeyValue{str("service.name", "svc"), str("telemetry.sdk.language", "dotnet"), str("service.name", "again")}}
	cases := []struct {
		name  string
		spans []Span
		res   Resource
		scope *Scope
	}{{
		name: "repeated keys, the last convertible value wins",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Attributes: []KeyValue{
			str("a", "1"), {"b", IntValue(2)}, str("a", "3"), {"a", DoubleValue(math.NaN())}, {"b", Value{}},
			{"c", BytesValue([]byte{0xff})}, {"c", BytesValue([]byte("ok"))},
		}}},
	}, {
		name: "own attributes replace the resource's, the scope's, the origin and the platform",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Attributes: []KeyValue{
			str("resource.service.name", "mine"), str("instrumentation.name", "me"), str("sentry.origin", "manual"),
			{"sentry.platform", IntValue(3)},
		}}},
		res:   res,
		scope: &Scope{Name: "lib", Version: "1", Attributes: []KeyValue{str("name", "x")}},
	}, {
		name: "derived attributes replace own ones",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Kind: SpanKindServer, Flags: 0x100,
			Status: &Status{Code: StatusCodeError, Message: "boom"},
			Attributes: []KeyValue{
				str("sentry.kind", "client"), str("sentry.status.message", "mine"), {"sentry.is_remote", BoolValue(true)},
				str("sentry.segment.id", "ffffffffffffffff"), str("sentry.segment.name", "mine"), str("http.method", "GET"),
			}}},
	}, {
		name: "segment named by attributes, transaction from a list",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Name: "root", Attributes: []KeyValue{
			{"sentry.segment.name", kvl}, str("sentry.segment.id", "02030405060708090"),
		}}, {TraceID: id(16, 1), SpanID: id(8, 3), ParentSpanID: id(8, 2), Name: "child", Attributes: []KeyValue{
			{"sentry.segment.name", IntValue(1)},
		}}, {TraceID: id(16, 1), SpanID: id(8, 4), ParentSpanID: id(8, 3), Name: "", Attributes: []KeyValue{
			{"db.system", IntValue(1)},
		}}, {TraceID: id(16, 1), SpanID: id(8, 5), Name: "own id", Attributes: []KeyValue{
			str("sentry.segment.id", "0506070809"+"0A0B0C"), {"sentry.transaction", IntValue(7)},
		}}, {TraceID: id(16, 1), SpanID: id(8, 6), ParentSpanID: id(8, 5), Name: "x", Attributes: []KeyValue{
			{"sentry.segment.id", IntValue(1)},
		}}, {TraceID: id(16, 1), SpanID: id(8, 7), Name: "segment name string", Flags: 0x300, Attributes: []KeyValue{
			{"sentry.segment.name", BytesValue([]byte("from bytes"))},
		}}},
	}, {
		name: "ops from every convention",
		spans: []Span{
			{TraceID: id(16, 1), SpanID: id(8, 2), Attributes: []KeyValue{str("http.request.method", "GET"), str("sentry.kind", "server")}},
			{TraceID: id(16, 1), SpanID: id(8, 3), Attributes: []KeyValue{str("http.method", "GET"), {"sentry.http.prefetch", BoolValue(true)}}},
			{TraceID: id(16, 1), SpanID: id(8, 4), Attributes: []KeyValue{{"gen_ai.operation.name", kvl}}},
			{TraceID: id(16, 1), SpanID: id(8, 5), Attributes: []KeyValue{str("gen_ai.operation.name", "chat \"x\"")}},
			{TraceID: id(16, 1), SpanID: id(8, 6), Attributes: []KeyValue{{"gen_ai.operation.name", IntValue(1)}, str("gen_ai.system", "openai")}},
			{TraceID: id(16, 1), SpanID: id(8, 7), Attributes: []KeyValue{str("rpc.service", "x")}},
			{TraceID: id(16, 1), SpanID: id(8, 8), Attributes: []KeyValue{str("messaging.system", "kafka")}},
			{TraceID: id(16, 1), SpanID: id(8, 9), Attributes: []KeyValue{{"faas.trigger", BytesValue([]byte("timer"))}}},
			{TraceID: id(16, 1), SpanID: id(8, 10), Attributes: []KeyValue{{"faas.trigger", kvl}}},
			{TraceID: id(16, 1), SpanID: id(8, 11), Attributes: []KeyValue{{"sentry.op", IntValue(1)}, str("db.system", "pg")}},
			{TraceID: id(16, 1), SpanID: id(8, 12), Kind: SpanKindClient, Attributes: []KeyValue{{"http.method", Value{}}, str("http.request.method", "GET")}},
		},
	}, {
		name: "invalid UTF-8 in keys, names and strings",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Name: "bad \xff\xfe name", Attributes: []KeyValue{
			str("k\xff\xfe", "v\xff"), str("gen_ai.operation.name", "op\xff\xfe\""), str("sentry.segment.name", "\xffname"),
		}}},
		res: Resource{Attributes: []KeyValue{str("\xffkey", "v")}},
	}, {
		name:  "long attribute lists",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Attributes: many, Links: []SpanLink{{TraceID: id(16, 3), SpanID: id(8, 3), Attributes: many}}}},
		res:   Resource{Attributes: many},
	}, {
		name: "links",
		spans: []Span{{TraceID: id(16, 1), SpanID: id(8, 2), Links: []SpanLink{
			{TraceID: id(16, 3), SpanID: id(8, 3), Flags: 1, Attributes: []KeyValue{str("a", "1"), str("a", "2")}},
			{TraceID: id(16, 3), SpanID: id(8, 0)},
			{TraceID: id(15, 3), SpanID: id(8, 4)},
			{TraceID: id(16, 3), SpanID: id(8, 5), Attributes: []KeyValue{{"nan", DoubleValue(math.Inf(1))}}},
		}}},
	}, {
		name: "timestamps",
		spans: []Span{
			{TraceID: id(16, 1), SpanID: id(8, 2), StartTimeUnixNano: 0, EndTimeUnixNano: math.MaxUint64},
			{TraceID: id(16, 1), SpanID: id(8, 3), StartTimeUnixNano: 1_700_000_000_000_000_500, EndTimeUnixNano: 1_700_000_000_000_000_499},
			{TraceID: id(16, 1), SpanID: id(8, 4), StartTimeUnixNano: 1 << 63, EndTimeUnixNano: 1<<63 + 500},
			{TraceID: id(16, 1), SpanID: id(8, 5), StartTimeUnixNano: 500, EndTimeUnixNano: 1},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &Traces{ResourceSpans: []ResourceSpans{{Resource: c.res, ScopeSpans: []ScopeSpans{{Scope: c.scope, Spans: c.spans}}}}}
			requireSameSpans(t, tr, c.name)
			// The same attributes on log records.
			var recs []LogRecord
			for _, s := range c.spans {
				recs = append(recs, LogRecord{TimeUnixNano: s.StartTimeUnixNano, TraceID: s.TraceID, SpanID: s.SpanID, Attributes: s.Attributes, Body: StringValue(s.Name)})
			}
			requireSameLogRecords(t, &Logs{ResourceLogs: []ResourceLogs{{Resource: c.res, ScopeLogs: []ScopeLogs{{Scope: c.scope, LogRecords: recs}}}}}, c.name)
		})
	}
}

// TestAppendLogsBodies covers every kind of body a record can have.
func TestAppendLogsBodies(t *testing.T) {
	bodies := []Value{
		{}, StringValue(""), StringValue("plain"), StringValue("bad \xff"), BoolValue(true), IntValue(-3),
		DoubleValue(1e21), DoubleValue(math.NaN()), BytesValue([]byte("ok")), BytesValue([]byte{0xff}),
		ArrayValue(StringValue("a\"b"), IntValue(1)), KVListValue(KeyValue{"k", StringValue("v\"")}),
	}
	var recs []LogRecord
	for i, b := range bodies {
		recs = append(recs, LogRecord{ObservedTimeUnixNano: uint64(i) * 1e9, SeverityText: "warning", Body: b})
	}
	requireSameLogRecords(t, &Logs{ResourceLogs: []ResourceLogs{{ScopeLogs: []ScopeLogs{{LogRecords: recs}}}}}, "bodies")
}

// TestAppendSpansItem checks that the payload makes an item Relay takes.
func TestAppendSpansItem(t *testing.T) {
	payload, n, rejected := AppendSpans(nil, treeTraces(t))
	require.Len(t, rejected, 1)
	it := envelope.NewItem(envelope.TypeSpan, payload)
	require.NoError(t, it.Set("content_type", envelope.ContentTypeSpanContainer))
	require.NoError(t, it.Set("item_count", int64(n)))
	c, err := protocol.DecodeSpans(it)
	require.NoError(t, err)
	assert.Len(t, c.Items, n)
	assert.Empty(t, c.Warnings)

	empty, n, _ := AppendSpans(nil, &Traces{})
	assert.JSONEq(t, `{"items":[]}`, string(empty))
	assert.Zero(t, n)
}

// TestAppendSpansAllocs keeps the writer allocation-free once its pool is
// warm and its buffer large enough: that is what it is for.
func TestAppendSpansAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled writers")
	}
	data, err := proto.Marshal(benchTraceRequest())
	require.NoError(t, err)
	tr, err := DecodeTraces(data, Protobuf)
	require.NoError(t, err)
	buf, _, _ := AppendSpans(nil, tr)
	allocs := testing.AllocsPerRun(20, func() { buf, _, _ = AppendSpans(buf[:0], tr) })
	// The prefixed keys of the two scopes' bases, 10 resource attributes
	// each, and the bases' temporary list: nothing per span, of which
	// there are 300.
	assert.LessOrEqual(t, allocs, 24.0)
}

// TestAppendTimestamp holds the integer formatting of timestamps against
// the JSON encoder's float form, on both sides of where it stops.
func TestAppendTimestamp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	values := []int64{0, 1, 499, 500, 999, 1000, -1, -499, -500, -501, -1000, 1_760_000_000_123_456_789,
		7_999_999_999_999_999_499, 8_000_000_000_000_000_000, 8_589_934_592_000_000_000, -8_000_000_000_000_000_500,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 499}
	for range 20000 {
		values = append(values, int64(r.Uint64()), r.Int64N(9e18)-45e17, 1_700_000_000_000_000_000+r.Int64N(1e17), r.Int64N(1e12)*1000)
	}
	for _, ns := range values {
		want, err := json.Marshal(timestamp(uint64(ns)))
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendTimestamp(nil, uint64(ns))), "%d ns", ns)
	}
}

// TestAppendString holds the string writer against jsontext on strings
// with every byte that needs care at every position of a word.
func TestAppendString(t *testing.T) {
	specials := []string{"\x00", "\x1f", " ", "\"", "\\", "\x7f", "\x80", "é", "\xff", "\u2028", "<", "日本"}
	for n := range 20 {
		for _, sp := range specials {
			for at := 0; at <= n; at++ {
				s := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				want, _ := jsontext.AppendQuote(nil, s)
				require.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
			}
		}
	}
}
