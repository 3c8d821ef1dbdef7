package otlp

import (
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// TestSpanToV1Relay replays the tests of Relay's otel_to_sentry.rs (OTLP
// to the older span format, through span v2): the inputs are theirs, the
// expected JSON their snapshots, with the differences of the generation
// this package follows noted.
func TestSpanToV1Relay(t *testing.T) {
	const ids = `"span_id":"e342abb1214ca181","parent_span_id":"0c7a7dea069bf5a6","trace_id":"89143b0763095bd9c9955e8175d1fb23",` +
		`"timestamp":1697620454.980079,"start_timestamp":1697620454.98,"origin":"auto.otlp.spans","links":[]`
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
			s.Kind = SpanKindServer
			s.Attributes = kvs("http.route", "/home", "http.request.method", "GET", "sentry.environment", "test",
				"fastify.type", "middleware", "plugin.name", "fastify -> @fastify/multipart", "hook.name", "onResponse",
				"sentry.sample_rate", 1, "sentry.parentSampled", true, "sentry.exclusive_time", 1000.0)
			s.Status = &Status{Message: "test"}
		},
		res:   &Resource{Attributes: kvs("service.name", 42)},
		scope: &Scope{Name: "Eins Name", Version: "123.42"},
		want: `{` + ids + `,"exclusive_time":1000.0,"op":"http.server","status":"ok","description":"GET /home","kind":"server",
			"data":{"fastify.type":"middleware","hook.name":"onResponse","http.request.method":"GET","http.route":"/home",
			"instrumentation.name":"Eins Name","instrumentation.version":"123.42","plugin.name":"fastify -> @fastify/multipart",
			"resource.service.name":42,"sentry.environment":"test","sentry.name":"middleware - fastify -> @fastify/multipart",
			"sentry.origin":"auto.otlp.spans","sentry.parentSampled":true,"sentry.sample_rate":1,"sentry.status.message":"test"}}`,
	}, {
		// Relay's older generation, without a status, said "unknown";
		// spans without a status are ok now.
		name: "parse_span_with_exclusive_time_attribute",
		span: func(s *Span) {
			s.Name = "middleware - fastify -> @fastify/multipart"
			s.Kind = SpanKindInternal
			s.Attributes = kvs("sentry.exclusive_time", 3200.0)
		},
		want: `{` + ids + `,"exclusive_time":3200.0,"op":"default","status":"ok",
			"description":"middleware - fastify -> @fastify/multipart","kind":"internal",
			"data":{"sentry.name":"middleware - fastify -> @fastify/multipart","sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_with_exclusive_time_nano_attribute",
		span: func(s *Span) {
			s.Name = "n"
			s.Attributes = kvs("sentry.exclusive_time_nano", 3200000000)
		},
		want: `{` + ids + `,"exclusive_time":3200.0,"op":"default","status":"ok","description":"n",
			"data":{"sentry.name":"n","sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_no_exclusive_time_attribute",
		span: func(s *Span) {
			s.Name = "n"
			s.Kind = SpanKindInternal
		},
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"ok","description":"n","kind":"internal",
			"data":{"sentry.name":"n","sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_with_db_attributes",
		span: func(s *Span) {
			s.Name = "database query"
			s.Kind = SpanKindClient
			s.Attributes = kvs("db.name", "database", "db.system", "mysql", "db.statement", "SELECT 1")
		},
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"db","status":"ok","description":"SELECT 1","kind":"client",
			"data":{"db.name":"database","db.statement":"SELECT 1","db.system":"mysql","sentry.name":"database query",
			"sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_with_db_attributes_and_description",
		span: func(s *Span) {
			s.Name = "database query"
			s.Kind = SpanKindClient
			s.Attributes = kvs("db.name", "database", "db.type", "sql", "db.statement", "SELECT 1",
				"sentry.description", "index view query")
		},
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"ok","description":"index view query","kind":"client",
			"data":{"db.name":"database","db.statement":"SELECT 1","db.type":"sql","sentry.name":"database query",
			"sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_with_http_attributes",
		span: func(s *Span) {
			s.Name = "http server request"
			s.Kind = SpanKindServer
			s.Attributes = kvs("http.method", "GET", "url.path", "/api/search?q=foobar")
		},
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"http.server","status":"ok","description":"GET /api/search?q=foobar",
			"kind":"server","data":{"http.request_method":"GET","sentry.name":"http server request",
			"sentry.origin":"auto.otlp.spans","url.path":"/api/search?q=foobar"}}`,
	}, {
		// Arrays were JSON text in Relay's snapshot; they are arrays now.
		name: "parse_array_attribute",
		span: func(s *Span) {
			s.Name = "n"
			s.StartTimeUnixNano, s.EndTimeUnixNano = 123000000000, 123500000000
			s.Attributes = kvs(
				"process.args", ArrayValue(StringValue("node"), StringValue("--require"), StringValue("preflight.cjs")),
				"process.info", ArrayValue(IntValue(41), ArrayValue(IntValue(42))))
		},
		want: `{"span_id":"e342abb1214ca181","parent_span_id":"0c7a7dea069bf5a6","trace_id":"89143b0763095bd9c9955e8175d1fb23",
			"timestamp":123.5,"start_timestamp":123.0,"origin":"auto.otlp.spans","links":[],
			"exclusive_time":500.0,"op":"default","status":"ok","description":"n",
			"data":{"process.args":["node","--require","preflight.cjs"],"process.info":[41],"sentry.name":"n",
			"sentry.origin":"auto.otlp.spans"}}`,
	}, {
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
				"sentry.metrics_summary.some_metric", ArrayValue(KVListValue(kvs("min", 1.0)...)))
		},
		want: `{"span_id":"fa90fdead5f74052","parent_span_id":"fa90fdead5f74051","trace_id":"4c79f60c11214eb38604f4ae0781bfb2",
			"timestamp":123.5,"start_timestamp":123.0,"origin":"auto.otlp.spans","links":[],
			"exclusive_time":500.0,"op":"myop","status":"ok","description":"mydescription","platform":"php",
			"profile_id":"a0aaaaaaaaaaaaaaaaaaaaaaaaaaaaab","segment_id":"fa90fdead5f74052",
			"data":{"browser.name":"Chrome","sentry.environment":"prod","sentry.metrics_summary.some_metric":[],
			"sentry.name":"myname","sentry.origin":"auto.otlp.spans","sentry.release":"myapp@1.0.0",
			"sentry.sdk.name":"sentry.php","sentry.segment.name":"my 1st transaction","sentry.status.message":"foo"}}`,
	}, {
		name: "parse_span_is_remote",
		span: func(s *Span) { s.Flags = 768 },
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"ok","is_segment":true,"is_remote":true,
			"data":{"sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_span_is_not_remote",
		span: func(s *Span) { s.Flags = 256 },
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"ok","is_remote":false,
			"data":{"sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "extract_span_kind",
		span: func(s *Span) { s.Kind = SpanKindClient },
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"ok","kind":"client",
			"data":{"sentry.origin":"auto.otlp.spans"}}`,
	}, {
		name: "parse_link",
		span: func(s *Span) {
			s.Links = []SpanLink{{
				TraceID:    hexBytes(t, "4c79f60c11214eb38604f4ae0781bfb2"),
				SpanID:     hexBytes(t, "fa90fdead5f74052"),
				Attributes: kvs("str_key", "str_value", "bool_key", true, "int_key", 123, "double_key", 1.23),
				Flags:      1,
			}}
		},
		want: `{"span_id":"e342abb1214ca181","parent_span_id":"0c7a7dea069bf5a6","trace_id":"89143b0763095bd9c9955e8175d1fb23",
			"timestamp":1697620454.980079,"start_timestamp":1697620454.98,"origin":"auto.otlp.spans",
			"exclusive_time":0.0788,"op":"default","status":"ok","data":{"sentry.origin":"auto.otlp.spans"},
			"links":[{"trace_id":"4c79f60c11214eb38604f4ae0781bfb2","span_id":"fa90fdead5f74052","sampled":true,
			"attributes":{"bool_key":true,"double_key":1.23,"int_key":123,"str_key":"str_value"}}]}`,
	}, {
		name: "parse_span_error_status",
		span: func(s *Span) { s.Status = &Status{Code: StatusCodeError, Message: "2 is the error status code"} },
		want: `{` + ids + `,"exclusive_time":0.0788,"op":"default","status":"internal_error",
			"data":{"sentry.origin":"auto.otlp.spans","sentry.status.message":"2 is the error status code"}}`,
	}, {
		// attribute_denormalization in Relay's span processor; Relay's
		// snapshot has "is_remote": false from a generation where it was
		// a field of every span.
		name: "attribute_denormalization",
		span: func(s *Span) {
			s.ParentSpanID = nil
			s.StartTimeUnixNano, s.EndTimeUnixNano = 0, 0
			s.Attributes = kvs("span_key", "span_value")
		},
		res:   &Resource{Attributes: kvs("resource_key", "resource_value")},
		scope: &Scope{Name: "test_instrumentation", Version: "0.0.1", Attributes: kvs("scope_key", "scope_value")},
		want: `{"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","timestamp":0.0,"start_timestamp":0.0,
			"origin":"auto.otlp.spans","links":[],"exclusive_time":0.0,"op":"default","status":"ok",
			"data":{"instrumentation.name":"test_instrumentation","instrumentation.scope_key":"scope_value",
			"instrumentation.version":"0.0.1","resource.resource_key":"resource_value","sentry.origin":"auto.otlp.spans",
			"span_key":"span_value"}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := relaySpan(t)
			tt.span(&s)
			v2, err := ConvertSpan(&s, tt.res, tt.scope)
			require.NoError(t, err)
			got := SpanToV1(&v2)
			assert.JSONEq(t, tt.want, marshal(t, got))
		})
	}
}

// TestSpanToV1FromV2 replays Relay's v2_to_v1.rs tests, whose input is
// span v2 JSON as SDKs send it.
func TestSpanToV1FromV2(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{{
		name: "parse_span",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","parent_span_id":"0c7a7dea069bf5a6",
			"name":"middleware - fastify -> @fastify/multipart","kind":"internal",
			"start_timestamp":"2023-10-18T09:14:14.980Z","end_timestamp":"2023-10-18T09:14:14.980078800Z","links":[],
			"attributes":{"sentry.environment":{"value":"test","type":"string"},"fastify.type":{"value":"middleware","type":"string"},
			"sentry.sample_rate":{"value":1,"type":"u64"},"sentry.parentSampled":{"value":true,"type":"boolean"},
			"sentry.exclusive_time_nano":{"value":"1000000000","type":"u64"}},"status":"ok"}`,
		want: `{"timestamp":1697620454.980079,"start_timestamp":1697620454.98,"exclusive_time":1000.0,"op":"default",
			"span_id":"e342abb1214ca181","parent_span_id":"0c7a7dea069bf5a6","trace_id":"89143b0763095bd9c9955e8175d1fb23",
			"status":"ok","description":"middleware - fastify -> @fastify/multipart",
			"data":{"sentry.environment":"test","fastify.type":"middleware","sentry.name":"middleware - fastify -> @fastify/multipart",
			"sentry.parentSampled":true,"sentry.sample_rate":1},"links":[],"kind":"internal"}`,
	}, {
		name: "parse_span_no_exclusive_time_nano_attribute",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","name":"n","kind":"internal",
			"start_timestamp":"2023-10-18T09:14:14.980Z","end_timestamp":"2023-10-18T09:14:14.980078800Z"}`,
		want: `{"timestamp":1697620454.980079,"start_timestamp":1697620454.98,"exclusive_time":0.0788,"op":"default",
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"unknown",
			"description":"n","data":{"sentry.name":"n"},"kind":"internal"}`,
	}, {
		name: "parse_http_client_span_only_method",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","name":"n","kind":"client",
			"start_timestamp":1,"end_timestamp":1.1,"status":"ok",
			"attributes":{"http.method":{"value":"GET","type":"string"}}}`,
		want: `{"timestamp":1.1,"start_timestamp":1.0,"exclusive_time":100.0,"op":"http.client",
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"ok",
			"description":"GET","data":{"http.request_method":"GET","sentry.name":"n"},"kind":"client"}`,
	}, {
		name: "parse_cache_span",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","name":"CACHE HIT",
			"start_timestamp":1,"end_timestamp":1.1,"status":"ok",
			"attributes":{"sentry.op":{"value":"cache.hit","type":"string"},"db.system":{"value":"redis","type":"string"},
			"db.statement":{"value":"GET x","type":"string"}}}`,
		want: `{"timestamp":1.1,"start_timestamp":1.0,"exclusive_time":100.0,"op":"cache.hit",
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"ok",
			"description":"CACHE HIT","data":{"db.statement":"GET x","db.system":"redis","sentry.name":"CACHE HIT"}}`,
	}, {
		name: "parse_gen_ai_span",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181",
			"start_timestamp":1,"end_timestamp":1,"status":"ok",
			"attributes":{"gen_ai.system":{"value":"openai","type":"string"}}}`,
		want: `{"timestamp":1.0,"start_timestamp":1.0,"exclusive_time":0.0,"op":"gen_ai",
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"ok",
			"data":{"gen_ai.system":"openai"}}`,
	}, {
		name: "parse_span_with_sentry_op",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181",
			"start_timestamp":1,"end_timestamp":1,"status":"ok",
			"attributes":{"sentry.op":{"value":"function","type":"string"},"db.system":{"value":"mysql","type":"string"}}}`,
		want: `{"timestamp":1.0,"start_timestamp":1.0,"exclusive_time":0.0,"op":"function",
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"ok",
			"data":{"db.system":"mysql"}}`,
	}, {
		name: "sentry fields of SDK spans",
		input: `{"trace_id":"89143b0763095bd9c9955e8175d1fb23","span_id":"e342abb1214ca181","is_segment":false,
			"start_timestamp":1,"end_timestamp":1,"status":"error",
			"attributes":{"sentry.is_segment":{"value":true,"type":"boolean"},"sentry.profile.id":{"value":"A0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAB","type":"string"},
			"sentry.segment.id":{"value":"nothex","type":"string"},"sentry._internal.performance_issues_spans":{"value":true,"type":"boolean"},
			"sentry.exclusive_time":{"value":12.5,"type":"double"},"sentry.name":{"value":"kept","type":"string"},
			"http.response.status_code":{"value":404,"type":"integer"},"empty":{"type":"string"}}}`,
		want: `{"timestamp":1.0,"start_timestamp":1.0,"exclusive_time":12.5,"op":"default","is_segment":false,
			"span_id":"e342abb1214ca181","trace_id":"89143b0763095bd9c9955e8175d1fb23","status":"not_found",
			"profile_id":"a0aaaaaaaaaaaaaaaaaaaaaaaaaaaaab","performance_issues_spans":true,
			"data":{"http.response.status_code":404,"sentry.name":"kept"}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s protocol.SpanV2
			require.NoError(t, json.Unmarshal([]byte(tt.input), &s))
			got := SpanToV1(&s)
			// The end keeps its nanoseconds and is written rounded to the
			// microsecond, as Relay writes parse_span's: 1697620454.980079.
			assert.Equal(t, s.EndTimestamp, got.Timestamp)
			assert.JSONEq(t, tt.want, marshal(t, got))
		})
	}
}

