package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// otlpJSON encodes a generated request as OTLP JSON: protojson's output
// with hex ids. With r it also varies everything a sender may vary and
// the decoder accepts: hex case, snake_case names, 64-bit integers as
// numbers, 32-bit ones and doubles as strings, enums by name, escaped
// member names, indentation, and the legacy instrumentationLibrary lists.
func otlpJSON(tb testing.TB, m proto.Message, r *rand.Rand) []byte {
	tb.Helper()
	opts := protojson.MarshalOptions{UseEnumNumbers: r == nil || r.IntN(2) == 0}
	b, err := opts.Marshal(m)
	require.NoError(tb, err)
	return rewriteOTLPJSON(tb, b, r)
}

var (
	jsonIDMembers    = map[string]bool{"traceId": true, "spanId": true, "parentSpanId": true}
	jsonInt64Members = map[string]bool{
		"intValue": true, "timeUnixNano": true, "startTimeUnixNano": true,
		"endTimeUnixNano": true, "observedTimeUnixNano": true,
	}
	jsonUint32Members = map[string]bool{
		"flags": true, "droppedAttributesCount": true, "droppedEventsCount": true, "droppedLinksCount": true,
	}
)

func rewriteOTLPJSON(tb testing.TB, in []byte, r *rand.Rand) []byte {
	tb.Helper()
	maybe := func(n int) bool { return r != nil && r.IntN(n) == 0 }
	legacy := maybe(8)
	dec := jsontext.NewDecoder(bytes.NewReader(in))
	var w jsonTestWriter
	names := []string{""} // the last member name at each depth
	for {
		depth := dec.StackDepth()
		kind, length := dec.StackIndex(depth)
		tok, err := dec.ReadToken()
		if err == io.EOF {
			break
		}
		require.NoError(tb, err)
		for len(names) <= depth+1 {
			names = append(names, "")
		}
		if kind == '{' && length%2 == 0 && tok.Kind() == '"' { // a member name
			name := tok.String()
			names[depth] = name
			if legacy {
				switch name {
				case "scopeSpans":
					name = "instrumentationLibrarySpans"
				case "scopeLogs":
					name = "instrumentationLibraryLogs"
				case "scope":
					name = "instrumentationLibrary"
				}
			}
			switch {
			case maybe(3):
				w.name(jsonSnakeCase(name), false)
			case maybe(20):
				w.name(name, true)
			default:
				w.name(name, false)
			}
			continue
		}
		member := ""
		if kind == '{' {
			member = names[depth]
		}
		switch {
		case tok.Kind() == '"' && jsonIDMembers[member]:
			id, err := base64.StdEncoding.DecodeString(tok.String())
			require.NoError(tb, err)
			h := hex.EncodeToString(id)
			if maybe(2) {
				h = strings.ToUpper(h)
			}
			w.str(h)
		case tok.Kind() == '"' && jsonInt64Members[member] && maybe(2):
			w.raw(tok.String())
		case tok.Kind() == '0' && (jsonUint32Members[member] || member == "doubleValue") && maybe(2):
			w.str(tok.String())
		case tok.Kind() == '"':
			w.str(tok.String())
		case tok.Kind() == '{' || tok.Kind() == '[':
			w.begin(byte(tok.Kind()))
		case tok.Kind() == '}' || tok.Kind() == ']':
			w.end(byte(tok.Kind()))
		default:
			w.raw(tok.String())
		}
	}
	return w.b
}

// jsonTestWriter writes JSON token by token, and can write a member name
// with its first character escaped, which jsontext's Encoder never does.
type jsonTestWriter struct {
	b         []byte
	first     []bool // whether the open object or array has no element yet
	afterName bool
}

func (w *jsonTestWriter) sep() {
	if w.afterName {
		w.afterName = false
		return
	}
	if n := len(w.first); n > 0 {
		if !w.first[n-1] {
			w.b = append(w.b, ',')
		}
		w.first[n-1] = false
	}
}

func (w *jsonTestWriter) begin(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.first = append(w.first, true)
}

func (w *jsonTestWriter) end(c byte) {
	w.first = w.first[:len(w.first)-1]
	w.b = append(w.b, c)
}

func (w *jsonTestWriter) name(s string, escapeFirst bool) {
	w.sep()
	if escapeFirst && s != "" && s[0] < 0x80 {
		w.b = fmt.Appendf(w.b, `"\u%04x`, s[0])
		q, _ := jsontext.AppendQuote(nil, s[1:])
		w.b = append(w.b, q[1:]...)
	} else {
		w.b, _ = jsontext.AppendQuote(w.b, s)
	}
	w.b = append(w.b, ':')
	w.afterName = true
}

func (w *jsonTestWriter) str(s string) {
	w.sep()
	w.b, _ = jsontext.AppendQuote(w.b, s)
}

func (w *jsonTestWriter) raw(s string) {
	w.sep()
	w.b = append(w.b, s...)
}

// jsonSnakeCase gives the proto name of a JSON name: "kvlistValue" is
// "kvlist_value".
func jsonSnakeCase(s string) string {
	var b strings.Builder
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func TestDecodeTracesJSONMatchesProto(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 600 {
		req := randomTraceRequest(r)
		data := otlpJSON(t, req, r)
		got, err := decodeTracesJSON(data, &Limits{})
		require.NoError(t, err, "request %d: %s", i, data)
		requireSameTraces(t, tracesFromProto(req), got)

		pb, err := proto.Marshal(req)
		require.NoError(t, err)
		fromProto, err := decodeTracesProto(pb, &Limits{})
		require.NoError(t, err)
		got, err = decodeTracesJSON(data, &Limits{})
		require.NoError(t, err)
		requireSameTraces(t, fromProto, got)
	}
}

func TestDecodeLogsJSONMatchesProto(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	for i := range 600 {
		req := randomLogsRequest(r)
		data := otlpJSON(t, req, r)
		got, err := decodeLogsJSON(data, &Limits{})
		require.NoError(t, err, "request %d: %s", i, data)
		requireSameLogs(t, logsFromProto(req), got)

		pb, err := proto.Marshal(req)
		require.NoError(t, err)
		fromProto, err := decodeLogsProto(pb, &Limits{})
		require.NoError(t, err)
		got, err = decodeLogsJSON(data, &Limits{})
		require.NoError(t, err)
		requireSameLogs(t, fromProto, got)
	}
}

func jsonReadTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/json/" + name)
	require.NoError(t, err)
	return b
}

func jsonHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// The examples of the OTLP repository (opentelemetry-proto/examples) are
// the specification's own test vectors.
func TestDecodeTracesJSONSpecExample(t *testing.T) {
	got, err := DecodeTraces(jsonReadTestdata(t, "trace.json"), JSON)
	require.NoError(t, err)
	want := &Traces{ResourceSpans: []ResourceSpans{{
		Resource: Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("my.service")}}},
		ScopeSpans: []ScopeSpans{{
			Scope: &Scope{Name: "my.library", Version: "1.0.0", Attributes: []KeyValue{
				{Key: "my.scope.attribute", Value: StringValue("some scope attribute")},
			}},
			Spans: []Span{{
				TraceID:           jsonHex(t, "5b8efff798038103d269b633813fc60c"),
				SpanID:            jsonHex(t, "eee19b7ec3c1b174"),
				ParentSpanID:      jsonHex(t, "eee19b7ec3c1b173"),
				Name:              "I'm a server span",
				StartTimeUnixNano: 1544712660000000000,
				EndTimeUnixNano:   1544712661000000000,
				Kind:              SpanKindServer,
				Attributes:        []KeyValue{{Key: "my.span.attr", Value: StringValue("some value")}},
			}},
		}},
	}}}
	requireSameTraces(t, want, got)
}

func TestDecodeLogsJSONSpecExamples(t *testing.T) {
	resource := Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("my.service")}}}
	scope := func() *Scope {
		return &Scope{Name: "my.library", Version: "1.0.0", Attributes: []KeyValue{
			{Key: "my.scope.attribute", Value: StringValue("some scope attribute")},
		}}
	}
	logs := func(r LogRecord) *Logs {
		return &Logs{ResourceLogs: []ResourceLogs{{
			Resource:  resource,
			ScopeLogs: []ScopeLogs{{Scope: scope(), LogRecords: []LogRecord{r}}},
		}}}
	}
	tests := []struct {
		file string
		want *Logs
	}{
		{"logs.json", logs(LogRecord{
			TimeUnixNano:         1544712660300000000,
			ObservedTimeUnixNano: 1544712660300000000,
			SeverityNumber:       10,
			SeverityText:         "Information",
			TraceID:              jsonHex(t, "5b8efff798038103d269b633813fc60c"),
			SpanID:               jsonHex(t, "eee19b7ec3c1b174"),
			Body:                 StringValue("Example log record"),
			Attributes: []KeyValue{
				{Key: "string.attribute", Value: StringValue("some string")},
				{Key: "boolean.attribute", Value: BoolValue(true)},
				{Key: "int.attribute", Value: IntValue(10)},
				{Key: "double.attribute", Value: DoubleValue(637.704)},
				{Key: "array.attribute", Value: ArrayValue(StringValue("many"), StringValue("values"))},
				{Key: "map.attribute", Value: KVListValue(KeyValue{Key: "some.map.key", Value: StringValue("some value")})},
			},
		})},
		{"events.json", logs(LogRecord{
			EventName:            "browser.page_view",
			TimeUnixNano:         1544712660300000000,
			ObservedTimeUnixNano: 1544712660300000000,
			SeverityNumber:       9,
			SeverityText:         "test severity text",
			Attributes:           []KeyValue{{Key: "event.attribute", Value: StringValue("some event attribute")}},
			Body: KVListValue(
				KeyValue{Key: "type", Value: IntValue(0)},
				KeyValue{Key: "url", Value: StringValue("https://www.guidgenerator.com/online-guid-generator.aspx")},
				KeyValue{Key: "referrer", Value: StringValue("https://wwww.google.com")},
				KeyValue{Key: "title", Value: StringValue("Free Online GUID Generator")},
			),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DecodeLogs(jsonReadTestdata(t, tt.file), JSON)
			require.NoError(t, err)
			requireSameLogs(t, tt.want, got)
		})
	}
}

// jsonSpanRequest wraps span members into a request of one span.
func jsonSpanRequest(members string) string {
	return `{"resourceSpans":[{"scopeSpans":[{"spans":[{` + members + `}]}]}]}`
}

const jsonSpanPath = "/resourceSpans/0/scopeSpans/0/spans/0"

func jsonOneSpan(t *testing.T, data string) Span {
	t.Helper()
	got, err := decodeTracesJSON([]byte(data), &Limits{})
	require.NoError(t, err)
	require.Len(t, got.ResourceSpans, 1)
	require.Len(t, got.ResourceSpans[0].ScopeSpans, 1)
	require.Len(t, got.ResourceSpans[0].ScopeSpans[0].Spans, 1)
	return got.ResourceSpans[0].ScopeSpans[0].Spans[0]
}

