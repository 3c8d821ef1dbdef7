package otlp

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// ConvertSpan converts one OTLP span, with the resource and the
// instrumentation scope it came with (either may be nil), into a Sentry
// span v2 exactly as Relay's OTLP endpoint does (otel_to_sentry_span, the
// span-streaming generation):
//
//   - ids become lower-case hex. A span id that is not 8 bytes, or is all
//     zeros, is an error wrapping ErrInvalidSpanID: Relay cannot store
//     such a span. A trace id that is not 16 bytes, or is all zeros, is
//     replaced by a random one, as Relay does. A parent id that is empty,
//     or invalid, leaves the span without a parent.
//   - timestamps keep their nanoseconds and are written rounded to the
//     microsecond, Relay's precision; a missing time is the Unix epoch
//     (written 0), not absent.
//   - the name is the span's, or, for an unnamed span, "db" if an
//     attribute key starts with "db", or "http.server", "http.client" or
//     "http" (by kind) for an HTTP method attribute, whichever comes first.
//   - the status is "ok", also for a span without one, unless the code is
//     ERROR (or unknown): "error".
//   - attributes are, later ones overwriting earlier ones: "resource.*",
//     "instrumentation.*", "instrumentation.name" and
//     "instrumentation.version" when there is a scope, "sentry.origin"
//     "auto.otlp.spans", "sentry.platform" from the resource's
//     telemetry.sdk.language (dotnet is csharp, nodejs node, webjs
//     javascript), the span's own, "sentry.status.message",
//     "sentry.is_remote" when the flags say, and "sentry.kind".
//   - a span whose parent is remote is a segment (is_segment true);
//     otherwise is_segment is left for normalization.
//   - links keep their ids, their W3C sampled flag and their attributes;
//     a link with an invalid id is dropped. Events, trace state and the
//     dropped counts are ignored.
//
// Values keep their type; bytes become strings (or nothing, when not
// UTF-8), arrays attributes of type "array" holding their scalar
// elements, and key-value lists strings of JSON text, as in Relay. The
// result's strings and JSON values may alias s, res and scope.
func ConvertSpan(s *Span, res *Resource, scope *Scope) (protocol.SpanV2, error) {
	if err := checkSpanID(s); err != nil {
		return protocol.SpanV2{}, err
	}
	var a arena
	a.grow(spanSize(s, res, scope))
	// A lone span writes its resource and scope straight into its own
	// map: a base pays off only when spans share it.
	n := len(s.Attributes) + spanExtraAttributes + 2 // origin, platform
	if res != nil {
		n += len(res.Attributes)
	}
	if scope != nil {
		n += len(scope.Attributes) + 2
	}
	attrs := make(protocol.Attributes, n)
	a.putSpanBase(attrs, res, scope)
	return a.fillSpan(s, attrs), nil
}

// originSpans is the "sentry.origin" of every span that came in over
// OTLP, shared: attribute values are never written to.
var originSpans = protocol.Attribute{Type: protocol.AttributeString, Value: jsontext.Value(`"auto.otlp.spans"`)}

// spanBase returns the attributes every span of a resource and scope
// starts with.
func (a *arena) spanBase(res *Resource, scope *Scope) base {
	return newBase(func(m protocol.Attributes) { a.putSpanBase(m, res, scope) })
}

// putSpanBase puts into m the attributes every span of a resource and
// scope starts with: the resource's and scope's, then "sentry.origin" and
// "sentry.platform".
func (a *arena) putSpanBase(m protocol.Attributes, res *Resource, scope *Scope) {
	a.putScope(m, res, scope)
	m["sentry.origin"] = originSpans
	if res != nil {
		if p, ok := platform(res); ok {
			a.putNonEmpty(m, "sentry.platform", p)
		}
	}
}

// spanSize estimates the arena bytes a span converts into, so that a
// lone span needs one buffer rather than a series of growing ones.
func spanSize(s *Span, res *Resource, scope *Scope) int {
	n := 160 + len(s.Name) + kvsSize(s.Attributes) + scopeSize(res, scope)
	for i := range s.Links {
		n += 48 + kvsSize(s.Links[i].Attributes)
	}
	return n
}

