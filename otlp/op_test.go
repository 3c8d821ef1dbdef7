package otlp

import (
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// v2 builds a span v2 with a kind attribute and string (or raw JSON, when
// the value starts with "=") attributes.
func v2(name, kind string, pairs ...string) *protocol.SpanV2 {
	s := &protocol.SpanV2{Name: name, Attributes: protocol.Attributes{}}
	if kind != "" {
		s.Attributes["sentry.kind"] = protocol.Attribute{Type: protocol.AttributeString, Value: quoted(kind)}
	}
	for i := 0; i < len(pairs); i += 2 {
		v := pairs[i+1]
		if len(v) > 0 && v[0] == '=' {
			s.Attributes[pairs[i]] = protocol.Attribute{Type: "integer", Value: jsontext.Value(v[1:])}
			continue
		}
		s.Attributes[pairs[i]] = protocol.Attribute{Type: protocol.AttributeString, Value: quoted(v)}
	}
	return s
}

func TestInferOp(t *testing.T) {
	tests := []struct {
		name string
		span *protocol.SpanV2
		want string
	}{
		{"nothing", v2("n", ""), "default"},
		{"http client", v2("", "client", "http.request.method", "GET"), "http.client"},
		{"http server, old name", v2("", "server", "http.method", "GET"), "http.server"},
		{"http server from the kind field", &protocol.SpanV2{Kind: "server",
			Attributes: v2("", "", "http.method", "GET").Attributes}, "http.server"},
		{"http internal", v2("", "internal", "http.request.method", "GET"), "http"},
		{"http prefetch", v2("", "", "http.request.method", "GET", "sentry.http.prefetch", "=true"), "http.prefetch"},
		{"http wins over db", v2("", "client", "db.system", "pg", "http.method", "=1"), "http.client"},
		{"db", v2("", "client", "db.system.name", "postgresql"), "db"},
		{"db, old name", v2("", "", "db.system", "=3"), "db"},
		{"db.statement alone is not db", v2("", "", "db.statement", "SELECT 1", "db.name", "x"), "default"},
		// relay-spans op.rs tests
		{"test_gen_ai_op_operation_name_takes_precedence_over_provider",
			v2("", "", "gen_ai.operation.name", "chat", "gen_ai.provider.name", "openai"), "gen_ai.chat"},
		{"invoke_agent", v2("", "", "gen_ai.operation.name", "invoke_agent", "gen_ai.provider.name", "openai"), "gen_ai.invoke_agent"},
		{"test_gen_ai_op_execute_tool_without_provider", v2("", "", "gen_ai.operation.name", "execute_tool"), "gen_ai.execute_tool"},
		{"test_gen_ai_op_falls_back_to_provider", v2("", "", "gen_ai.provider.name", "openai"), "gen_ai"},
		{"parse_gen_ai_span (gen_ai.system)", v2("", "", "gen_ai.system", "openai"), "gen_ai"},
		{"operation name not a string", v2("", "", "gen_ai.operation.name", "=1"), "default"},
		{"rpc", v2("", "", "rpc.service", "Users"), "rpc"},
		{"rpc.system alone is not rpc", v2("", "", "rpc.system", "grpc"), "default"},
		{"message", v2("", "", "messaging.system", "kafka"), "message"},
		{"parse_faas_trigger_span", v2("", "", "faas.trigger", "http"), "http"},
		{"faas trigger not a string", v2("", "", "faas.trigger", "=1"), "default"},
		{"escaped string", v2("", "", "faas.trigger", "=\"a\\u0062\""), "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, inferOp(tt.span))
		})
	}
}