func TestDecodeTracesJSONLenient(t *testing.T) {
	id16 := jsonHex(t, "5b8efff798038103d269b633813fc60c")
	id8 := jsonHex(t, "eee19b7ec3c1b174")
	attr := func(v Value) []KeyValue { return []KeyValue{{Key: "k", Value: v}} }
	tests := []struct {
		name    string
		members string
		want    Span
	}{
		{"hex lower", `"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"`,
			Span{TraceID: id16, SpanID: id8}},
		{"hex upper", `"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"`,
			Span{TraceID: id16, SpanID: id8}},
		{"hex mixed and escaped", `"traceId":"5b8EFFF798038103D269B633813FC60\u0063","spanId":"Eee19b7ec3c1b174"`,
			Span{TraceID: id16, SpanID: id8}},
		{"empty ids", `"traceId":"","spanId":"","parentSpanId":""`, Span{}},
		{"ids of other lengths kept", `"traceId":"ab","spanId":"0000000000000000ff"`,
			Span{TraceID: []byte{0xab}, SpanID: jsonHex(t, "0000000000000000ff")}},
		{"times as strings", `"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"18446744073709551615"`,
			Span{StartTimeUnixNano: 1544712660000000000, EndTimeUnixNano: math.MaxUint64}},
		{"times as numbers", `"startTimeUnixNano":1544712660000000000,"endTimeUnixNano":18446744073709551615`,
			Span{StartTimeUnixNano: 1544712660000000000, EndTimeUnixNano: math.MaxUint64}},
		{"integral number forms", `"startTimeUnixNano":1.5e3,"endTimeUnixNano":"20.000","flags":"-0","droppedAttributesCount":1e1`,
			Span{StartTimeUnixNano: 1500, EndTimeUnixNano: 20, DroppedAttributesCount: 10}},
		{"counts and flags as strings", `"flags":"769","droppedAttributesCount":"4294967295","droppedEventsCount":"2","droppedLinksCount":3`,
			Span{Flags: 769, DroppedAttributesCount: math.MaxUint32, DroppedEventsCount: 2, DroppedLinksCount: 3}},
		{"enum numbers", `"kind":3,"status":{"code":2,"message":"boom"}`,
			Span{Kind: SpanKindClient, Status: &Status{Code: StatusCodeError, Message: "boom"}}},
		{"enum names", `"kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_OK"}`,
			Span{Kind: SpanKindConsumer, Status: &Status{Code: StatusCodeOK}}},
		{"unknown enum numbers kept", `"kind":42,"status":{"code":-7}`,
			Span{Kind: 42, Status: &Status{Code: -7}}},
		{"empty status is present", `"status":{}`, Span{Status: &Status{}}},
		{"null status is absent", `"status":null`, Span{}},
		{"snake_case names", `"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","parent_span_id":"eee19b7ec3c1b174",` +
			`"trace_state":"a=b","start_time_unix_nano":"1","end_time_unix_nano":2,"dropped_attributes_count":3,` +
			`"dropped_events_count":4,"dropped_links_count":5,"attributes":[{"key":"k","value":{"int_value":"7"}}]`,
			Span{TraceID: id16, SpanID: id8, ParentSpanID: id8, TraceState: "a=b", StartTimeUnixNano: 1, EndTimeUnixNano: 2,
				DroppedAttributesCount: 3, DroppedEventsCount: 4, DroppedLinksCount: 5, Attributes: attr(IntValue(7))}},
		{"escaped member names", `"n\u0061me":"x","\u0074raceId":"5b8efff798038103d269b633813fc60c"`,
			Span{Name: "x", TraceID: id16}},
		{"nulls are absent", `"traceId":null,"name":null,"kind":null,"startTimeUnixNano":null,"attributes":null,"events":null,"links":null,"flags":null`,
			Span{}},
		{"unknown members skipped", `"name":"a","future":{"x":[1,{"y":null}]},"Name":"ignored","nameX":1,"attributes":[{"key":"k","value":{"stringValue":"v","extra":[]},"more":1}]`,
			Span{Name: "a", Attributes: attr(StringValue("v"))}},
		{"escaped strings", `"name":"tab\there \u00e9 \ud83d\ude80 \"q\" \\","traceState":"plain"`,
			Span{Name: "tab\there é 🚀 \"q\" \\", TraceState: "plain"}},
		{"later scalar wins", `"name":"a","name":"b","kind":1,"kind":"SPAN_KIND_SERVER"`,
			Span{Name: "b", Kind: SpanKindServer}},
		{"null does not clear", `"name":"a","name":null`, Span{Name: "a"}},
		{"repeated lists append", `"attributes":[{"key":"a"}],"attributes":[{"key":"b"}]`,
			Span{Attributes: []KeyValue{{Key: "a"}, {Key: "b"}}}},
		{"repeated message merges", `"status":{"code":2},"status":{"message":"m"}`,
			Span{Status: &Status{Code: 2, Message: "m"}}},
		{"int values", `"attributes":[{"key":"k","value":{"intValue":"-9223372036854775808"}},{"key":"k","value":{"intValue":9223372036854775807}},{"key":"k","value":{"intValue":-1e2}}]`,
			Span{Attributes: []KeyValue{{Key: "k", Value: IntValue(math.MinInt64)}, {Key: "k", Value: IntValue(math.MaxInt64)}, {Key: "k", Value: IntValue(-100)}}}},
		{"double NaN", `"attributes":[{"key":"k","value":{"doubleValue":"NaN"}}]`, Span{Attributes: attr(DoubleValue(math.NaN()))}},
		{"double Infinity", `"attributes":[{"key":"k","value":{"doubleValue":"Infinity"}}]`, Span{Attributes: attr(DoubleValue(math.Inf(1)))}},
		{"double -Infinity", `"attributes":[{"key":"k","value":{"doubleValue":"-Infinity"}}]`, Span{Attributes: attr(DoubleValue(math.Inf(-1)))}},
		{"double string", `"attributes":[{"key":"k","value":{"doubleValue":"-1.5e-3"}}]`, Span{Attributes: attr(DoubleValue(-1.5e-3))}},
		{"double number", `"attributes":[{"key":"k","value":{"doubleValue":637.704}}]`, Span{Attributes: attr(DoubleValue(637.704))}},
		{"double integral", `"attributes":[{"key":"k","value":{"doubleValue":3}}]`, Span{Attributes: attr(DoubleValue(3))}},
		{"bool", `"attributes":[{"key":"k","value":{"boolValue":false}}]`, Span{Attributes: attr(BoolValue(false))}},
		{"bytes std padded", `"attributes":[{"key":"k","value":{"bytesValue":"+/8="}}]`, Span{Attributes: attr(BytesValue([]byte{0xfb, 0xff}))}},
		{"bytes std unpadded", `"attributes":[{"key":"k","value":{"bytesValue":"+/8"}}]`, Span{Attributes: attr(BytesValue([]byte{0xfb, 0xff}))}},
		{"bytes url padded", `"attributes":[{"key":"k","value":{"bytesValue":"-_8="}}]`, Span{Attributes: attr(BytesValue([]byte{0xfb, 0xff}))}},
		{"bytes url unpadded", `"attributes":[{"key":"k","value":{"bytesValue":"-_8"}}]`, Span{Attributes: attr(BytesValue([]byte{0xfb, 0xff}))}},
		{"bytes empty", `"attributes":[{"key":"k","value":{"bytesValue":""}}]`, Span{Attributes: attr(BytesValue(nil))}},
		{"empty value", `"attributes":[{"key":"k","value":{}},{"key":"k"},{"key":"k","value":null},{"key":"k","value":{"stringValue":null}}]`,
			Span{Attributes: []KeyValue{{Key: "k"}, {Key: "k"}, {Key: "k"}, {Key: "k"}}}},
		{"empty array and kvlist", `"attributes":[{"key":"a","value":{"arrayValue":{}}},{"key":"b","value":{"kvlistValue":{"values":[]}}}]`,
			Span{Attributes: []KeyValue{{Key: "a", Value: ArrayValue()}, {Key: "b", Value: KVListValue()}}}},
		{"nested values", `"attributes":[{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a"},{"kvlistValue":{"values":[{"key":"x","value":{"arrayValue":{"values":[{"intValue":1},{}]}}}]}}]}}}]`,
			Span{Attributes: attr(ArrayValue(StringValue("a"), KVListValue(KeyValue{Key: "x", Value: ArrayValue(IntValue(1), Value{})})))}},
		{"later value member wins", `"attributes":[{"key":"k","value":{"stringValue":"a","intValue":2}}]`,
			Span{Attributes: attr(IntValue(2))}},
		{"repeated array member merges", `"attributes":[{"key":"k","value":{"arrayValue":{"values":[{"intValue":1}]},"arrayValue":{"values":[{"intValue":2}]}}}]`,
			Span{Attributes: attr(ArrayValue(IntValue(1), IntValue(2)))}},
		{"array after a string replaces it", `"attributes":[{"key":"k","value":{"stringValue":"a","arrayValue":{}}}]`,
			Span{Attributes: attr(ArrayValue())}},
		{"events and links", `"events":[{"timeUnixNano":"5","name":"exception","attributes":[{"key":"k","value":{"boolValue":true}}],"droppedAttributesCount":1},{}],` +
			`"links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"EEE19B7EC3C1B174","traceState":"t","flags":257,"droppedAttributesCount":"2","attributes":[{"key":"k"}]}]`,
			Span{
				Events: []SpanEvent{{TimeUnixNano: 5, Name: "exception", Attributes: attr(BoolValue(true)), DroppedAttributesCount: 1}, {}},
				Links:  []SpanLink{{TraceID: id16, SpanID: id8, TraceState: "t", Flags: 257, DroppedAttributesCount: 2, Attributes: []KeyValue{{Key: "k"}}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jsonOneSpan(t, jsonSpanRequest(tt.members))
			want := &Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{{Spans: []Span{tt.want}}}}}}
			requireSameTraces(t, want, &Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{{Spans: []Span{got}}}}}})
		})
	}
}

