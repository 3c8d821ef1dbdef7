package otlp

import (
	"strings"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// normalizeSpan adds to a converted span what Relay's span pipeline adds
// before it stores one, as far as it can be verified:
//
//   - "sentry.op", inferred (inferOp) unless the span has one, as Relay's
//     normalize_sentry_op does;
//   - is_segment, by Relay's segment rule (set_segment_attributes): a span
//     already marked keeps its mark (ConvertSpan marks spans with a remote
//     parent); else a span with a valid "sentry.segment.id" is a segment
//     if that is its own id; else a span without a parent is one;
//   - for a segment, "sentry.segment.id" set to its own span id, and
//     "sentry.segment.name" set to its name when it has one and the
//     attribute is absent, and "sentry.transaction" to the segment name,
//     as Relay's end-to-end test shows them on a stored OTLP segment.
//
// Left out, because they depend on what Relay knows and a converter does
// not (the request, the project, the dynamic sampling context) or could
// not be verified: "sentry.observed_timestamp_nanos" (receive time),
// client address, user agent and geo, the DSC attributes, AI cost and
// token normalization, the renaming of deprecated attribute names
// (sentry-conventions), "sentry.trace.status", "sentry.category", the
// scrubbing of database queries and URLs ("sentry.normalized_db_query"),
// trimming, and the web vital rule of the older pipeline (ops
// "ui.interaction.*" and "ui.webvital.*" lose their parent and segment).
func normalizeSpan(a *arena, s *protocol.SpanV2) {
	if s.Attributes == nil {
		s.Attributes = make(protocol.Attributes, 4)
	}
	if _, ok := s.Attributes["sentry.op"]; !ok {
		a.putString(s.Attributes, "sentry.op", inferOp(s))
	}

	if s.IsSegment == nil {
		if id, ok := attrString(s.Attributes, "sentry.segment.id"); ok && isHexSpanID(id) {
			s.IsSegment = new(bool)
			*s.IsSegment = strings.EqualFold(id, s.SpanID)
		} else if s.ParentSpanID == "" {
			s.IsSegment = new(bool)
			*s.IsSegment = true
		}
	}
	if s.IsSegment == nil || !*s.IsSegment {
		return
	}
	a.putString(s.Attributes, "sentry.segment.id", s.SpanID)
	if s.Name == "" {
		return
	}
	if _, ok := s.Attributes["sentry.segment.name"]; !ok {
		a.putString(s.Attributes, "sentry.segment.name", s.Name)
	}
	if _, ok := s.Attributes["sentry.transaction"]; !ok {
		name, ok := attrString(s.Attributes, "sentry.segment.name")
		if !ok {
			name = s.Name
		}
		a.putString(s.Attributes, "sentry.transaction", name)
	}
}
