package protocol

import (
	"errors"

	"github.com/sentrywire/sentrywire/envelope"
)

// ErrNotDecodable is returned by DecodeItem for item types whose payloads
// this package does not decode: opaque ones (replay recordings and videos,
// profiles, statsd) and unknown types.
var ErrNotDecodable = errors.New("protocol: item type has no typed payload")

// An Attachment describes an attachment item from its header; its payload
// is opaque bytes.
type Attachment struct {
	Filename       string                  `json:"filename,omitzero"`
	ContentType    string                  `json:"content_type,omitzero"`
	AttachmentType envelope.AttachmentType `json:"attachment_type"`
	Size           int                     `json:"size"`
	// CreatesEvent is true for crash reports (minidumps, Apple crash
	// reports, ...), from which Sentry makes an event by itself.
	CreatesEvent bool `json:"creates_event,omitzero"`
}

// DecodeItem decodes an item's payload into the Go value for its type:
//
//	event                *Event (DecodeEvent)
//	transaction          *Event (DecodeTransaction)
//	feedback             *Event (DecodeFeedback)
//	session              *Session
//	sessions             *SessionAggregates
//	check_in             *CheckIn
//	client_report        *ClientReport
//	user_report          *UserReport
//	log                  *LogContainer
//	span                 *SpanContainer for span v2 containers, *Span for a standalone span
//	trace_metric         *TraceMetricContainer
//	attachment           *Attachment
//
// It also returns the warnings of a lenient decode. Other types give
// ErrNotDecodable. The value aliases the item's payload.
func DecodeItem(it *envelope.Item) (v any, warnings []Warning, err error) {
	p := it.Payload()
	switch it.Type() {
	case envelope.TypeEvent:
		ev, err := DecodeEvent(p)
		return orNil(ev, err), warningsOf(ev), err
	case envelope.TypeTransaction:
		ev, err := DecodeTransaction(p)
		return orNil(ev, err), warningsOf(ev), err
	case envelope.TypeFeedback:
		ev, _, err := DecodeFeedback(p)
		return orNil(ev, err), warningsOf(ev), err
	case envelope.TypeSession:
		v, err = DecodeSession(p)
	case envelope.TypeSessions:
		v, err = DecodeSessionAggregates(p)
	case envelope.TypeCheckIn:
		v, err = DecodeCheckIn(p)
	case envelope.TypeClientReport:
		v, err = DecodeClientReport(p)
	case envelope.TypeUserReport:
		v, err = DecodeUserReport(p)
	case envelope.TypeLog:
		c, err := DecodeLogs(it)
		if err != nil {
			return nil, nil, err
		}
		return c, c.Warnings, nil
	case envelope.TypeTraceMetric:
		c, err := DecodeTraceMetrics(it)
		if err != nil {
			return nil, nil, err
		}
		return c, c.Warnings, nil
	case envelope.TypeSpan:
		if it.IsContainer() {
			c, err := DecodeSpans(it)
			if err != nil {
				return nil, nil, err
			}
			return c, c.Warnings, nil
		}
		var sp Span
		w, err := decode(envelope.TypeSpan, p, &sp, true)
		if err != nil {
			return nil, nil, err
		}
		return &sp, w, nil
	case envelope.TypeAttachment:
		at := it.AttachmentType()
		return &Attachment{Filename: it.Filename(), ContentType: it.ContentType(), AttachmentType: at,
			Size: len(p), CreatesEvent: at.CreatesEvent()}, nil, nil
	default:
		return nil, nil, ErrNotDecodable
	}
	if err != nil {
		return nil, nil, err
	}
	return v, nil, nil
}

// orNil keeps a nil *Event from becoming a non-nil interface.
func orNil(ev *Event, err error) any {
	if err != nil || ev == nil {
		return nil
	}
	return ev
}

func warningsOf(ev *Event) []Warning {
	if ev == nil {
		return nil
	}
	return ev.Warnings
}