func TestDecodeTracesJSONStructure(t *testing.T) {
	tests := []struct {
		name string
		data string
		want *Traces
	}{
		{"empty object", `{}`, &Traces{}},
		{"white space around", " \n\t{\"resourceSpans\":[]}\r\n ", &Traces{}},
		{"null lists", `{"resourceSpans":null}`, &Traces{}},
		{"scope present and empty", `{"resourceSpans":[{"scopeSpans":[{"scope":{}},{"scope":null},{}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{{Scope: &Scope{}}, {}, {}}}}}},
		{"resource and schema urls", `{"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}],"droppedAttributesCount":2},` +
			`"schemaUrl":"r","scope_spans":[{"schema_url":"s","scope":{"name":"n","version":"v","dropped_attributes_count":1,"attributes":[{"key":"a"}]}}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{{
				Resource:   Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("s")}}, DroppedAttributesCount: 2},
				SchemaURL:  "r",
				ScopeSpans: []ScopeSpans{{SchemaURL: "s", Scope: &Scope{Name: "n", Version: "v", DroppedAttributesCount: 1, Attributes: []KeyValue{{Key: "a"}}}}},
			}}}},
		// Exporters before OTLP 0.15 (opentelemetry-js among them) sent
		// instrumentationLibrarySpans; they come after the scopeSpans.
		{"legacy instrumentationLibrarySpans", `{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old","version":"0.1"},"spans":[{"name":"a"}]}],` +
			`"scopeSpans":[{"scope":{"name":"new"},"spans":[{"name":"b"}]}],"instrumentation_library_spans":[{"spans":[{"name":"c"}]}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{
				{Scope: &Scope{Name: "new"}, Spans: []Span{{Name: "b"}}},
				{Scope: &Scope{Name: "old", Version: "0.1"}, Spans: []Span{{Name: "a"}}},
				{Spans: []Span{{Name: "c"}}},
			}}}}},
		{"repeated lists append", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}],"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"b"}],"spans":[{"name":"c"}]}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{
				{ScopeSpans: []ScopeSpans{{Spans: []Span{{Name: "a"}}}}},
				{ScopeSpans: []ScopeSpans{{Spans: []Span{{Name: "b"}, {Name: "c"}}}}},
			}}},
		{"repeated scope merges", `{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"n"},"scope":{"version":"v"}}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{{Scope: &Scope{Name: "n", Version: "v"}}}}}}},
		{"unknown top-level members", `{"foo":1,"resourceLogs":[{"bar":2}],"resourceSpans":[{"entityRefs":[{"type":"service"}]}]}`,
			&Traces{ResourceSpans: []ResourceSpans{{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeTracesJSON([]byte(tt.data), &Limits{})
			require.NoError(t, err)
			requireSameTraces(t, tt.want, got)
		})
	}
}

func TestDecodeLogsJSONLenient(t *testing.T) {
	data := `{"resource_logs":[{"resource":{},"scope_logs":[{"log_records":[{"time_unix_nano":"1","observed_time_unix_nano":2,` +
		`"severity_number":"SEVERITY_NUMBER_WARN3","severity_text":"W","body":{"bytes_value":"aGk="},"flags":"1",` +
		`"trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"","event_name":"e","dropped_attributes_count":1},` +
		`{"severityNumber":24,"body":null},{"severityNumber":"SEVERITY_NUMBER_UNSPECIFIED","body":{}},{"severityNumber":"SEVERITY_NUMBER_FATAL4"}]}],` +
		`"instrumentationLibraryLogs":[{"instrumentationLibrary":{"name":"old"},"logRecords":[{"severityNumber":"SEVERITY_NUMBER_TRACE"}]}]}]}`
	got, err := decodeLogsJSON([]byte(data), &Limits{})
	require.NoError(t, err)
	want := &Logs{ResourceLogs: []ResourceLogs{{ScopeLogs: []ScopeLogs{
		{LogRecords: []LogRecord{
			{TimeUnixNano: 1, ObservedTimeUnixNano: 2, SeverityNumber: 15, SeverityText: "W", Body: BytesValue([]byte("hi")),
				Flags: 1, TraceID: jsonHex(t, "5b8efff798038103d269b633813fc60c"), EventName: "e", DroppedAttributesCount: 1},
			{SeverityNumber: 24}, {}, {SeverityNumber: 24},
		}},
		{Scope: &Scope{Name: "old"}, LogRecords: []LogRecord{{SeverityNumber: 1}}},
	}}}}
	requireSameLogs(t, want, got)
}

