package otlp

import (
	"net"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// Sentry describes a span with an op, a short low-cardinality category
// such as "http.client" or "db", and a description, the specific thing it
// did, such as "GET https://example.com/users". SDKs send both; OTLP
// spans have neither, so Relay infers them from the OpenTelemetry
// semantic conventions. Both SpanToV1 and normalization use the functions
// below, so that a span gets the same op whichever way it goes.

// inferOp returns the op Relay derives for a span v2 without a
// "sentry.op" attribute (derive_op_for_v2_span), first match winning:
//
//	HTTP method attribute    "http.client" or "http.server" by kind, else
//	                         "http.prefetch" with "sentry.http.prefetch",
//	                         else "http"
//	database system          "db"
//	gen_ai.operation.name X  "gen_ai.X"
//	gen_ai provider          "gen_ai"
//	rpc.service              "rpc"
//	messaging.system         "message"
//	faas.trigger X           X
//	otherwise                "default"
//
// Relay's span pipeline tests the current convention names
// (http.request.method, db.system.name, gen_ai.provider.name) after
// renaming deprecated ones; its older v2-to-v1 conversion tested the
// deprecated ones (http.method, db.system, gen_ai.system) directly. Both
// are tested here, which gives what Relay gives once it has renamed.
// Presence is what counts, whatever the value's type, except for the two
// whose value becomes the op, which must be strings.
func inferOp(s *protocol.SpanV2) string {
	attrs := s.Attributes
	if has(attrs, "http.request.method") || has(attrs, "http.method") {
		switch spanKind(s) {
		case "client":
			return "http.client"
		case "server":
			return "http.server"
		}
		if has(attrs, "sentry.http.prefetch") {
			return "http.prefetch"
		}
		return "http"
	}
	if has(attrs, "db.system.name") || has(attrs, "db.system") {
		return "db"
	}
	if op, ok := attrString(attrs, "gen_ai.operation.name"); ok {
		return "gen_ai." + op
	}
	if has(attrs, "gen_ai.provider.name") || has(attrs, "gen_ai.system") {
		return "gen_ai"
	}
	if has(attrs, "rpc.service") {
		return "rpc"
	}
	if has(attrs, "messaging.system") {
		return "message"
	}
	if trigger, ok := attrString(attrs, "faas.trigger"); ok {
		return trigger
	}
	return "default"
}

// inferDescription returns the description Relay derives for a span v2
// without a "sentry.description" attribute
// (derive_description_for_v2_span), and false when it derives none:
//
//   - for an HTTP span (a string HTTP method M): a server span's path is
//     http.route, else url.path as it is, else http.target without its
//     query and fragment; a client span's is url.full (else http.url)
//     reduced to scheme://domain/path. With a path the description is
//     "M path", followed by " (G)" for a sentry.graphql.operation G;
//     without one it is just M.
//   - for a database span (a string db.system, else db.system.name), unless
//     its sentry.op starts with "cache.": db.query.text, else
//     db.statement.
//   - otherwise the span's name.
//
// Each attribute counts only when it is a string; where Relay looks a
// value up as "this one, or else that one", a non-string first one ends
// the lookup, as it does in Relay.
func inferDescription(s *protocol.SpanV2) (string, bool) {
	attrs := s.Attributes
	if method, ok := firstString(attrs, "http.request.method", "http.method"); ok {
		var path string
		var found bool
		switch spanKind(s) {
		case "server":
			path, found = serverPath(attrs)
		case "client":
			path, found = clientPath(attrs)
		}
		if !found {
			return method, true
		}
		d := method + " " + path
		if op, ok := attrString(attrs, "sentry.graphql.operation"); ok {
			d += " (" + op + ")"
		}
		return d, true
	}
	if d, ok := dbDescription(attrs); ok {
		return d, true
	}
	return s.Name, s.Name != ""
}

func serverPath(attrs protocol.Attributes) (string, bool) {
	if route, ok := attrString(attrs, "http.route"); ok {
		return route, true
	}
	if path, ok := attrString(attrs, "url.path"); ok {
		return path, true
	}
	if target, ok := attrString(attrs, "http.target"); ok {
		if i := strings.IndexAny(target, "?#"); i >= 0 {
			target = target[:i]
		}
		return target, true
	}
	return "", false
}

// clientPath reduces a client span's URL to scheme://domain/path as
// Relay does with the url crate: the URL must be absolute; query,
// fragment, port and user info go; a host that is an IP address is no
// domain and leaves "scheme:///path".
func clientPath(attrs protocol.Attributes) (string, bool) {
	raw, ok := firstString(attrs, "url.full", "http.url")
	if !ok {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "", false
	}
	special := specialScheme(u.Scheme)
	host := u.Hostname()
	if special && host == "" && u.Scheme != "file" {
		return "", false // the url crate requires a host for these
	}
	domain := strings.ToLower(host)
	if net.ParseIP(host) != nil {
		domain = ""
	}
	path := u.EscapedPath()
	if u.Opaque != "" {
		path = u.Opaque
	}
	if path == "" && special {
		path = "/"
	}
	return u.Scheme + "://" + domain + path, true
}

// specialScheme reports whether the WHATWG URL standard, which the url
// crate follows, treats a scheme specially (hosts required, "/" as the
// empty path).
func specialScheme(scheme string) bool {
	switch scheme {
	case "http", "https", "ws", "wss", "ftp", "file":
		return true
	}
	return false
}

func dbDescription(attrs protocol.Attributes) (string, bool) {
	// Caches set db.system too, but their statements are not wanted as
	// descriptions.
	if op, ok := attrString(attrs, "sentry.op"); ok && strings.HasPrefix(op, "cache.") {
		return "", false
	}
	if _, ok := firstString(attrs, "db.system", "db.system.name"); !ok {
		return "", false
	}
	if q, ok := attrString(attrs, "db.query.text"); ok {
		return q, true
	}
	return attrString(attrs, "db.statement")
}

// spanKind returns a span's kind: its "sentry.kind" attribute, which
// Relay's OTLP conversion sets, or else its kind field, which SDKs set.
func spanKind(s *protocol.SpanV2) string {
	if k, ok := attrString(s.Attributes, "sentry.kind"); ok {
		return k
	}
	return s.Kind
}

func has(attrs protocol.Attributes, key string) bool {
	_, ok := attrs[key]
	return ok
}

// firstString looks up key, or else alt when key is absent, and returns
// its value if that is a string.
func firstString(attrs protocol.Attributes, key, alt string) (string, bool) {
	if _, ok := attrs[key]; ok {
		return attrString(attrs, key)
	}
	return attrString(attrs, alt)
}

// attrString returns the value of an attribute if it is a JSON string,
// whatever its declared type, as Relay's as_str reads it. A string without
// escapes, the common case, is aliased rather than copied.
func attrString(attrs protocol.Attributes, key string) (string, bool) {
	a, ok := attrs[key]
	if !ok {
		return "", false
	}
	return jsonString(a.Value)
}

// jsonString returns the string a JSON string value holds.
func jsonString(v jsontext.Value) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			plain = false
			break
		}
	}
	if plain {
		return aliasString(inner), true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