func TestInferDescription(t *testing.T) {
	tests := []struct {
		name string
		span *protocol.SpanV2
		want string // "" for none
	}{
		{"name", v2("my span", ""), "my span"},
		{"nothing", v2("", ""), ""},
		{"parse_http_client_span_only_method", v2("n", "client", "http.request.method", "GET"), "GET"},
		{"parse_semantic_http_client_span", v2("n", "client", "http.request.method", "GET",
			"url.full", "https://github.com/rust-lang/rust/issues?labels=E-easy&state=open"),
			"GET https://github.com/rust-lang/rust/issues"},
		{"client URL loses port, user and fragment", v2("", "client", "http.method", "POST",
			"http.url", "HTTPS://user:pw@Example.COM:8443/a%20b/c#frag"), "POST https://example.com/a%20b/c"},
		{"client URL with an IP host", v2("", "client", "http.method", "GET", "url.full", "http://10.0.0.1:80/x"),
			"GET http:///x"},
		{"client URL with an empty path", v2("", "client", "http.method", "GET", "url.full", "https://example.com"),
			"GET https://example.com/"},
		{"client URL not absolute", v2("", "client", "http.method", "GET", "url.full", "/just/a/path"), "GET"},
		{"client URL without a host", v2("", "client", "http.method", "GET", "url.full", "http:///x"), "GET"},
		{"url.full wins over http.url", v2("", "client", "http.method", "GET",
			"url.full", "https://a.example/1", "http.url", "https://b.example/2"), "GET https://a.example/1"},
		{"parse_http_server_span_only_method", v2("n", "server", "http.request.method", "GET"), "GET"},
		{"parse_semantic_http_server_span", v2("n", "server", "http.request.method", "GET", "url.path", "/users"), "GET /users"},
		{"parse_span_with_http_attributes", v2("n", "server", "http.request.method", "GET",
			"url.path", "/api/search?q=foobar"), "GET /api/search?q=foobar"},
		{"parse_http_span_with_route", v2("n", "server", "http.request.method", "GET",
			"http.route", "/api/users", "url.path", "/api/users/1"), "GET /api/users"},
		{"route not a string falls to url.path", v2("n", "server", "http.request.method", "GET",
			"http.route", "=1", "url.path", "/p"), "GET /p"},
		{"http.target stripped", v2("n", "server", "http.method", "GET", "http.target", "/t?x=1#f"), "GET /t"},
		{"parse_http_span_with_graphql", v2("n", "server", "http.request.method", "POST",
			"http.route", "/graphql", "sentry.graphql.operation", "getUserById"), "POST /graphql (getUserById)"},
		{"graphql without a path", v2("n", "server", "http.request.method", "POST",
			"sentry.graphql.operation", "getUserById"), "POST"},
		{"internal http span has no path", v2("n", "internal", "http.request.method", "GET", "url.path", "/p"), "GET"},
		{"method not a string ends the lookup", v2("n", "server", "http.request.method", "=1",
			"http.method", "GET", "url.path", "/p"), "n"},
		{"parse_semantic_database_span", v2("n", "client", "db.system", "mysql", "db.statement", "SELECT 1"), "SELECT 1"},
		{"query text wins over statement", v2("n", "", "db.system.name", "pg",
			"db.query.text", "SELECT 2", "db.statement", "SELECT 1"), "SELECT 2"},
		{"parse_database_span_only_system", v2("SELECT users", "", "db.system", "mysql"), "SELECT users"},
		{"db without a system", v2("database query", "", "db.statement", "SELECT 1"), "database query"},
		// Relay reads db.system before db.system.name, so a db.system that
		// is not a string ends the lookup.
		{"db.system not a string ends the lookup", v2("n", "", "db.system", "=1", "db.system.name", "pg",
			"db.query.text", "SELECT 1"), "n"},
		{"parse_cache_span", v2("CACHE HIT", "", "sentry.op", "cache.hit", "db.system", "redis",
			"db.statement", "GET x"), "CACHE HIT"},
		{"parse_faas_trigger_span", v2("FAAS", "", "faas.trigger", "http"), "FAAS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := inferDescription(tt.span)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestV1Status(t *testing.T) {
	tests := []struct {
		name   string
		status protocol.SpanV2Status
		pairs  []string
		want   protocol.SpanStatus
	}{
		{"ok wins over codes", protocol.SpanV2OK, []string{"http.status_code", "=500"}, protocol.SpanStatusOK},
		{"error, HTTP code", protocol.SpanV2Error, []string{"http.status_code", "=404"}, protocol.SpanStatusNotFound},
		{"error, current HTTP code name", protocol.SpanV2Error, []string{"http.response.status_code", "=429"},
			protocol.SpanStatusResourceExhausted},
		{"http.status_code wins", protocol.SpanV2Error, []string{"http.status_code", "=503",
			"http.response.status_code", "=404"}, protocol.SpanStatusUnavailable},
		{"HTTP code not in the table, gRPC code", protocol.SpanV2Error, []string{"http.status_code", "=418",
			"rpc.grpc.status_code", "=14"}, protocol.SpanStatusUnavailable},
		{"gRPC 2 is unknown", protocol.SpanV2Error, []string{"rpc.grpc.status_code", "=2"}, protocol.SpanStatusUnknown},
		{"gRPC 16", protocol.SpanV2Error, []string{"rpc.grpc.status_code", "=16"}, protocol.SpanStatusUnauthenticated},
		{"gRPC 0 is not in the table", protocol.SpanV2Error, []string{"rpc.grpc.status_code", "=0"},
			protocol.SpanStatusInternalError},
		{"codes as strings do not count", protocol.SpanV2Error, []string{"http.status_code", "404"},
			protocol.SpanStatusInternalError},
		{"parse_span_error_status", protocol.SpanV2Error, nil, protocol.SpanStatusInternalError},
		{"no status, HTTP code", "", []string{"http.status_code", "=500"}, protocol.SpanStatusInternalError},
		{"no status, no codes", "", nil, protocol.SpanStatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := v2("", "", tt.pairs...)
			s.Status = tt.status
			assert.Equal(t, tt.want, v1Status(s))
		})
	}
	for code, want := range map[int64]protocol.SpanStatus{
		400: "failed_precondition", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
		409: "aborted", 429: "resource_exhausted", 499: "cancelled", 500: "internal_error",
		501: "unimplemented", 503: "unavailable", 504: "deadline_exceeded",
	} {
		got, ok := httpStatus(code)
		assert.True(t, ok)
		assert.Equal(t, want, got, "HTTP %d", code)
	}
	for _, code := range []int64{200, 302, 402, 502} {
		_, ok := httpStatus(code)
		assert.False(t, ok, "HTTP %d", code)
	}
	for code, want := range map[int64]protocol.SpanStatus{
		1: "cancelled", 3: "invalid_argument", 4: "deadline_exceeded", 5: "not_found", 6: "already_exists",
		7: "permission_denied", 8: "resource_exhausted", 9: "failed_precondition", 10: "aborted",
		11: "out_of_range", 12: "unimplemented", 13: "internal_error", 14: "unavailable", 15: "data_loss",
	} {
		got, ok := grpcStatus(code)
		assert.True(t, ok)
		assert.Equal(t, want, got, "gRPC %d", code)
	}
	_, ok := grpcStatus(17)
	assert.False(t, ok)
}