// scopeSize estimates the arena bytes of a resource's and a scope's
// attributes, prefixed keys included.
func scopeSize(res *Resource, scope *Scope) int {
	n := 0
	if res != nil {
		n += kvsSize(res.Attributes) + 9*len(res.Attributes)
	}
	if scope != nil {
		n += kvsSize(scope.Attributes) + 16*len(scope.Attributes) + len(scope.Name) + len(scope.Version) + 4
	}
	return n
}

// kvsSize estimates the JSON size of attribute values: their text plus a
// little for quotes, escapes and numbers.
func kvsSize(kvs []KeyValue) int {
	n := 0
	for i := range kvs {
		n += len(kvs[i].Value.str) + 8
	}
	return n
}

// convertSpan is ConvertSpan with the caller's arena, so that a request
// shares one, and the base of the span's resource and scope, so that
// their attributes are converted once per scope.
func convertSpan(a *arena, b base, s *Span) (protocol.SpanV2, error) {
	if err := checkSpanID(s); err != nil {
		return protocol.SpanV2{}, err
	}
	return a.fillSpan(s, b.attributes(len(s.Attributes)+spanExtra(s))), nil
}

// spanExtra is how many attributes s gets beyond its own and its base:
// the status message, remote, kind, and what normalization adds (op, and
// the segment id and name, and for a segment the transaction). Counting
// them rather than allowing for all of them matters: a map's table
// doubles at powers of two, and most spans sit just below one.
func spanExtra(s *Span) int {
	n := 3 // op, segment id and name
	if s.Status != nil && s.Status.Message != "" {
		n++
	}
	if s.Flags&FlagsContextHasIsRemoteMask != 0 {
		n++
	}
	if s.Kind >= SpanKindInternal && s.Kind <= SpanKindConsumer {
		n++
	}
	if len(s.ParentSpanID) == 0 || s.Flags&FlagsContextIsRemoteMask != 0 {
		n++ // the transaction of a segment
	}
	return n
}

// spanExtraAttributes is how many attributes a span may get beyond its
// own and its base: the status message, remote, kind, and what
// normalization adds (op, segment id and name, transaction).
const spanExtraAttributes = 7

// checkSpanID returns the error of a span whose id Relay cannot store.
func checkSpanID(s *Span) error {
	if validID(s.SpanID, 8) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidSpanID, describeID(s.SpanID, 8))
}

// fillSpan converts a span with a valid id, whose attributes start as
// attrs, which holds its base.
func (a *arena) fillSpan(s *Span, attrs protocol.Attributes) protocol.SpanV2 {
	out := protocol.SpanV2{
		TraceID:        a.traceID(s.TraceID),
		SpanID:         a.hexID(s.SpanID),
		ParentSpanID:   a.optionalSpanID(s.ParentSpanID),
		Status:         protocol.SpanV2OK,
		StartTimestamp: timestamp(s.StartTimeUnixNano),
		EndTimestamp:   timestamp(s.EndTimeUnixNano),
	}
	if s.Status != nil && s.Status.Code != StatusCodeUnset && s.Status.Code != StatusCodeOK {
		out.Status = protocol.SpanV2Error
	}

	name := validUTF8(s.Name)
	for _, kv := range s.Attributes {
		if kv.Value.kind == KindEmpty {
			continue
		}
		if s.Name == "" && name == "" {
			switch {
			case strings.HasPrefix(kv.Key, "db"):
				name = "db"
			case kv.Key == "http.method" || kv.Key == "http.request.method":
				name = httpOpByOTLPKind(s.Kind)
			}
		}
		if attr, ok := a.attribute(kv.Value); ok {
			attrs[validUTF8(kv.Key)] = attr
		}
	}
	out.Name = name

	if s.Status != nil {
		a.putNonEmpty(attrs, "sentry.status.message", s.Status.Message)
	}
	if s.Flags&FlagsContextHasIsRemoteMask != 0 {
		remote := s.Flags&FlagsContextIsRemoteMask != 0
		putBool(attrs, "sentry.is_remote", remote)
		if remote {
			// A remote parent makes a segment, but a segment need not
			// have one: other segments are found by normalization.
			out.IsSegment = new(bool)
			*out.IsSegment = true
		}
	}
	if k := kindName(s.Kind); k != "" {
		a.putString(attrs, "sentry.kind", k)
	}
	out.Attributes = attrs
	out.Links = convertLinks(a, s.Links)
	return out
}