// Numbers in every form must be read as protojson reads them: the same
// inputs accepted, to the same values.
func TestDecodeJSONNumbersAgreeWithProtojson(t *testing.T) {
	forms := []string{
		`0`, `-0`, `1`, `-1`, `42`, `1.0`, `1.5`, `1e3`, `1E3`, `1e+3`, `1e-3`, `10e-1`, `1.50e1`, `-0.0`, `0.0e5`,
		`0e25`, `1e19`, `1e20`, `9223372036854775807`, `9223372036854775808`, `-9223372036854775808`,
		`-9223372036854775809`, `18446744073709551615`, `18446744073709551616`, `4294967295`, `4294967296`,
		`2147483647`, `2147483648`, `-2147483648`, `-2147483649`, `1e400`, `-1e400`, `1e-400`, `0.1`, `123456789012345678901`,
		`00`, `01`, `+1`, `.5`, `1.`, `1e`, `1e+`, `-`, ` 1`, `1 `, `0x10`, `NaN`, `Infinity`, `-Infinity`, `nan`, `inf`,
		`1_000`, `١`, `true`, `1e2147483648`, `100000000000000000000e-2`,
	}
	type member struct {
		name, template string
		get            func(*coltracepb.ExportTraceServiceRequest) any
		ours           func(*Traces) any
	}
	span := func(t *Traces) *Span { return &t.ResourceSpans[0].ScopeSpans[0].Spans[0] }
	members := []member{
		{"fixed64", `"startTimeUnixNano":%s`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return r.ResourceSpans[0].ScopeSpans[0].Spans[0].StartTimeUnixNano
			},
			func(t *Traces) any { return span(t).StartTimeUnixNano }},
		{"fixed32", `"flags":%s`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return r.ResourceSpans[0].ScopeSpans[0].Spans[0].Flags
			},
			func(t *Traces) any { return span(t).Flags }},
		{"uint32", `"droppedLinksCount":%s`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return r.ResourceSpans[0].ScopeSpans[0].Spans[0].DroppedLinksCount
			},
			func(t *Traces) any { return span(t).DroppedLinksCount }},
		{"enum", `"kind":%s`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return int32(r.ResourceSpans[0].ScopeSpans[0].Spans[0].Kind)
			},
			func(t *Traces) any { return int32(span(t).Kind) }},
		{"int64", `"attributes":[{"key":"k","value":{"intValue":%s}}]`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return r.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value.GetIntValue()
			},
			func(t *Traces) any { return span(t).Attributes[0].Value.Int() }},
		{"double", `"attributes":[{"key":"k","value":{"doubleValue":%s}}]`,
			func(r *coltracepb.ExportTraceServiceRequest) any {
				return math.Float64bits(r.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes[0].Value.GetDoubleValue())
			},
			func(t *Traces) any { return math.Float64bits(span(t).Attributes[0].Value.Double()) }},
	}
	checked := 0
	for _, m := range members {
		for _, form := range forms {
			for _, quoted := range []bool{false, true} {
				text := form
				if quoted {
					text = `"` + form + `"`
				} else if !jsontext.Value(form).IsValid() {
					continue // not JSON at all
				}
				data := jsonSpanRequest(fmt.Sprintf(m.template, text))
				var req coltracepb.ExportTraceServiceRequest
				perr := protojson.Unmarshal([]byte(data), &req)
				got, err := decodeTracesJSON([]byte(data), &Limits{})
				if perr != nil {
					assert.Error(t, err, "%s %s: protojson rejects (%v), ours accepts", m.name, text, perr)
					continue
				}
				if !assert.NoError(t, err, "%s %s: protojson accepts", m.name, text) {
					continue
				}
				assert.Equal(t, m.get(&req), m.ours(got), "%s %s", m.name, text)
				checked++
			}
		}
	}
	assert.Greater(t, checked, 50)
}

