package otlp

import (
	"encoding/hex"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// Helpers to write OTLP spans as Relay's tests write them in OTLP JSON.

func hexBytes(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func kvs(pairs ...any) []KeyValue {
	out := make([]KeyValue, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		var v Value
		switch x := pairs[i+1].(type) {
		case Value:
			v = x
		case string:
			v = StringValue(x)
		case bool:
			v = BoolValue(x)
		case int:
			v = IntValue(int64(x))
		case float64:
			v = DoubleValue(x)
		default:
			panic("kvs: unsupported value")
		}
		out = append(out, KeyValue{Key: pairs[i].(string), Value: v})
	}
	return out
}

// relaySpan is the span most of Relay's tests start from.
func relaySpan(t testing.TB) Span {
	return Span{
		TraceID:           hexBytes(t, "89143b0763095bd9c9955e8175d1fb23"),
		SpanID:            hexBytes(t, "e342abb1214ca181"),
		ParentSpanID:      hexBytes(t, "0c7a7dea069bf5a6"),
		StartTimeUnixNano: 1697620454980000000,
		EndTimeUnixNano:   1697620454980078800,
	}
}

func marshal(t testing.TB, v any) string {
	b, err := json.Marshal(v, json.Deterministic(true))
	require.NoError(t, err)
	return string(b)
}

// TestConvertSpanRelay replays the tests of Relay's otel_to_sentry_v2.rs
// (the span-streaming generation) and relay-otel: the inputs are theirs,
// the expected JSON their snapshots.
func TestConvertSpanRelay(t *testing.T) {
	const head = `"trace_id":"89143b0763095bd9c9955e8175d1fb23","parent_span_id":"0c7a7dea069bf5a6","span_id":"e342abb1214ca181",` +
		`"start_timestamp":1697620454.98,"end_timestamp":1697620454.980079,"links":[],"status":"ok"`
	tests := []struct {
		name  string
		span  func(*Span)
		res   *Resource
		scope *Scope
		want  string
	}{{
		name: "parse_span",
		span: func(s *Span) {
			s.Name = "middleware - fastify -> @fastify/multipart"
			s.Kind = SpanKindInternal
			s.Attributes = kvs("sentry.environment", "test", "fastify.type", "middleware",
				"plugin.name", "fastify -> @fastify/multipart", "hook.name", "onResponse",
				"sentry.sample_rate", 1, "sentry.parentSampled", true, "sentry.exclusive_time", 1000.0)
			s.Status = &Status{Code: StatusCodeUnset, Message: "test"}
		},
		res:   &Resource{Attributes: kvs("service.name", "test-service", "telemetry.sdk.language", "nodejs")},
		scope: &Scope{Name: "Eins Name", Version: "123.42", DroppedAttributesCount: 12},
		want: `{` + head + `,"name":"middleware - fastify -> @fastify/multipart","attributes":{
			"fastify.type":{"type":"string","value":"middleware"},
			"hook.name":{"type":"string","value":"onResponse"},
			"instrumentation.name":{"type":"string","value":"Eins Name"},
			"instrumentation.version":{"type":"string","value":"123.42"},
			"plugin.name":{"type":"string","value":"fastify -> @fastify/multipart"},
			"resource.service.name":{"type":"string","value":"test-service"},
			"resource.telemetry.sdk.language":{"type":"string","value":"nodejs"},
			"sentry.environment":{"type":"string","value":"test"},
			"sentry.exclusive_time":{"type":"double","value":1000.0},
			"sentry.kind":{"type":"string","value":"internal"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"},
			"sentry.parentSampled":{"type":"boolean","value":true},
			"sentry.platform":{"type":"string","value":"node"},
			"sentry.sample_rate":{"type":"integer","value":1},
			"sentry.status.message":{"type":"string","value":"test"}}}`,
	}, {
		name: "parse_span_with_exclusive_time_attribute",
		span: func(s *Span) {
			s.Name = "middleware - fastify -> @fastify/multipart"
			s.Kind = SpanKindInternal
			s.Attributes = kvs("sentry.exclusive_time", 3200.0)
		},
		want: `{` + head + `,"name":"middleware - fastify -> @fastify/multipart","attributes":{
			"sentry.exclusive_time":{"type":"double","value":3200.0},
			"sentry.kind":{"type":"string","value":"internal"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_span_with_db_attributes",
		span: func(s *Span) {
			s.Name = "database query"
			s.Kind = SpanKindClient
			s.Attributes = kvs("db.name", "database", "db.type", "sql",
				"db.statement", `SELECT "table"."col" FROM "table" WHERE "table"."col" = %s`)
		},
		want: `{` + head + `,"name":"database query","attributes":{
			"db.name":{"type":"string","value":"database"},
			"db.statement":{"type":"string","value":"SELECT \"table\".\"col\" FROM \"table\" WHERE \"table\".\"col\" = %s"},
			"db.type":{"type":"string","value":"sql"},
			"sentry.kind":{"type":"string","value":"client"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_span_with_db_attributes_and_description",
		span: func(s *Span) {
			s.Name = "database query"
			s.Kind = SpanKindClient
			s.Attributes = kvs("db.name", "database", "db.type", "sql",
				"db.statement", "SELECT 1", "sentry.description", "index view query")
		},
		want: `{` + head + `,"name":"database query","attributes":{
			"db.name":{"type":"string","value":"database"},
			"db.statement":{"type":"string","value":"SELECT 1"},
			"db.type":{"type":"string","value":"sql"},
			"sentry.description":{"type":"string","value":"index view query"},
			"sentry.kind":{"type":"string","value":"client"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_span_with_http_attributes",
		span: func(s *Span) {
			s.Name = "http client request"
			s.Kind = SpanKindClient
			s.Attributes = kvs("http.request.method", "GET", "url.path", "/api/search?q=foobar")
		},
		want: `{` + head + `,"name":"http client request","attributes":{
			"http.request.method":{"type":"string","value":"GET"},
			"sentry.kind":{"type":"string","value":"client"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"},
			"url.path":{"type":"string","value":"/api/search?q=foobar"}}}`,
	}, {
		// The snapshot has the array of key-value lists as the string
		// "[]"; Relay now sends arrays as arrays (see attribute).
		name: "parse_sentry_attributes",
		span: func(s *Span) {
			s.TraceID = hexBytes(t, "4c79f60c11214eb38604f4ae0781bfb2")
			s.SpanID = hexBytes(t, "fa90fdead5f74052")
			s.ParentSpanID = hexBytes(t, "fa90fdead5f74051")
			s.StartTimeUnixNano, s.EndTimeUnixNano = 123000000000, 123500000000
			s.Name = "myname"
			s.Status = &Status{Message: "foo"}
			s.Attributes = kvs("browser.name", "Chrome", "sentry.description", "mydescription",
				"sentry.environment", "prod", "sentry.op", "myop", "sentry.platform", "php",
				"sentry.profile_id", "a0aaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaab", "sentry.release", "myapp@1.0.0",
				"sentry.sdk.name", "sentry.php", "sentry.segment.id", "FA90FDEAD5F74052",
				"sentry.segment.name", "my 1st transaction",
				"sentry.metrics_summary.some_metric", ArrayValue(KVListValue(kvs("min", 1.0, "max", 2.0,
					"sum", 3.0, "count", 2, "tags", KVListValue(kvs("environment", "test")...))...)))
		},
		want: `{"trace_id":"4c79f60c11214eb38604f4ae0781bfb2","parent_span_id":"fa90fdead5f74051","span_id":"fa90fdead5f74052",
			"name":"myname","status":"ok","start_timestamp":123.0,"end_timestamp":123.5,"links":[],"attributes":{
			"browser.name":{"type":"string","value":"Chrome"},
			"sentry.description":{"type":"string","value":"mydescription"},
			"sentry.environment":{"type":"string","value":"prod"},
			"sentry.metrics_summary.some_metric":{"type":"array","value":[]},
			"sentry.op":{"type":"string","value":"myop"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"},
			"sentry.platform":{"type":"string","value":"php"},
			"sentry.profile_id":{"type":"string","value":"a0aaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaab"},
			"sentry.release":{"type":"string","value":"myapp@1.0.0"},
			"sentry.sdk.name":{"type":"string","value":"sentry.php"},
			"sentry.segment.id":{"type":"string","value":"FA90FDEAD5F74052"},
			"sentry.segment.name":{"type":"string","value":"my 1st transaction"},
			"sentry.status.message":{"type":"string","value":"foo"}}}`,
	}, {
		name: "parse_span_is_remote",
		span: func(s *Span) {
			s.StartTimeUnixNano, s.EndTimeUnixNano = 123000000000, 123500000000
			s.Flags = 768
		},
		want: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","parent_span_id":"0c7a7dea069bf5a6","span_id":"e342abb1214ca181",
			"status":"ok","is_segment":true,"start_timestamp":123.0,"end_timestamp":123.5,"links":[],"attributes":{
			"sentry.is_remote":{"type":"boolean","value":true},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_span_is_not_remote",
		span: func(s *Span) {
			s.StartTimeUnixNano, s.EndTimeUnixNano = 123000000000, 123500000000
			s.Flags = 256
		},
		want: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","parent_span_id":"0c7a7dea069bf5a6","span_id":"e342abb1214ca181",
			"status":"ok","start_timestamp":123.0,"end_timestamp":123.5,"links":[],"attributes":{
			"sentry.is_remote":{"type":"boolean","value":false},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "extract_span_kind",
		span: func(s *Span) {
			s.StartTimeUnixNano, s.EndTimeUnixNano = 123000000000, 123500000000
			s.Kind = SpanKindClient
		},
		want: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","parent_span_id":"0c7a7dea069bf5a6","span_id":"e342abb1214ca181",
			"status":"ok","start_timestamp":123.0,"end_timestamp":123.5,"links":[],"attributes":{
			"sentry.kind":{"type":"string","value":"client"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_link",
		span: func(s *Span) {
			s.TraceID = hexBytes(t, "3c79f60c11214eb38604f4ae0781bfb2")
			s.ParentSpanID = nil
			s.StartTimeUnixNano, s.EndTimeUnixNano = 0, 0
			s.Links = []SpanLink{{
				TraceID:    hexBytes(t, "4c79f60c11214eb38604f4ae0781bfb2"),
				SpanID:     hexBytes(t, "fa90fdead5f74052"),
				Attributes: kvs("str_key", "str_value", "bool_key", true, "int_key", 123, "double_key", 1.23),
				Flags:      1,
			}}
		},
		want: `{"trace_id":"3c79f60c11214eb38604f4ae0781bfb2","span_id":"e342abb1214ca181","status":"ok",
			"start_timestamp":0.0,"end_timestamp":0.0,"links":[{
				"trace_id":"4c79f60c11214eb38604f4ae0781bfb2","span_id":"fa90fdead5f74052","sampled":true,"attributes":{
				"bool_key":{"type":"boolean","value":true},
				"double_key":{"type":"double","value":1.23},
				"int_key":{"type":"integer","value":123},
				"str_key":{"type":"string","value":"str_value"}}}],
			"attributes":{"sentry.origin":{"type":"string","value":"auto.otlp.spans"}}}`,
	}, {
		name: "parse_span_error_status",
		span: func(s *Span) {
			s.ParentSpanID = nil
			s.StartTimeUnixNano, s.EndTimeUnixNano = 0, 0
			s.Status = &Status{Code: StatusCodeError, Message: "2 is the error status code"}
		},
		want: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","status":"error",
			"start_timestamp":0.0,"end_timestamp":0.0,"links":[],"attributes":{
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"},
			"sentry.status.message":{"type":"string","value":"2 is the error status code"}}}`,
	}, {
		// Relay's end-to-end test (a protobuf span through the endpoint),
		// before normalization.
		name: "test_span_ingestion",
		span: func(s *Span) {
			s.TraceID = hexBytes(t, "89143b0763095bd9c9955e8175d1fb24")
			s.SpanID = hexBytes(t, "f0b809703e783d00")
			s.ParentSpanID = hexBytes(t, "f0f0f0abcdef1234")
			s.Name = "A Proto Span"
			s.StartTimeUnixNano, s.EndTimeUnixNano = 1000000000, 1500000000
			s.Flags = FlagsContextIsRemoteMask | FlagsContextHasIsRemoteMask
			s.Kind = SpanKindServer
			s.Attributes = kvs("ui.component_name", "MyComponent")
			s.Links = []SpanLink{{
				TraceID:    hexBytes(t, "89143b0763095bd9c9955e8175d1fb24"),
				SpanID:     hexBytes(t, "e0b809703e783d01"),
				Attributes: kvs("link_str_key", "link_str_value"),
			}}
		},
		res:   &Resource{Attributes: kvs("company", "Relay Corp")},
		scope: &Scope{Name: "my_scope_name", Version: "13.37"},
		want: `{"trace_id":"89143b0763095bd9c9955e8175d1fb24","parent_span_id":"f0f0f0abcdef1234","span_id":"f0b809703e783d00",
			"name":"A Proto Span","status":"ok","is_segment":true,"start_timestamp":1.0,"end_timestamp":1.5,
			"links":[{"trace_id":"89143b0763095bd9c9955e8175d1fb24","span_id":"e0b809703e783d01","sampled":false,
				"attributes":{"link_str_key":{"type":"string","value":"link_str_value"}}}],
			"attributes":{
			"instrumentation.name":{"type":"string","value":"my_scope_name"},
			"instrumentation.version":{"type":"string","value":"13.37"},
			"resource.company":{"type":"string","value":"Relay Corp"},
			"sentry.is_remote":{"type":"boolean","value":true},
			"sentry.kind":{"type":"string","value":"server"},
			"sentry.origin":{"type":"string","value":"auto.otlp.spans"},
			"ui.component_name":{"type":"string","value":"MyComponent"}}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := relaySpan(t)
			tt.span(&s)
			got, err := ConvertSpan(&s, tt.res, tt.scope)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, marshal(t, got))
		})
	}
}

// TestConvertSpanRules pins the rules the Relay tests leave implicit.
func TestConvertSpanRules(t *testing.T) {
	attr := func(t *testing.T, s protocol.SpanV2, key string) string {
		t.Helper()
		a, ok := s.Attributes[key]
		if !ok {
			return "<absent>"
		}
		return string(a.Type) + " " + string(a.Value)
	}
	tests := []struct {
		name  string
		span  func(*Span)
		res   *Resource
		scope *Scope
		check func(*testing.T, protocol.SpanV2)
	}{{
		name: "unnamed span with a db attribute is db, first match wins",
		span: func(s *Span) {
			s.Kind = SpanKindClient
			s.Attributes = kvs("dbfoo", "x", "http.method", "GET")
		},
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "db", s.Name) },
	}, {
		name: "unnamed server span with an HTTP method",
		span: func(s *Span) {
			s.Kind = SpanKindServer
			s.Attributes = kvs("http.request.method", "GET", "db.system", "x")
		},
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "http.server", s.Name) },
	}, {
		name: "unnamed client span with the old HTTP method",
		span: func(s *Span) {
			s.Kind = SpanKindClient
			s.Attributes = kvs("http.method", "GET")
		},
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "http.client", s.Name) },
	}, {
		name: "unnamed internal span with an HTTP method",
		span: func(s *Span) {
			s.Kind = SpanKindInternal
			s.Attributes = kvs("http.method", "GET")
		},
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "http", s.Name) },
	}, {
		name: "an empty value names nothing and is dropped",
		span: func(s *Span) { s.Attributes = []KeyValue{{Key: "db.system"}} },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Empty(t, s.Name)
			assert.Equal(t, "<absent>", attr(t, s, "db.system"))
		},
	}, {
		name: "a value that does not convert still names the span",
		span: func(s *Span) { s.Attributes = kvs("db.x", BytesValue([]byte{0xff})) },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "db", s.Name)
			assert.Equal(t, "<absent>", attr(t, s, "db.x"))
		},
	}, {
		name:  "a named span keeps its name",
		span:  func(s *Span) { s.Name = "n"; s.Attributes = kvs("db.system", "pg") },
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "n", s.Name) },
	}, {
		name:  "later duplicate attributes win",
		span:  func(s *Span) { s.Attributes = kvs("k", "a", "k", 2) },
		check: func(t *testing.T, s protocol.SpanV2) { assert.Equal(t, "integer 2", attr(t, s, "k")) },
	}, {
		name: "span attributes overwrite origin and platform",
		span: func(s *Span) { s.Attributes = kvs("sentry.origin", "manual", "sentry.platform", "go") },
		res:  &Resource{Attributes: kvs("telemetry.sdk.language", "dotnet")},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, `string "manual"`, attr(t, s, "sentry.origin"))
			assert.Equal(t, `string "go"`, attr(t, s, "sentry.platform"))
		},
	}, {
		name: "status message, remoteness and kind overwrite span attributes",
		span: func(s *Span) {
			s.Attributes = kvs("sentry.status.message", "a", "sentry.is_remote", "b", "sentry.kind", "c")
			s.Status = &Status{Message: "m"}
			s.Flags = FlagsContextHasIsRemoteMask
			s.Kind = SpanKindProducer
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, `string "m"`, attr(t, s, "sentry.status.message"))
			assert.Equal(t, `boolean false`, attr(t, s, "sentry.is_remote"))
			assert.Equal(t, `string "producer"`, attr(t, s, "sentry.kind"))
			assert.Nil(t, s.IsSegment)
		},
	}, {
		name: "an empty status message is not set and does not overwrite",
		span: func(s *Span) {
			s.Attributes = kvs("sentry.status.message", "a")
			s.Status = &Status{Code: StatusCodeOK}
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, `string "a"`, attr(t, s, "sentry.status.message"))
		},
	}, {
		name: "unknown status codes are errors, a missing status is ok",
		span: func(s *Span) { s.Status = &Status{Code: 7} },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, protocol.SpanV2Error, s.Status)
		},
	}, {
		name: "consumer kind, unknown kinds have no attribute",
		span: func(s *Span) { s.Kind = 9 },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "<absent>", attr(t, s, "sentry.kind"))
		},
	}, {
		name: "platform renames",
		res:  &Resource{Attributes: kvs("telemetry.sdk.language", "webjs", "telemetry.sdk.language", "go")},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, `string "javascript"`, attr(t, s, "sentry.platform"), "the first language counts")
			assert.Equal(t, `string "go"`, attr(t, s, "resource.telemetry.sdk.language"), "the last attribute counts")
		},
	}, {
		name: "a language that is not a string gives no platform",
		res:  &Resource{Attributes: kvs("telemetry.sdk.language", 3)},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "<absent>", attr(t, s, "sentry.platform"))
		},
	}, {
		name:  "an empty scope name leaves a scope attribute named name",
		scope: &Scope{Version: "1", Attributes: kvs("name", "attr", "the.answer", 42)},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, `string "attr"`, attr(t, s, "instrumentation.name"))
			assert.Equal(t, `string "1"`, attr(t, s, "instrumentation.version"))
			assert.Equal(t, `integer 42`, attr(t, s, "instrumentation.the.answer"))
		},
	}, {
		name: "no scope, no instrumentation attributes",
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "<absent>", attr(t, s, "instrumentation.name"))
			assert.Len(t, s.Attributes, 1) // sentry.origin
		},
	}, {
		name: "missing trace id is made up",
		span: func(s *Span) { s.TraceID = nil },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Regexp(t, `^[0-9a-f]{32}$`, s.TraceID)
			assert.NotEqual(t, "00000000000000000000000000000000", s.TraceID)
		},
	}, {
		name: "all-zero trace id is made up",
		span: func(s *Span) { s.TraceID = make([]byte, 16) },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.NotEqual(t, "00000000000000000000000000000000", s.TraceID)
			assert.Len(t, s.TraceID, 32)
		},
	}, {
		name:  "invalid parent id leaves no parent",
		span:  func(s *Span) { s.ParentSpanID = []byte{1, 2, 3} },
		check: func(t *testing.T, s protocol.SpanV2) { assert.Empty(t, s.ParentSpanID) },
	}, {
		name: "links with invalid ids are dropped",
		span: func(s *Span) {
			s.Links = []SpanLink{
				{TraceID: []byte{1}, SpanID: hexBytes(t, "fa90fdead5f74052")},
				{TraceID: hexBytes(t, "4c79f60c11214eb38604f4ae0781bfb2"), SpanID: make([]byte, 8)},
				{TraceID: hexBytes(t, "4c79f60c11214eb38604f4ae0781bfb2"), SpanID: hexBytes(t, "fa90fdead5f74052"), Flags: 0x300},
			}
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			require.Len(t, s.Links, 1)
			assert.Equal(t, "fa90fdead5f74052", s.Links[0].SpanID)
			assert.False(t, *s.Links[0].Sampled)
			assert.Nil(t, s.Links[0].Attributes)
		},
	}, {
		name: "timestamps keep nanoseconds and are written rounded to the microsecond",
		span: func(s *Span) {
			s.StartTimeUnixNano = 1_500
			s.EndTimeUnixNano = 1_499
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, time.Unix(0, 1_500).UTC(), s.StartTimestamp.Time)
			out, err := protocol.Marshal(s)
			require.NoError(t, err)
			assert.Contains(t, string(out), `"start_timestamp":0.000002,"end_timestamp":0.000001`)
		},
	}, {
		name: "times past int64 wrap as in Relay",
		span: func(s *Span) { s.EndTimeUnixNano = math.MaxUint64 },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, time.Unix(0, -1).UTC(), s.EndTimestamp.Time)
		},
	}, {
		name: "upper-case and invalid UTF-8 keys",
		span: func(s *Span) { s.Name = "a\xffb"; s.Attributes = kvs("k\xff", "v") },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "a\uFFFDb", s.Name)
			assert.Equal(t, `string "v"`, attr(t, s, "k\uFFFD"))
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := relaySpan(t)
			if tt.span != nil {
				tt.span(&s)
			}
			got, err := ConvertSpan(&s, tt.res, tt.scope)
			require.NoError(t, err)
			tt.check(t, got)
			// Whatever the span, the result is valid JSON.
			marshal(t, got)
		})
	}
}

func TestConvertSpanInvalidSpanID(t *testing.T) {
	for _, id := range [][]byte{nil, {1, 2, 3}, make([]byte, 8), make([]byte, 16)} {
		s := relaySpan(t)
		s.SpanID = id
		_, err := ConvertSpan(&s, nil, nil)
		require.Error(t, err, "%x", id)
		assert.True(t, errors.Is(err, ErrInvalidSpanID), "%v", err)
	}
}

// TestConvertSpanArena checks that values taken from a shared arena stay
// intact while later spans grow it.
func TestConvertSpanArena(t *testing.T) {
	var a arena
	var spans []protocol.SpanV2
	var want []string
	for i := range 200 {
		s := relaySpan(t)
		s.Name = "span"
		s.Attributes = kvs("i", i, "s", string(rune('a'+i%26)), "list", ArrayValue(IntValue(int64(i))))
		v2, err := convertSpan(&a, a.spanBase(&Resource{Attributes: kvs("service.name", "svc")}, nil), &s)
		require.NoError(t, err)
		spans = append(spans, v2)
		want = append(want, marshal(t, v2))
	}
	for i := range spans {
		assert.Equal(t, want[i], marshal(t, spans[i]))
	}
}

// benchSpan is a typical span: a server span with ten attributes, from a
// resource with ten.
func benchSpan(b testing.TB) (*Span, *Resource, *Scope) {
	s := relaySpan(b)
	s.Name = "GET /api/users/{id}"
	s.Kind = SpanKindServer
	s.Status = &Status{Code: StatusCodeUnset}
	s.Flags = FlagsSampled | FlagsContextHasIsRemoteMask
	s.Attributes = kvs(
		"http.request.method", "GET", "http.route", "/api/users/{id}", "url.path", "/api/users/42",
		"url.scheme", "https", "server.address", "api.example.com", "server.port", 443,
		"http.response.status_code", 200, "network.protocol.version", "1.1",
		"user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0",
		"client.address", "203.0.113.7")
	res := &Resource{Attributes: kvs(
		"service.name", "users-api", "service.version", "1.4.2", "service.namespace", "shop",
		"deployment.environment.name", "production", "telemetry.sdk.language", "go",
		"telemetry.sdk.name", "opentelemetry", "telemetry.sdk.version", "1.32.0",
		"host.name", "ip-10-0-0-12", "process.pid", 4242,
		"process.runtime.description", "go version go1.26 linux/amd64")}
	scope := &Scope{Name: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", Version: "0.57.0"}
	return &s, res, scope
}

func BenchmarkConvertSpan(b *testing.B) {
	s, res, scope := benchSpan(b)
	b.Run("ConvertSpan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ConvertSpan(s, res, scope); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A request's spans share an arena, sized for the request up front,
	// and the attributes of their resource and scope, converted once (as
	// ConvertTraces does); this is the cost per span of a request of 100
	// such spans from one scope.
	size := 100 * spanSize(s, res, scope)
	b.Run("request of 100", func(b *testing.B) {
		b.ReportAllocs()
		var a arena
		var base base
		for i := 0; b.Loop(); i++ {
			if i%100 == 0 {
				a = arena{}
				a.grow(size)
				base = a.spanBase(res, scope)
			}
			if _, err := convertSpan(&a, base, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("request of 100 with normalizeSpan", func(b *testing.B) {
		b.ReportAllocs()
		var a arena
		var base base
		for i := 0; b.Loop(); i++ {
			if i%100 == 0 {
				a = arena{}
				a.grow(size)
				base = a.spanBase(res, scope)
			}
			v2, err := convertSpan(&a, base, s)
			if err != nil {
				b.Fatal(err)
			}
			normalizeSpan(&a, &v2)
		}
	})
	// Baseline: marshaling the converted span, which any host does next.
	v2, _ := ConvertSpan(s, res, scope)
	b.Run("baseline json.Marshal of the result", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(v2); err != nil {
				b.Fatal(err)
			}
		}
	})
}