// convertLinks converts span links. The result is never nil, so that a
// span without links says "links": [] as Relay's does.
func convertLinks(a *arena, links []SpanLink) []protocol.SpanLink {
	out := make([]protocol.SpanLink, 0, len(links))
	if len(links) == 0 {
		return out
	}
	sampled := make([]bool, len(links)) // one allocation for every link's flag
	for i := range links {
		l := &links[i]
		if !validID(l.TraceID, 16) || !validID(l.SpanID, 8) {
			continue // Relay fails the link, which then has no value
		}
		sampled[i] = l.Flags&FlagsSampled != 0
		pl := protocol.SpanLink{
			TraceID: a.hexID(l.TraceID),
			SpanID:  a.hexID(l.SpanID),
			Sampled: &sampled[i],
		}
		if len(l.Attributes) > 0 {
			pl.Attributes = make(protocol.Attributes, len(l.Attributes))
			a.putAttributes(pl.Attributes, "", l.Attributes)
		}
		out = append(out, pl)
	}
	return out
}

// timestamp converts Unix nanoseconds as Relay does: as a signed number
// (so values past 2262 wrap, as Relay's cast does), keeping the
// nanoseconds, from which SpanToV1 computes exclusive times; writing it
// rounds to the microsecond, as Relay does. Zero is the epoch, which Relay
// writes as 0.0; it is not the zero time, which protocol.Timestamp leaves
// out.
func timestamp(ns uint64) protocol.Timestamp {
	return protocol.Timestamp{Time: time.Unix(0, int64(ns)).UTC()}
}

// validID reports whether id is an OTLP id of n bytes: of that length and
// not all zeros.
func validID(id []byte, n int) bool {
	if len(id) != n {
		return false
	}
	for _, c := range id {
		if c != 0 {
			return true
		}
	}
	return false
}

// traceID returns the hex of a valid trace id, or of a random one when id
// is not valid: Relay gives a span or log record without a usable trace
// id a trace of its own, because Sentry requires every span and log to
// belong to one.
func (a *arena) traceID(id []byte) string {
	if !validID(id, 16) {
		id = randomTraceID()
	}
	return a.hexID(id)
}

// optionalSpanID returns the hex of a valid span id, and "" for an empty or
// invalid one: a parent or log span id that Relay cannot read is absent.
func (a *arena) optionalSpanID(id []byte) string {
	if !validID(id, 8) {
		return ""
	}
	return a.hexID(id)
}

// describeID says what is wrong with an id, for an error message.
func describeID(id []byte, n int) string {
	switch {
	case len(id) == 0:
		return "missing"
	case len(id) != n:
		return fmt.Sprintf("%d bytes, want %d", len(id), n)
	}
	return "all zeros"
}

// randomTraceID returns a fresh trace id for a span that has none, as
// Relay makes one up. It comes from crypto/rand, which never fails and
// needs no seeding, so that made-up ids cannot collide across processes.
func randomTraceID() []byte {
	id := make([]byte, 16)
	for !validID(id, 16) {
		rand.Read(id)
	}
	return id
}

// kindName returns the name of a span kind as "sentry.kind" spells it,
// and "" for an unspecified or unknown kind. Relay marks an unknown kind
// as invalid data on the attribute, which leaves it without a value; here
// it has no attribute.
func kindName(k SpanKind) string {
	switch k {
	case SpanKindInternal:
		return "internal"
	case SpanKindServer:
		return "server"
	case SpanKindClient:
		return "client"
	case SpanKindProducer:
		return "producer"
	case SpanKindConsumer:
		return "consumer"
	}
	return ""
}

// httpOpByOTLPKind is the name Relay gives an unnamed span with an HTTP
// method attribute.
func httpOpByOTLPKind(k SpanKind) string {
	switch k {
	case SpanKindServer:
		return "http.server"
	case SpanKindClient:
		return "http.client"
	}
	return "http"
}

// platform returns the Sentry platform of a resource's SDK language: the
// first telemetry.sdk.language attribute, if it is a string, with OTel's
// names for .NET, Node.js and browser JavaScript changed to Sentry's.
func platform(res *Resource) (string, bool) {
	for _, kv := range res.Attributes {
		if kv.Key != "telemetry.sdk.language" {
			continue
		}
		if kv.Value.kind != KindString {
			return "", false
		}
		switch lang := kv.Value.str; lang {
		case "dotnet":
			return "csharp", true
		case "nodejs":
			return "node", true
		case "webjs":
			return "javascript", true
		default:
			return lang, true
		}
	}
	return "", false
}