func TestDecodeJSONErrors(t *testing.T) {
	span := func(members string) string { return jsonSpanRequest(members) }
	attr := func(value string) string { return span(`"attributes":[{"key":"k","value":` + value + `}]`) }
	const attrPath = jsonSpanPath + "/attributes/0/value"
	tests := []struct {
		name string
		data string
		logs bool
		path string
		at   string // the offset is where this first occurs in data; "" for len(data)
		msg  string
	}{
		{name: "empty body", data: ``, path: "", at: "", msg: "unexpected EOF"},
		{name: "only white space", data: "  \n", path: "", at: "", msg: "unexpected EOF"},
		{name: "array", data: `[]`, at: `[]`, msg: "expected an object, got an array"},
		{name: "null", data: `null`, at: `null`, msg: "expected an object, got null"},
		{name: "trailing value", data: `{} []`, at: `[]`, msg: "data after the top-level object"},
		{name: "trailing garbage", data: `{}x`, at: `x`, msg: "invalid character"},
		{name: "not JSON", data: `{"resourceSpans":[{]}`, path: "/resourceSpans/0", at: `]}`, msg: "invalid character"},
		{name: "truncated", data: `{"resourceSpans":[{"scopeSpans":[`, path: "/resourceSpans/0/scopeSpans/0", msg: "unexpected EOF"},
		{name: "invalid UTF-8", data: "{\"resourceSpans\":[{\"schemaUrl\":\"\xff\"}]}", path: "/resourceSpans/0/schemaUrl", at: "\xff", msg: "invalid UTF-8"},
		{name: "bad unknown member", data: `{"foo/~":[1,}`, path: "/foo~1~0", at: ",}", msg: "invalid character"},
		{name: "list is an object", data: `{"resourceSpans":{}}`, path: "/resourceSpans", at: `{}}`, msg: "expected an array, got an object"},
		{name: "null element", data: `{"resourceSpans":[null]}`, path: "/resourceSpans/0", at: `null`, msg: "expected an object, got null"},
		{name: "message is a string", data: `{"resourceSpans":[{"resource":"r"}]}`, path: "/resourceSpans/0/resource", at: `"r"`},
		{name: "snake_case member path is camelCase", data: `{"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"abc"}]}]}]}`,
			path: jsonSpanPath + "/traceId", at: `"abc"`, msg: "odd number of hex digits"},
		{name: "odd trace id", data: span(`"traceId":"abc"`), path: jsonSpanPath + "/traceId", at: `"abc"`, msg: "odd number"},
		{name: "non-hex span id", data: span(`"spanId":"zz00000000000000"`), path: jsonSpanPath + "/spanId", at: `"zz`, msg: "not hex"},
		{name: "base64 id", data: span(`"spanId":"7uGbfsPBsXQ="`), path: jsonSpanPath + "/spanId", at: `"7u`, msg: "not hex"},
		{name: "numeric parent id", data: span(`"parentSpanId":12`), path: jsonSpanPath + "/parentSpanId", at: `12`, msg: "expected a hex string, got a number"},
		{name: "name is a number", data: span(`"name":1`), path: jsonSpanPath + "/name", at: `1}`, msg: "expected a string"},
		{name: "fraction time", data: span(`"startTimeUnixNano":"1.5"`), path: jsonSpanPath + "/startTimeUnixNano", at: `"1.5"`, msg: "not a uint64"},
		{name: "negative time", data: span(`"endTimeUnixNano":-1`), path: jsonSpanPath + "/endTimeUnixNano", at: `-1`},
		{name: "time overflow", data: span(`"endTimeUnixNano":"18446744073709551616"`), path: jsonSpanPath + "/endTimeUnixNano", at: `"18`},
		{name: "time with space", data: span(`"endTimeUnixNano":" 1"`), path: jsonSpanPath + "/endTimeUnixNano", at: `" 1"`},
		{name: "time is a bool", data: span(`"endTimeUnixNano":true`), path: jsonSpanPath + "/endTimeUnixNano", at: `true`, msg: "expected a number"},
		{name: "flags overflow", data: span(`"flags":4294967296`), path: jsonSpanPath + "/flags", at: `4294967296`, msg: "not a uint32"},
		{name: "negative count", data: span(`"droppedEventsCount":"-3"`), path: jsonSpanPath + "/droppedEventsCount", at: `"-3"`},
		{name: "unknown kind name", data: span(`"kind":"SPAN_KIND_BOGUS"`), path: jsonSpanPath + "/kind", at: `"SPAN`, msg: "unknown enum value"},
		{name: "kind as numeric string", data: span(`"kind":"2"`), path: jsonSpanPath + "/kind", at: `"2"`, msg: "unknown enum value"},
		{name: "kind overflow", data: span(`"kind":2147483648`), path: jsonSpanPath + "/kind", at: `2147483648`, msg: "not an int32"},
		{name: "status code name of another enum", data: span(`"status":{"code":"SPAN_KIND_SERVER"}`), path: jsonSpanPath + "/status/code", at: `"SPAN`},
		{name: "status message", data: span(`"status":{"message":{}}`), path: jsonSpanPath + "/status/message", at: `{}}`},
		{name: "event time", data: span(`"events":[{},{"timeUnixNano":"x"}]`), path: jsonSpanPath + "/events/1/timeUnixNano", at: `"x"`},
		{name: "link trace id", data: span(`"links":[{"traceId":"0g"}]`), path: jsonSpanPath + "/links/0/traceId", at: `"0g"`},
		{name: "attribute key", data: span(`"attributes":[{"key":5}]`), path: jsonSpanPath + "/attributes/0/key", at: `5}`},
		{name: "attribute null element", data: span(`"attributes":[{"key":"a"},null]`), path: jsonSpanPath + "/attributes/1", at: `null`},
		{name: "int value fraction", data: attr(`{"intValue":"1.5"}`), path: attrPath + "/intValue", at: `"1.5"`, msg: "not an int64"},
		{name: "int value overflow", data: attr(`{"intValue":9223372036854775808}`), path: attrPath + "/intValue", at: `92`},
		{name: "double lower-case nan", data: attr(`{"doubleValue":"nan"}`), path: attrPath + "/doubleValue", at: `"nan"`, msg: "not a double"},
		{name: "double out of range", data: attr(`{"doubleValue":1e400}`), path: attrPath + "/doubleValue", at: `1e400`},
		{name: "bool as string", data: attr(`{"boolValue":"true"}`), path: attrPath + "/boolValue", at: `"true"`, msg: "expected a boolean, got a string"},
		{name: "bad base64", data: attr(`{"bytesValue":"!!!!"}`), path: attrPath + "/bytesValue", at: `"!!!!"`, msg: "not base64"},
		{name: "kvlist as array", data: attr(`{"kvlistValue":[]}`), path: attrPath + "/kvlistValue", at: `[]`, msg: "expected an object, got an array"},
		{name: "nested value", data: attr(`{"arrayValue":{"values":[{},{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":1}}]}}]}}`),
			path: attrPath + "/arrayValue/values/1/kvlistValue/values/0/value/stringValue", at: `1}}]`},
		{name: "null array element", data: attr(`{"arrayValue":{"values":[null]}}`), path: attrPath + "/arrayValue/values/0", at: `null`},
		{name: "log severity", logs: true, data: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_LOUD"}]}]}]}`,
			path: "/resourceLogs/0/scopeLogs/0/logRecords/0/severityNumber", at: `"SEV`},
		{name: "log body", logs: true, data: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"intValue":1.5}}]}]}]}`,
			path: "/resourceLogs/0/scopeLogs/0/logRecords/0/body/intValue", at: `1.5`},
		{name: "log legacy list", logs: true, data: `{"resourceLogs":[{"instrumentationLibraryLogs":[{"logRecords":[{"spanId":"x"}]}]}]}`,
			path: "/resourceLogs/0/instrumentationLibraryLogs/0/logRecords/0/spanId", at: `"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.logs {
				_, err = DecodeLogs([]byte(tt.data), JSON, WithLimits(Limits{}))
			} else {
				_, err = DecodeTraces([]byte(tt.data), JSON, WithLimits(Limits{}))
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidJSON)
			assert.NotErrorIs(t, err, ErrInvalidProtobuf)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, JSON, de.Encoding)
			assert.Equal(t, tt.path, de.Path)
			offset := len(tt.data)
			if tt.at != "" {
				offset = strings.Index(tt.data, tt.at)
				require.GreaterOrEqual(t, offset, 0)
			}
			assert.Equal(t, int64(offset), de.Offset, "%v", err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestDecodeJSONLimits(t *testing.T) {
	span := func(members string) string { return jsonSpanRequest(members) }
	attrs := func(values ...string) string {
		kvs := make([]string, len(values))
		for i, v := range values {
			kvs[i] = `{"key":"k","value":` + v + `}`
		}
		return span(`"attributes":[` + strings.Join(kvs, ",") + `]`)
	}
	nested := func(n int) string { // an array value n deep
		return strings.Repeat(`{"arrayValue":{"values":[`, n-1) + `{"intValue":1}` + strings.Repeat(`]}}`, n-1)
	}
	tests := []struct {
		name   string
		data   string
		logs   bool
		limits Limits
		want   *LimitError // nil: no error
	}{
		{name: "spans at the limit", data: `{"resourceSpans":[{"scopeSpans":[{"spans":[{},{}]}]}]}`, limits: Limits{MaxSpans: 2}},
		{name: "spans over the limit", data: `{"resourceSpans":[{"scopeSpans":[{"spans":[{}]},{"spans":[{},{}]}]}]}`, limits: Limits{MaxSpans: 2},
			want: &LimitError{Limit: "MaxSpans", Path: "/resourceSpans/0/scopeSpans/1/spans", Value: 3, Max: 2}},
		{name: "legacy spans count", data: `{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}],"instrumentationLibrarySpans":[{"spans":[{}]}]}]}`, limits: Limits{MaxSpans: 1},
			want: &LimitError{Limit: "MaxSpans", Path: "/resourceSpans/0/instrumentationLibrarySpans/0/spans", Value: 2, Max: 1}},
		{name: "log records over the limit", logs: true, data: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]},{"scopeLogs":[{"logRecords":[{}]}]}]}`,
			limits: Limits{MaxLogRecords: 1},
			want:   &LimitError{Limit: "MaxLogRecords", Path: "/resourceLogs/1/scopeLogs/0/logRecords", Value: 2, Max: 1}},
		{name: "attributes at the limit", data: attrs(`{}`, `{}`), limits: Limits{MaxAttributes: 2}},
		{name: "attributes over the limit", data: attrs(`{}`, `{}`, `{}`), limits: Limits{MaxAttributes: 2},
			want: &LimitError{Limit: "MaxAttributes", Path: jsonSpanPath + "/attributes", Value: 3, Max: 2}},
		{name: "repeated attributes count together", data: span(`"attributes":[{},{}],"attributes":[{}]`), limits: Limits{MaxAttributes: 2},
			want: &LimitError{Limit: "MaxAttributes", Path: jsonSpanPath + "/attributes", Value: 3, Max: 2}},
		{name: "resource attributes", data: `{"resourceSpans":[{"resource":{"attributes":[{},{}]}}]}`, limits: Limits{MaxAttributes: 1},
			want: &LimitError{Limit: "MaxAttributes", Path: "/resourceSpans/0/resource/attributes", Value: 2, Max: 1}},
		{name: "array elements", data: attrs(`{"arrayValue":{"values":[{},{}]}}`), limits: Limits{MaxAttributes: 1},
			want: &LimitError{Limit: "MaxAttributes", Path: jsonSpanPath + "/attributes/0/value/arrayValue/values", Value: 2, Max: 1}},
		{name: "kvlist members", data: attrs(`{"kvlistValue":{"values":[{},{}]}}`), limits: Limits{MaxAttributes: 1},
			want: &LimitError{Limit: "MaxAttributes", Path: jsonSpanPath + "/attributes/0/value/kvlistValue/values", Value: 2, Max: 1}},
		{name: "key at the limit", data: span(`"attributes":[{"key":"abc"}]`), limits: Limits{MaxValueLength: 3}},
		{name: "key over the limit", data: span(`"attributes":[{"key":"abcd"}]`), limits: Limits{MaxValueLength: 3},
			want: &LimitError{Limit: "MaxValueLength", Path: jsonSpanPath + "/attributes/0/key", Value: 4, Max: 3}},
		{name: "escaped string within the limit", data: attrs(`{"stringValue":"\u00e9"}`), limits: Limits{MaxValueLength: 2}},
		{name: "string over the limit", data: attrs(`{"stringValue":"\u00e9\u00e9"}`), limits: Limits{MaxValueLength: 3},
			want: &LimitError{Limit: "MaxValueLength", Path: jsonSpanPath + "/attributes/0/value/stringValue", Value: 4, Max: 3}},
		{name: "bytes length is decoded length", data: attrs(`{"bytesValue":"AAAA"}`), limits: Limits{MaxValueLength: 3}},
		{name: "bytes over the limit", data: attrs(`{"bytesValue":"AAAAAA"}`), limits: Limits{MaxValueLength: 3},
			want: &LimitError{Limit: "MaxValueLength", Path: jsonSpanPath + "/attributes/0/value/bytesValue", Value: 4, Max: 3}},
		{name: "log body string", logs: true, data: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"abcd"}}]}]}]}`,
			limits: Limits{MaxValueLength: 3},
			want:   &LimitError{Limit: "MaxValueLength", Path: "/resourceLogs/0/scopeLogs/0/logRecords/0/body/stringValue", Value: 4, Max: 3}},
		{name: "names and other strings are not values", data: span(`"name":"abcdef","traceState":"abcdef"`), limits: Limits{MaxValueLength: 3}},
		{name: "scalar is depth 1", data: attrs(`{"intValue":1}`), limits: Limits{MaxDepth: 1}},
		{name: "empty array is depth 1", data: attrs(`{"arrayValue":{}}`), limits: Limits{MaxDepth: 1}},
		{name: "array of scalars is depth 2", data: attrs(nested(2)), limits: Limits{MaxDepth: 1},
			want: &LimitError{Limit: "MaxDepth", Path: jsonSpanPath + "/attributes/0/value/arrayValue/values/0", Value: 2, Max: 1}},
		{name: "depth at the limit", data: attrs(nested(5)), limits: Limits{MaxDepth: 5}},
		{name: "depth over the limit", data: attrs(nested(6)), limits: Limits{MaxDepth: 5},
			want: &LimitError{Limit: "MaxDepth", Path: jsonSpanPath + "/attributes/0/value" + strings.Repeat("/arrayValue/values/0", 5), Value: 6, Max: 5}},
		{name: "kvlist depth", data: attrs(`{"kvlistValue":{"values":[{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{}}]}}}]}}`),
			limits: Limits{MaxDepth: 2},
			want:   &LimitError{Limit: "MaxDepth", Path: jsonSpanPath + "/attributes/0/value/kvlistValue/values/0/value/kvlistValue/values/0/value", Value: 3, Max: 2}},
		{name: "log body depth", logs: true, data: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":` + nested(2) + `}]}]}]}`,
			limits: Limits{MaxDepth: 1},
			want:   &LimitError{Limit: "MaxDepth", Path: "/resourceLogs/0/scopeLogs/0/logRecords/0/body/arrayValue/values/0", Value: 2, Max: 1}},
		{name: "deep values without a limit", data: attrs(nested(3000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.logs {
				_, err = DecodeLogs([]byte(tt.data), JSON, WithLimits(tt.limits))
			} else {
				_, err = DecodeTraces([]byte(tt.data), JSON, WithLimits(tt.limits))
			}
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrLimitExceeded)
			var le *LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.want, le)
		})
	}
}

