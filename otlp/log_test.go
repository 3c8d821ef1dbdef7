package otlp

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// testUnhex decodes hex written in a test, in either case.
func testUnhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

var hexTraceID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// logJSON returns the JSON of a converted log without its trace id, which
// is random for records without a valid one, and the trace id apart.
func logJSON(t *testing.T, l protocol.Log) (string, string) {
	t.Helper()
	id := l.TraceID
	l.TraceID = ""
	b, err := protocol.Marshal(l)
	require.NoError(t, err)
	return string(b), id
}

// The vectors of Relay's relay-ourlogs/src/otel_to_sentry.rs tests. Their
// snapshots predate "sentry.origin", which the newest converter adds to
// every log (and Relay's integration tests show stored), and arrays of
// type "array" (see arena.attribute).
func TestConvertLogRelay(t *testing.T) {
	exampleRecord := func(body string) LogRecord {
		return LogRecord{
			TimeUnixNano:         1544712660300000000,
			ObservedTimeUnixNano: 1544712660300000000,
			SeverityNumber:       10,
			SeverityText:         "Information",
			TraceID:              testUnhex(t, "5B8EFFF798038103D269B633813FC60C"),
			SpanID:               testUnhex(t, "EEE19B7EC3C1B174"),
			Body:                 StringValue(body),
		}
	}
	parseOtelLog := exampleRecord("Example log record")
	parseOtelLog.Attributes = []KeyValue{
		{Key: "string.attribute", Value: StringValue("some string")},
		{Key: "boolean.attribute", Value: BoolValue(true)},
		{Key: "int.attribute", Value: IntValue(10)},
		{Key: "double.attribute", Value: DoubleValue(637.704)},
		{Key: "array.attribute", Value: ArrayValue(StringValue("many"), StringValue("values"))},
		{Key: "map.attribute", Value: KVListValue(KeyValue{Key: "some.map.key", Value: StringValue("some value")})},
	}
	withDB := exampleRecord("Database query executed")
	withDB.Attributes = []KeyValue{
		{Key: "db.name", Value: StringValue("database")},
		{Key: "db.type", Value: StringValue("sql")},
		{Key: "db.statement", Value: StringValue(`SELECT "table"."col" FROM "table" WHERE "table"."col" = %s`)},
	}
	withoutIDs := exampleRecord("Log without trace context")
	withoutIDs.TraceID, withoutIDs.SpanID = nil, nil
	withoutIDs.Attributes = []KeyValue{{Key: "test.attribute", Value: StringValue("test value")}}
	emptyIDs := exampleRecord("Error log with empty trace IDs")
	emptyIDs.SeverityNumber, emptyIDs.SeverityText = 17, "Error"
	emptyIDs.TraceID, emptyIDs.SpanID = []byte{}, []byte{}
	emptyIDs.Attributes = []KeyValue{{Key: "error.type", Value: StringValue("ValidationError")}}
	invalidIDs := exampleRecord("Warning log with invalid trace IDs")
	invalidIDs.SeverityNumber, invalidIDs.SeverityText = 13, "Warning"
	invalidIDs.TraceID, invalidIDs.SpanID = testUnhex(t, "abc123"), testUnhex(t, "def456")
	invalidIDs.Attributes = []KeyValue{{Key: "warning.code", Value: IntValue(42)}}

	tests := []struct {
		name   string
		record LogRecord
		res    *Resource
		scope  *Scope
		want   string // without trace_id
		trace  string // "" for a random one
	}{{
		name:   "parse_otel_log",
		record: parseOtelLog,
		res:    &Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("test-service")}}},
		scope:  &Scope{Name: "Eins Name", Version: "123.42", DroppedAttributesCount: 12},
		want: `{
			"timestamp": 1544712660.3,
			"span_id": "eee19b7ec3c1b174",
			"level": "info",
			"body": "Example log record",
			"attributes": {
				"array.attribute": {"type": "array", "value": ["many", "values"]},
				"boolean.attribute": {"type": "boolean", "value": true},
				"double.attribute": {"type": "double", "value": 637.704},
				"instrumentation.name": {"type": "string", "value": "Eins Name"},
				"instrumentation.version": {"type": "string", "value": "123.42"},
				"int.attribute": {"type": "integer", "value": 10},
				"map.attribute": {"type": "string", "value": "{\"some.map.key\":\"some value\"}"},
				"resource.service.name": {"type": "string", "value": "test-service"},
				"sentry.origin": {"type": "string", "value": "auto.otlp.logs"},
				"string.attribute": {"type": "string", "value": "some string"}
			}
		}`,
		trace: "5b8efff798038103d269b633813fc60c",
	}, {
		name:   "parse_otel_log_with_db_attributes",
		record: withDB,
		want: `{
			"timestamp": 1544712660.3,
			"span_id": "eee19b7ec3c1b174",
			"level": "info",
			"body": "Database query executed",
			"attributes": {
				"db.name": {"type": "string", "value": "database"},
				"db.statement": {"type": "string", "value": "SELECT \"table\".\"col\" FROM \"table\" WHERE \"table\".\"col\" = %s"},
				"db.type": {"type": "string", "value": "sql"},
				"sentry.origin": {"type": "string", "value": "auto.otlp.logs"}
			}
		}`,
		trace: "5b8efff798038103d269b633813fc60c",
	}, {
		name:   "parse_otel_log_without_span_and_trace_ids",
		record: withoutIDs,
		want: `{
			"timestamp": 1544712660.3,
			"level": "info",
			"body": "Log without trace context",
			"attributes": {
				"sentry.origin": {"type": "string", "value": "auto.otlp.logs"},
				"test.attribute": {"type": "string", "value": "test value"}
			}
		}`,
	}, {
		name:   "parse_otel_log_with_empty_trace_ids",
		record: emptyIDs,
		want: `{
			"timestamp": 1544712660.3,
			"level": "error",
			"body": "Error log with empty trace IDs",
			"attributes": {
				"error.type": {"type": "string", "value": "ValidationError"},
				"sentry.origin": {"type": "string", "value": "auto.otlp.logs"}
			}
		}`,
	}, {
		name:   "parse_otel_log_with_invalid_trace_and_span_ids",
		record: invalidIDs,
		want: `{
			"timestamp": 1544712660.3,
			"level": "warn",
			"body": "Warning log with invalid trace IDs",
			"attributes": {
				"sentry.origin": {"type": "string", "value": "auto.otlp.logs"},
				"warning.code": {"type": "integer", "value": 42}
			}
		}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, trace := logJSON(t, ConvertLog(&tt.record, tt.res, tt.scope))
			assert.JSONEq(t, tt.want, got)
			if tt.trace != "" {
				assert.Equal(t, tt.trace, trace)
			} else {
				assert.Regexp(t, hexTraceID, trace)
				assert.NotEqual(t, "00000000000000000000000000000000", trace)
			}
		})
	}
}

func TestConvertLogLevel(t *testing.T) {
	tests := []struct {
		number SeverityNumber
		text   string
		want   protocol.LogLevel
	}{
		// Relay's parse_otel_log_severity_mapping.
		{1, "trace", protocol.LogTrace},
		{5, "debug", protocol.LogDebug},
		{9, "info", protocol.LogInfo},
		{13, "warn", protocol.LogWarn},
		{17, "error", protocol.LogError},
		{21, "fatal", protocol.LogFatal},
		{0, "warning", protocol.LogWarn},
		{0, "unknown", protocol.LogInfo},
		// The edges of the ranges; the number wins over the text.
		{4, "fatal", protocol.LogTrace},
		{8, "", protocol.LogDebug},
		{12, "", protocol.LogInfo},
		{16, "", protocol.LogWarn},
		{20, "", protocol.LogError},
		{24, "", protocol.LogFatal},
		// Outside them, the text, in any case.
		{25, "ERROR", protocol.LogError},
		{-1, "Fatal", protocol.LogFatal},
		{0, "Information", protocol.LogInfo},
		{0, "WARNING", protocol.LogWarn},
		{0, "Trace", protocol.LogTrace},
		{0, "DEBUG", protocol.LogDebug},
		{0, "critical", protocol.LogInfo},
		{0, "", protocol.LogInfo},
	}
	for _, tt := range tests {
		r := LogRecord{SeverityNumber: tt.number, SeverityText: tt.text}
		assert.Equal(t, tt.want, ConvertLog(&r, nil, nil).Level, "%d %q", tt.number, tt.text)
	}
}

func TestConvertLogBody(t *testing.T) {
	tests := []struct {
		name string
		body Value
		want string
	}{
		{"string", StringValue(`say "hi"`), `say "hi"`},
		{"empty", Value{}, ""},
		{"int", IntValue(-42), "-42"},
		{"double", DoubleValue(1000), "1000.0"},
		{"bool", BoolValue(false), "false"},
		{"bytes", BytesValue([]byte("hello")), "hello"},
		{"bytes not UTF-8", BytesValue([]byte{0xff, 0xfe}), ""},
		{"array", ArrayValue(StringValue(`a"b`), IntValue(1), ArrayValue(IntValue(2))), `["a\"b",1]`},
		{"kvlist", KVListValue(KeyValue{Key: "k", Value: StringValue("v")}), `{"k":"v"}`},
		{"kvlist with escapes", KVListValue(KeyValue{Key: "k", Value: StringValue(`"v"`)}), `{"k":"\"v\""}`},
		// Only a hand-built record can hold invalid UTF-8; the log must
		// still encode.
		{"string not UTF-8", StringValue("a\xffb"), "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := LogRecord{Body: tt.body}
			got := ConvertLog(&r, nil, nil)
			assert.Equal(t, tt.want, got.Body)
			_, err := (&protocol.LogContainer{Items: []protocol.Log{got}}).Item()
			require.NoError(t, err)
		})
	}
}

func TestConvertLogTimestamp(t *testing.T) {
	tests := []struct {
		name           string
		time, observed uint64
		want           time.Time
	}{
		{"time", 1544712660300000000, 1544712661000000000, time.Unix(1544712660, 300000000)},
		{"observed when no time", 0, 1544712661000000000, time.Unix(1544712661, 0)},
		{"neither", 0, 0, time.Unix(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := LogRecord{TimeUnixNano: tt.time, ObservedTimeUnixNano: tt.observed}
			got := ConvertLog(&r, nil, nil).Timestamp
			assert.True(t, tt.want.Equal(got.Time), "got %v", got.Time)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestConvertLogIDs(t *testing.T) {
	tests := []struct {
		name          string
		trace, span   []byte
		wantTrace     string // "" for a random one
		wantSpan      string
		wantSpanValid bool
	}{
		{"valid", testUnhex(t, "0AF7651916CD43DD8448EB211C80319C"), testUnhex(t, "B7AD6B7169203331"),
			"0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", true},
		{"all zero", make([]byte, 16), make([]byte, 8), "", "", false},
		{"too long", make([]byte, 17), testUnhex(t, "b7ad6b716920333101"), "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := LogRecord{TraceID: tt.trace, SpanID: tt.span}
			l := ConvertLog(&r, nil, nil)
			if tt.wantTrace != "" {
				assert.Equal(t, tt.wantTrace, l.TraceID)
			} else {
				assert.Regexp(t, hexTraceID, l.TraceID)
				other := ConvertLog(&r, nil, nil)
				assert.NotEqual(t, l.TraceID, other.TraceID, "each record gets its own trace")
			}
			assert.Equal(t, tt.wantSpan, l.SpanID)
		})
	}
}

func TestConvertLogAttributeOrder(t *testing.T) {
	res := &Resource{Attributes: []KeyValue{
		{Key: "service.name", Value: StringValue("checkout")},
		{Key: "dropped", Value: Value{}},
	}}
	tests := []struct {
		name   string
		scope  *Scope
		attrs  []KeyValue
		want   map[string]string // key → value JSON; absent keys must be absent
		absent []string
	}{{
		name:   "no scope",
		want:   map[string]string{"sentry.origin": `"auto.otlp.logs"`, "resource.service.name": `"checkout"`},
		absent: []string{"instrumentation.name", "instrumentation.version", "resource.dropped"},
	}, {
		// Relay's Attributes::insert skips the empty strings, as for spans.
		name:   "empty scope",
		scope:  &Scope{},
		want:   map[string]string{"sentry.origin": `"auto.otlp.logs"`},
		absent: []string{"instrumentation.name", "instrumentation.version"},
	}, {
		name: "scope name beats a scope attribute of that name",
		scope: &Scope{Name: "otelslog", Version: "0.1", Attributes: []KeyValue{
			{Key: "name", Value: StringValue("oops")},
			{Key: "the.answer", Value: IntValue(42)},
		}},
		want: map[string]string{"instrumentation.name": `"otelslog"`, "instrumentation.version": `"0.1"`,
			"instrumentation.the.answer": "42"},
	}, {
		name:  "the record's own attributes come last",
		scope: &Scope{Name: "otelslog"},
		attrs: []KeyValue{
			{Key: "sentry.origin", Value: StringValue("manual")},
			{Key: "resource.service.name", Value: StringValue("override")},
			{Key: "instrumentation.name", Value: StringValue("mine")},
			{Key: "dup", Value: IntValue(1)},
			{Key: "dup", Value: IntValue(2)},
		},
		want: map[string]string{"sentry.origin": `"manual"`, "resource.service.name": `"override"`,
			"instrumentation.name": `"mine"`, "dup": "2"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := LogRecord{Attributes: tt.attrs}
			got := ConvertLog(&r, res, tt.scope).Attributes
			for k, v := range tt.want {
				require.Contains(t, got, k)
				assert.JSONEq(t, v, string(got[k].Value), k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, got, k)
			}
		})
	}
}

// One arena serves a whole request: what one record took from it must not
// change while later records grow it.
func TestConvertLogSharedArena(t *testing.T) {
	var a arena
	res := &Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("checkout")}}}
	var logs []protocol.Log
	for i := range 2000 {
		r := LogRecord{
			TimeUnixNano: 1544712660300000000,
			TraceID:      testUnhex(t, "5b8efff798038103d269b633813fc60c"),
			SpanID:       testUnhex(t, "eee19b7ec3c1b174"),
			Body:         IntValue(int64(i)),
			Attributes:   []KeyValue{{Key: "i", Value: IntValue(int64(i))}},
		}
		logs = append(logs, convertLog(&a, a.logBase(res, &Scope{Name: "s"}), &r))
	}
	for i, l := range logs {
		require.Equal(t, "5b8efff798038103d269b633813fc60c", l.TraceID)
		require.Equal(t, "eee19b7ec3c1b174", l.SpanID)
		require.Equal(t, strconv.Itoa(i), l.Body)
		require.Equal(t, strconv.Itoa(i), string(l.Attributes["i"].Value))
		require.Equal(t, `"checkout"`, string(l.Attributes["resource.service.name"].Value))
	}

	// And the records read back as Relay would read them.
	it, err := (&protocol.LogContainer{Items: logs}).Item()
	require.NoError(t, err)
	back, err := protocol.DecodeLogs(it)
	require.NoError(t, err)
	assert.Empty(t, back.Warnings)
	require.Len(t, back.Items, len(logs))
	assert.Equal(t, protocol.LogInfo, back.Items[7].Level)
	assert.Equal(t, "7", back.Items[7].Body)
}

func BenchmarkConvertLog(b *testing.B) {
	res := &Resource{Attributes: []KeyValue{
		{Key: "service.name", Value: StringValue("checkout")},
		{Key: "service.version", Value: StringValue("1.4.2")},
		{Key: "telemetry.sdk.language", Value: StringValue("go")},
		{Key: "telemetry.sdk.name", Value: StringValue("opentelemetry")},
		{Key: "telemetry.sdk.version", Value: StringValue("1.38.0")},
	}}
	scope := &Scope{Name: "go.opentelemetry.io/contrib/bridges/otelslog", Version: "0.13.0"}
	record := LogRecord{
		TimeUnixNano:   1544712660300000000,
		SeverityNumber: 9,
		SeverityText:   "INFO",
		TraceID:        testUnhex(b, "5b8efff798038103d269b633813fc60c"),
		SpanID:         testUnhex(b, "eee19b7ec3c1b174"),
		Body:           StringValue("order placed"),
		Attributes: []KeyValue{
			{Key: "order.id", Value: StringValue("8c1b6b6e")},
			{Key: "order.total", Value: DoubleValue(129.5)},
			{Key: "order.items", Value: IntValue(3)},
			{Key: "customer.tier", Value: StringValue("gold")},
			{Key: "code.function", Value: StringValue("main.placeOrder")},
			{Key: "code.lineno", Value: IntValue(88)},
			{Key: "retry", Value: BoolValue(false)},
			{Key: "tags", Value: ArrayValue(StringValue("a"), StringValue("b"))},
		},
	}
	const batch = 100
	// A request's records share an arena and the attributes of their
	// resource and scope, as in ConvertLogs.
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var a arena
			base := a.logBase(res, scope)
			for range batch {
				_ = convertLog(&a, base, &record)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/record")
	})
	b.Run("ConvertLog", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = ConvertLog(&record, res, scope)
		}
	})
	// The baseline: writing the converted records as JSON, which a host
	// does next.
	var a arena
	logs := make([]protocol.Log, batch)
	for i := range logs {
		logs[i] = convertLog(&a, a.logBase(res, scope), &record)
	}
	b.Run("marshal-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range logs {
				_, _ = protocol.Marshal(logs[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/record")
	})
}
