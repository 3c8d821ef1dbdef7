package otlp

import (
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// SpanToV1 converts a span v2 into the older span format, the span of a
// transaction's "spans", as Relay's v2-to-v1 conversion (span_v2_to_span_v1)
// does. It is what a host that stores transactions needs for OTLP spans,
// and it works on spans v2 from SDKs too.
//
// The op is "sentry.op", or inferred from the conventions (see
// inferOp); the description is "sentry.description", or inferred (HTTP
// method and route or URL, database query, else the name); the status is
// refined from the HTTP and gRPC status codes (see v1Status). The
// exclusive time, in milliseconds, is "sentry.exclusive_time", or an
// "*exclusive_time_nano*" attribute divided by a million, or else the
// duration.
//
// These attributes become fields rather than data: "sentry.op",
// "sentry.description", the exclusive times, "sentry.segment.id" (its
// segment_id, lower-cased; an invalid one is dropped), "sentry.is_segment"
// (is_segment, unless the span's own is set), "sentry.profile_id" or
// "sentry.profile.id" (profile_id, as 32 hex digits), and, in Other,
// "sentry.platform" (platform), "sentry.kind" (kind; else the span's kind
// field), "sentry.is_remote" (is_remote) and
// "sentry._internal.performance_issues_spans" (performance_issues_spans).
// Links go in Other too, with plain attribute values. "sentry.origin" is
// the span's origin and also stays in data: one generation of Relay's
// conversion moved it, the newer snapshots keep it in data.
//
// Every other attribute goes into data with its plain JSON value, keys
// sorted, http.status_code and rpc.grpc.status_code included, the span's
// name as "sentry.name", and an attribute "http.method" as
// "http.request_method", the name Relay's span data schema gives it.
// Attributes without a value are left out.
func SpanToV1(s *protocol.SpanV2) protocol.Span {
	out := protocol.Span{
		Timestamp:      s.EndTimestamp,
		StartTimestamp: s.StartTimestamp,
		TraceID:        protocol.TraceID(s.TraceID),
		SpanID:         protocol.SpanID(s.SpanID),
		ParentSpanID:   protocol.SpanID(s.ParentSpanID),
		Status:         v1Status(s),
		IsSegment:      s.IsSegment,
	}
	attrs := s.Attributes

	if op, ok := attrString(attrs, "sentry.op"); ok {
		out.Op = op
	} else {
		out.Op = inferOp(s)
	}
	if d, ok := attrString(attrs, "sentry.description"); ok {
		out.Description = d
	} else if d, ok := inferDescription(s); ok {
		out.Description = d
	}
	if id, ok := attrString(attrs, "sentry.segment.id"); ok && isHexSpanID(id) {
		out.SegmentID = protocol.SpanID(strings.ToLower(id))
	}
	if out.IsSegment == nil {
		if b, ok := attrs["sentry.is_segment"].Bool(); ok {
			out.IsSegment = &b
		}
	}
	if origin, ok := attrString(attrs, "sentry.origin"); ok {
		out.Origin = origin
	}
	for _, key := range [...]string{"sentry.profile.id", "sentry.profile_id"} { // the later wins, as in Relay's key order
		if id, ok := attrString(attrs, key); ok {
			if p, ok := profileID(id); ok {
				out.ProfileID = p
			}
		}
	}

	var other map[string]jsontext.Value
	setOther := func(key string, v jsontext.Value) {
		if other == nil {
			other = make(map[string]jsontext.Value, 4)
		}
		other[key] = v
	}
	if p, ok := attrs["sentry.platform"]; ok && p.Value.Kind() == '"' {
		setOther("platform", p.Value)
	}
	if k, ok := attrs["sentry.kind"]; ok && k.Value.Kind() == '"' {
		setOther("kind", k.Value)
	} else if s.Kind != "" {
		setOther("kind", quoted(s.Kind))
	}
	if r, ok := attrs["sentry.is_remote"]; ok {
		if _, ok := r.Bool(); ok {
			setOther("is_remote", r.Value)
		}
	}
	if p, ok := attrs["sentry._internal.performance_issues_spans"]; ok {
		if _, ok := p.Bool(); ok {
			setOther("performance_issues_spans", p.Value)
		}
	}
	if s.Links != nil {
		setOther("links", linksJSON(s.Links))
	}
	out.Other = other

	exclusive := exclusiveTime(attrs)
	if exclusive == 0 && !s.StartTimestamp.IsZero() && !s.EndTimestamp.IsZero() {
		exclusive = float64(s.EndTimestamp.Sub(s.StartTimestamp.Time).Nanoseconds()) / 1e6
	}
	out.ExclusiveTime = &exclusive
	out.Data = spanData(s)
	return out
}

// v1Fields are the attributes that SpanToV1 makes fields of, which stay
// out of data.
var v1Fields = map[string]bool{
	"sentry.op":                                 true,
	"sentry.description":                        true,
	"sentry.exclusive_time":                     true,
	"sentry.segment.id":                         true,
	"sentry.is_segment":                         true,
	"sentry.profile_id":                         true,
	"sentry.profile.id":                         true,
	"sentry.platform":                           true,
	"sentry.kind":                               true,
	"sentry.is_remote":                          true,
	"sentry._internal.performance_issues_spans": true,
}

// spanData returns the JSON object of a span's data.
func spanData(s *protocol.SpanV2) jsontext.Value {
	keys := make([]string, 0, len(s.Attributes)+1)
	_, hasName := s.Attributes["sentry.name"]
	if s.Name != "" && !hasName {
		keys = append(keys, "sentry.name")
	}
	size := 2
	for k, a := range s.Attributes {
		if v1Fields[k] || strings.Contains(k, "exclusive_time_nano") || len(a.Value) == 0 {
			continue
		}
		keys = append(keys, k)
		size += len(k) + len(a.Value) + 4
	}
	slices.Sort(keys)
	_, hasRenamed := s.Attributes["http.request_method"]

	b := make([]byte, 0, size+len(s.Name)+16)
	b = append(b, '{')
	for _, k := range keys {
		name := k
		var v jsontext.Value
		switch {
		case k == "sentry.name" && s.Name != "":
			v = quoted(s.Name)
		case k == "http.method":
			if hasRenamed {
				continue
			}
			name = "http.request_method"
			v = s.Attributes[k].Value
		default:
			v = s.Attributes[k].Value
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b, _ = jsontext.AppendQuote(b, name)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, '}')
	return jsontext.Value(b)
}

// exclusiveTime returns the exclusive time, in milliseconds, that a span's
// attributes give, or 0. "sentry.exclusive_time" is in milliseconds; any
// key containing "exclusive_time_nano" (SDKs used several) is in
// nanoseconds, and of several the one last in key order wins, as in
// Relay, which also reads numeric strings there.
func exclusiveTime(attrs protocol.Attributes) float64 {
	ms := 0.0
	if a, ok := attrs["sentry.exclusive_time"]; ok {
		if f, ok := a.Float(); ok {
			ms = f
		}
	}
	last := ""
	for k := range attrs {
		if strings.Contains(k, "exclusive_time_nano") && k > last {
			last = k
		}
	}
	if last != "" {
		f, _ := attrs[last].Float()
		ms = f / 1e6
	}
	return ms
}

// linksJSON returns the JSON of the links of the older span format, whose
// attributes are plain values.
func linksJSON(links []protocol.SpanLink) jsontext.Value {
	b := []byte{'['}
	for i, l := range links {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		n := len(b)
		field := func(name string) {
			if len(b) > n {
				b = append(b, ',')
			}
			b, _ = jsontext.AppendQuote(b, name)
			b = append(b, ':')
		}
		if l.TraceID != "" {
			field("trace_id")
			b, _ = jsontext.AppendQuote(b, l.TraceID)
		}
		if l.SpanID != "" {
			field("span_id")
			b, _ = jsontext.AppendQuote(b, l.SpanID)
		}
		if l.Sampled != nil {
			field("sampled")
			b = strconv.AppendBool(b, *l.Sampled)
		}
		if l.Attributes != nil {
			field("attributes")
			keys := make([]string, 0, len(l.Attributes))
			for k, a := range l.Attributes {
				if len(a.Value) > 0 {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			b = append(b, '{')
			for j, k := range keys {
				if j > 0 {
					b = append(b, ',')
				}
				b, _ = jsontext.AppendQuote(b, k)
				b = append(b, ':')
				b = append(b, l.Attributes[k].Value...)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return jsontext.Value(append(b, ']'))
}

func quoted(s string) jsontext.Value {
	b, _ := jsontext.AppendQuote(nil, s)
	return b
}

// isHexSpanID reports whether s is a span id as Relay reads one from
// text: 16 hex digits, in either case, not all zeros.
func isHexSpanID(s string) bool {
	return len(s) == 16 && isHex(s) && strings.Trim(s, "0") != ""
}

// profileID returns a profile id as the older span format writes it: a
// UUID, with or without dashes, as 32 lower-case hex digits.
func profileID(s string) (string, bool) {
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 || !isHex(s) {
		return "", false
	}
	return strings.ToLower(s), true
}

// isHex reports whether s is made of hex digits, in either case.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