// JSON nested more than 10,000 deep is invalid, as protobuf messages
// nested more than 10,000 deep are, whatever the limits: that bounds the
// decoder's recursion.
func TestDecodeJSONNestingBound(t *testing.T) {
	data := jsonSpanRequest(`"attributes":[{"key":"k","value":` + strings.Repeat(`{"arrayValue":{"values":[`, 3400))
	_, err := decodeTracesJSON([]byte(data), &Limits{})
	require.ErrorIs(t, err, ErrInvalidJSON)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorContains(t, de.Err, "exceeded max depth")
	assert.True(t, strings.HasPrefix(de.Path, jsonSpanPath+"/attributes/0/value/arrayValue/values/0/arrayValue/"), de.Path[:200])
	opened := 0 // the 10,001st opening bracket is one too deep
	for i, c := range []byte(data) {
		if c == '{' || c == '[' {
			if opened++; opened == 10001 {
				assert.Equal(t, int64(i), de.Offset)
				break
			}
		}
	}
}

// Both encodings of a request must meet a limit at the same place. Only
// LimitError.Value may differ: the protobuf decoder counts a list before
// it reads it, the JSON decoder as it goes.
func TestDecodeJSONLimitsMatchProto(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 23))
	compare := func(t *testing.T, i int, l Limits, jsonErr, protoErr error) {
		if protoErr == nil {
			require.NoError(t, jsonErr, "request %d, %+v", i, l)
			return
		}
		var want, got *LimitError
		require.ErrorAs(t, protoErr, &want, "request %d", i)
		require.ErrorAs(t, jsonErr, &got, "request %d, %+v: protobuf: %v", i, l, protoErr)
		assert.Equal(t, want.Limit, got.Limit, "request %d", i)
		assert.Equal(t, want.Max, got.Max, "request %d", i)
		if want.Limit == "MaxAttributes" { // nested lists: see below
			assert.True(t, strings.HasPrefix(got.Path, want.Path), "request %d: %s, protobuf %s", i, got.Path, want.Path)
		} else {
			assert.Equal(t, want.Path, got.Path, "request %d", i)
		}
	}
	// One limit at a time. MaxAttributes paths may differ when a list and
	// a list nested in one of its values are both too long: the protobuf
	// decoder sees the outer one first, the JSON decoder the inner one.
	limits := func() Limits {
		switch r.IntN(5) {
		case 0:
			return Limits{MaxSpans: 1 + r.IntN(8)}
		case 1:
			return Limits{MaxLogRecords: 1 + r.IntN(8)}
		case 2:
			return Limits{MaxAttributes: 1 + r.IntN(6)}
		case 3:
			return Limits{MaxValueLength: 1 + r.IntN(200)}
		}
		return Limits{MaxDepth: 1 + r.IntN(3)}
	}
	errors := 0
	for i := range 200 {
		l := limits()
		treq := randomTraceRequest(r)
		pb, err := proto.Marshal(treq)
		require.NoError(t, err)
		_, protoErr := decodeTracesProto(pb, &l)
		_, jsonErr := decodeTracesJSON(otlpJSON(t, treq, nil), &l)
		compare(t, i, l, jsonErr, protoErr)

		lreq := randomLogsRequest(r)
		pb, err = proto.Marshal(lreq)
		require.NoError(t, err)
		_, protoErr2 := decodeLogsProto(pb, &l)
		_, jsonErr = decodeLogsJSON(otlpJSON(t, lreq, nil), &l)
		compare(t, i, l, jsonErr, protoErr2)
		if protoErr != nil {
			errors++
		}
	}
	assert.Greater(t, errors, 25)
}