// TestNormalizeSpan covers the op and segment normalization, ending with
// Relay's end-to-end test of an OTLP span through the endpoint.
func TestNormalizeSpan(t *testing.T) {
	str := func(s protocol.SpanV2, key string) string {
		v, ok := attrString(s.Attributes, key)
		if !ok {
			return "<absent>"
		}
		return v
	}
	tests := []struct {
		name  string
		span  func(*Span)
		check func(*testing.T, protocol.SpanV2)
	}{{
		name: "test_span_ingestion: a remote parent makes a segment",
		span: func(s *Span) {
			s.Name = "A Proto Span"
			s.Kind = SpanKindServer
			s.Flags = FlagsContextIsRemoteMask | FlagsContextHasIsRemoteMask
			s.Attributes = kvs("ui.component_name", "MyComponent")
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "default", str(s, "sentry.op"))
			require.NotNil(t, s.IsSegment)
			assert.True(t, *s.IsSegment)
			assert.Equal(t, "e342abb1214ca181", str(s, "sentry.segment.id"))
			assert.Equal(t, "A Proto Span", str(s, "sentry.segment.name"))
			assert.Equal(t, "A Proto Span", str(s, "sentry.transaction"))
		},
	}, {
		name: "a child is no segment yet",
		span: func(s *Span) { s.Name = "child"; s.Kind = SpanKindClient; s.Attributes = kvs("http.method", "GET") },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "http.client", str(s, "sentry.op"))
			assert.Nil(t, s.IsSegment)
			assert.Equal(t, "<absent>", str(s, "sentry.segment.id"))
		},
	}, {
		name: "a root is a segment, its own op kept",
		span: func(s *Span) { s.ParentSpanID = nil; s.Attributes = kvs("sentry.op", "task") },
		check: func(t *testing.T, s protocol.SpanV2) {
			assert.Equal(t, "task", str(s, "sentry.op"))
			require.NotNil(t, s.IsSegment)
			assert.True(t, *s.IsSegment)
			assert.Equal(t, "e342abb1214ca181", str(s, "sentry.segment.id"))
			assert.Equal(t, "<absent>", str(s, "sentry.segment.name"), "no name")
		},
	}, {
		name: "a segment id of its own makes a segment",
		span: func(s *Span) {
			s.Name = "seg"
			s.Attributes = kvs("sentry.segment.id", "E342ABB1214CA181", "sentry.segment.name", "GET /x")
		},
		check: func(t *testing.T, s protocol.SpanV2) {
			require.NotNil(t, s.IsSegment)
			assert.True(t, *s.IsSegment)
			assert.Equal(t, "e342abb1214ca181", str(s, "sentry.segment.id"))
			assert.Equal(t, "GET /x", str(s, "sentry.segment.name"))
			assert.Equal(t, "GET /x", str(s, "sentry.transaction"))
		},
	}, {
		name: "another segment id makes no segment, even without a parent",
		span: func(s *Span) { s.ParentSpanID = nil; s.Attributes = kvs("sentry.segment.id", "fa90fdead5f74052") },
		check: func(t *testing.T, s protocol.SpanV2) {
			require.NotNil(t, s.IsSegment)
			assert.False(t, *s.IsSegment)
			assert.Equal(t, "fa90fdead5f74052", str(s, "sentry.segment.id"))
		},
	}, {
		name: "an invalid segment id counts for nothing",
		span: func(s *Span) { s.ParentSpanID = nil; s.Attributes = kvs("sentry.segment.id", "root") },
		check: func(t *testing.T, s protocol.SpanV2) {
			require.NotNil(t, s.IsSegment)
			assert.True(t, *s.IsSegment)
			assert.Equal(t, "e342abb1214ca181", str(s, "sentry.segment.id"))
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := relaySpan(t)
			tt.span(&s)
			var a arena
			v2, err := convertSpan(&a, a.spanBase(nil, nil), &s)
			require.NoError(t, err)
			normalizeSpan(&a, &v2)
			tt.check(t, v2)
		})
	}
	var a arena
	empty := protocol.SpanV2{SpanID: "e342abb1214ca181"}
	normalizeSpan(&a, &empty)
	assert.Equal(t, "default", str(empty, "sentry.op"), "a span without attributes gets some")
}

func BenchmarkSpanToV1(b *testing.B) {
	s, res, scope := benchSpan(b)
	v2, err := ConvertSpan(s, res, scope)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		SpanToV1(&v2)
	}
}