// Every proper prefix of a real request is invalid and must fail with a
// DecodeError, never a panic.
func TestDecodeJSONTruncated(t *testing.T) {
	inputs := map[string][]byte{
		"trace.json":  jsonReadTestdata(t, "trace.json"),
		"random":      otlpJSON(t, randomTraceRequest(rand.New(rand.NewPCG(1, 1))), rand.New(rand.NewPCG(2, 2))),
		"logs.json":   jsonReadTestdata(t, "logs.json"),
		"events.json": jsonReadTestdata(t, "events.json"),
	}
	for name, data := range inputs {
		logs := strings.HasPrefix(name, "logs") || strings.HasPrefix(name, "events")
		step := 1
		if len(data) > 4096 {
			step = len(data)/4096 + 1 // keep the test quadratic in a few KB only
		}
		for n := 0; n < len(bytes.TrimSpace(data)); n += step {
			prefix := data[:n]
			var err error
			if logs {
				_, err = decodeLogsJSON(prefix, &Limits{})
			} else {
				_, err = decodeTracesJSON(prefix, &Limits{})
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de, "%s cut at %d", name, n)
			require.LessOrEqual(t, de.Offset, int64(n), "%s cut at %d", name, n)
		}
	}
}

// Strings without escapes alias the input; with escapes they are copies.
func TestDecodeJSONAliasesInput(t *testing.T) {
	data := []byte(jsonSpanRequest(`"name":"plain","traceState":"esc\u0061ped","attributes":[{"key":"key","value":{"stringValue":"value"}}]`))
	got, err := decodeTracesJSON(data, &Limits{})
	require.NoError(t, err)
	s := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
	inData := func(str string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(str)))
		start := uintptr(unsafe.Pointer(&data[0]))
		return p >= start && p < start+uintptr(len(data))
	}
	assert.True(t, inData(s.Name))
	assert.True(t, inData(s.Attributes[0].Key))
	assert.True(t, inData(s.Attributes[0].Value.Str()))
	assert.Equal(t, "escaped", s.TraceState)
	assert.False(t, inData(s.TraceState))
}

// Slices of the model are independent: appending to one cannot write
// into another, though they share arrays.
func TestDecodeJSONSlicesAreCapped(t *testing.T) {
	data := jsonSpanRequest(`"traceId":"0102","spanId":"0304","attributes":[{"key":"a"}],"events":[{"attributes":[{"key":"b"}]}]`)
	s := jsonOneSpan(t, data)
	assert.Equal(t, len(s.TraceID), cap(s.TraceID))
	assert.Equal(t, len(s.SpanID), cap(s.SpanID))
	assert.Equal(t, len(s.Attributes), cap(s.Attributes))
	_ = append(s.Attributes, KeyValue{Key: "x"})
	assert.Equal(t, "b", s.Events[0].Attributes[0].Key)
	_ = append(s.TraceID, 0xff)
	assert.Equal(t, []byte{3, 4}, s.SpanID)
}

func TestParseJSONInteger(t *testing.T) {
	tests := []struct {
		in     string
		signed bool
		bits   int
		want   uint64
		ok     bool
	}{
		{"0", false, 64, 0, true},
		{"18446744073709551615", false, 64, math.MaxUint64, true},
		{"18446744073709551616", false, 64, 0, false},
		{"99999999999999999999", false, 64, 0, false},
		{"1844674407370955161.5e1", false, 64, math.MaxUint64, true},
		{"-1", false, 64, 0, false},
		{"-0", false, 32, 0, true},
		{"4294967295", false, 32, math.MaxUint32, true},
		{"4294967296", false, 32, 0, false},
		{"-9223372036854775808", true, 64, 1 << 63, true},
		{"9223372036854775807", true, 64, math.MaxInt64, true},
		{"9223372036854775808", true, 64, 0, false},
		{"-2147483648", true, 32, uint64(1<<64 - 1<<31), true},
		{"2147483648", true, 32, 0, false},
		{"1200e-2", true, 64, 12, true},
		{"1210e-2", true, 64, 0, false},
		{"1e-1", true, 64, 0, false},
		{"0.000", true, 64, 0, true},
		{"", true, 64, 0, false},
		{"-", true, 64, 0, false},
		{"1e", true, 64, 0, false},
		{"1.", true, 64, 0, false},
		{"01", true, 64, 0, false},
	}
	for _, tt := range tests {
		got, ok := parseJSONInteger([]byte(tt.in), tt.signed, tt.bits)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, got, "%q", tt.in)
		}
	}
}

func TestDecodeJSONErrorsAreTyped(t *testing.T) {
	_, err := DecodeTraces([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{},{}]}]}]}`), JSON, WithLimits(Limits{MaxSpans: 1}))
	assert.True(t, errors.Is(err, ErrLimitExceeded))
	assert.False(t, errors.Is(err, ErrInvalidJSON))
	_, err = DecodeLogs([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"x"}]}]}]}`), JSON)
	assert.True(t, errors.Is(err, ErrInvalidJSON))
	assert.False(t, errors.Is(err, ErrLimitExceeded))
	assert.Equal(t, "otlp: invalid OTLP JSON at byte 57 (/resourceLogs/0/scopeLogs/0/logRecords/0/traceId): id \"x\" is an odd number of hex digits", err.Error())
}
