package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// ErrInvalidTransaction is the cause of the *DecodeError for a transaction
// that Relay would drop as "invalid_transaction": one that lacks a timestamp, a trace context or its ids, ends before
// it starts, or has a span that does. The error's message gives the reason
// and its Pointer the field.
var ErrInvalidTransaction = errors.New("invalid transaction")

// DecodeTransaction decodes the payload of a "transaction" item and checks
// it as Relay does before accepting it.
//
// Decoding is lenient, as for DecodeEvent: values of the wrong type are
// left out and listed in the Event's Warnings. The type is set to
// "transaction", as Relay forces it for a transaction item (another type is
// a warning). Then the transaction must have a timestamp and a
// start_timestamp no later than it, and have a trace context (contexts.trace) with a trace_id
// and a span_id; every span must have both timestamps, in order, and a
// trace_id and a span_id. A transaction that fails is a *DecodeError whose
// Err wraps ErrInvalidTransaction and whose Pointer names the field, such
// as "/contexts/trace/span_id" or "/spans/3/timestamp"; the Event is
// returned with it, so that the caller can still log its event_id. Only
// malformed JSON, or a payload that is not an object, returns no Event.
//
// Checking decodes the trace context and the spans; their warnings, with
// pointers from the top of the payload, are added to the Event's.
// Event.Spans.Get and Event.Contexts.Trace decode them again when called.
//
// The Event aliases payload, which must not be modified while the Event is
// in use.
func DecodeTransaction(payload []byte) (*Event, error) {
	ev, err := decodeEventAs(envelope.TypeTransaction, payload)
	if err != nil {
		return nil, err
	}
	if err := validateTransaction(ev); err != nil {
		return ev, err
	}
	return ev, nil
}

// decodeEventAs decodes an event-like payload leniently. A payload that is
// not a JSON object is an error, not an empty event with a warning.
func decodeEventAs(t envelope.ItemType, payload []byte) (*Event, error) {
	if p := bytes.TrimLeft(payload, " \t\r\n"); len(p) == 0 || p[0] != '{' {
		return nil, &DecodeError{Type: t, Err: errors.New("payload is not a JSON object")}
	}
	ev := new(Event)
	w, err := decode(t, payload, ev, true)
	if err != nil {
		return nil, err
	}
	ev.Warnings = w
	return ev, nil
}

func validateTransaction(ev *Event) error {
	invalid := func(at jsontext.Pointer, format string, args ...any) error {
		return &DecodeError{Type: envelope.TypeTransaction, Pointer: at,
			Err: fmt.Errorf("%w: %s", ErrInvalidTransaction, fmt.Sprintf(format, args...))}
	}
	// Relay forces the type of a transaction item's event rather than
	// checking it ("Transaction items can only contain transaction
	// events"), so a missing or other type is overwritten, with a remark.
	if ev.Type != "transaction" {
		if ev.Type != "" {
			ev.Warnings = append(ev.Warnings, Warning{Pointer: "/type", Err: fmt.Errorf("%w: type %q in a transaction item", ErrInvalidValue, ev.Type)})
		}
		ev.Type = "transaction"
	}
	if ev.Timestamp.IsZero() {
		return invalid("/timestamp", "no timestamp")
	}
	if ev.StartTimestamp.IsZero() {
		return invalid("/start_timestamp", "no start_timestamp")
	}
	if ev.Timestamp.Before(ev.StartTimestamp.Time) {
		return invalid("/timestamp", "timestamp is before start_timestamp")
	}

	if _, ok := ev.Contexts.Get("trace"); !ok {
		return invalid("/contexts/trace", "no trace context")
	}
	trace, w, err := ev.Contexts.Trace()
	ev.Warnings = append(ev.Warnings, w...)
	if err != nil {
		return err
	}
	if trace == nil {
		return invalid("/contexts/trace/type", "contexts.trace is a %q context", ev.Contexts.Type("trace"))
	}
	if trace.TraceID == "" {
		return invalid("/contexts/trace/trace_id", "no valid trace_id in the trace context")
	}
	if trace.SpanID == "" {
		return invalid("/contexts/trace/span_id", "no valid span_id in the trace context")
	}

	if ev.Spans.IsZero() {
		return nil
	}
	var spans []Span
	w, err = decodeAt(envelope.TypeTransaction, "/spans", ev.Spans.Raw(), &spans)
	ev.Warnings = append(ev.Warnings, w...)
	if err != nil {
		return err
	}
	for i, s := range spans {
		at := jsontext.Pointer("/spans").AppendToken(itoa(int64(i)))
		switch {
		case s.StartTimestamp.IsZero():
			return invalid(at+"/start_timestamp", "span %d has no start_timestamp", i)
		case s.Timestamp.IsZero():
			return invalid(at+"/timestamp", "span %d has no timestamp", i)
		case s.Timestamp.Before(s.StartTimestamp.Time):
			return invalid(at+"/timestamp", "span %d ends before it starts", i)
		case s.TraceID == "":
			return invalid(at+"/trace_id", "span %d has no valid trace_id", i)
		case s.SpanID == "":
			return invalid(at+"/span_id", "span %d has no valid span_id", i)
		}
	}
	return nil
}

// A Span is one entry of a transaction's "spans": a timed operation within
// the transaction, such as a database query.
type Span struct {
	// Timestamp is when the span ended; Relay requires it.
	Timestamp Timestamp `json:"timestamp,omitzero"`
	// StartTimestamp is when it started; Relay requires it.
	StartTimestamp Timestamp `json:"start_timestamp,omitzero"`
	// ExclusiveTime is the time, in milliseconds, spent in the span but not
	// in its children. Relay computes it.
	ExclusiveTime *float64 `json:"exclusive_time,omitzero"`
	Description   string   `json:"description,omitzero"`
	// Op is the kind of operation, such as "db.query" or "http.client".
	Op string `json:"op,omitzero"`
	// SpanID and TraceID are required.
	SpanID       SpanID  `json:"span_id,omitzero"`
	ParentSpanID SpanID  `json:"parent_span_id,omitzero"`
	TraceID      TraceID `json:"trace_id,omitzero"`
	// SegmentID is the span id of the segment (the transaction) the span
	// belongs to.
	SegmentID SpanID     `json:"segment_id,omitzero"`
	IsSegment *bool      `json:"is_segment,omitzero"`
	Status    SpanStatus `json:"status,omitzero"`
	// Tags may hold values of any JSON type; they are read as strings,
	// non-strings as their JSON text.
	Tags      map[string]JSONLenientString `json:"tags,omitzero"`
	Origin    string                       `json:"origin,omitzero"`
	ProfileID string                       `json:"profile_id,omitzero"`
	// Data is arbitrary data about the span, such as "db.system" or
	// "http.response.status_code", kept as sent.
	Data         jsontext.Value            `json:"data,omitzero"`
	Measurements map[string]Measurement    `json:"measurements,omitzero"`
	Other        map[string]jsontext.Value `json:",embed"`
}

// A Measurement is a named value measured during a transaction or span,
// such as "lcp" (largest contentful paint) in milliseconds.
type Measurement struct {
	// Value is required, so it is always written, even when zero.
	Value float64 `json:"value"`
	// Unit is a unit such as "millisecond", "byte", "ratio" or "none".
	// Relay fills it in for the measurements it knows.
	Unit  string                    `json:"unit,omitzero"`
	Other map[string]jsontext.Value `json:",embed"`
}

// A TransactionSource says where a transaction's name came from, which
// tells Sentry whether the name is low-cardinality enough to group by.
type TransactionSource string

// The sources Relay knows. Any other string is kept as it is, and a missing
// source counts as TransactionSourceUnknown.
const (
	TransactionSourceCustom    TransactionSource = "custom"
	TransactionSourceURL       TransactionSource = "url"
	TransactionSourceRoute     TransactionSource = "route"
	TransactionSourceView      TransactionSource = "view"
	TransactionSourceComponent TransactionSource = "component"
	TransactionSourceSanitized TransactionSource = "sanitized"
	TransactionSourceTask      TransactionSource = "task"
	TransactionSourceUnknown   TransactionSource = "unknown"
)

// TransactionInfo is a transaction's "transaction_info": where its name
// came from and how it changed.
type TransactionInfo struct {
	Source TransactionSource `json:"source,omitzero"`
	// Original is the name before the server or SDK changed it.
	Original string `json:"original,omitzero"`
	// Changes lists the renames of the transaction.
	Changes []TransactionNameChange `json:"changes,omitzero"`
	// Propagations is how many times the trace propagated before the
	// name was final.
	Propagations *float64                  `json:"propagations,omitzero"`
	Other        map[string]jsontext.Value `json:",embed"`
}

// A TransactionNameChange is one rename of a transaction.
type TransactionNameChange struct {
	// Source is the new name's source.
	Source       TransactionSource         `json:"source,omitzero"`
	Propagations *float64                  `json:"propagations,omitzero"`
	Timestamp    Timestamp                 `json:"timestamp,omitzero"`
	Other        map[string]jsontext.Value `json:",embed"`
}

// A TraceID is a trace id: 32 lowercase hex digits. Dashed UUID forms and
// upper case are accepted and normalized; anything else, and the all-zero
// id, is not valid and is left out with a Warning, as Relay leaves it out.
type TraceID string

// UnmarshalJSONFrom accepts a trace id and normalizes it.
func (id *TraceID) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := readIDString(dec, "trace id")
	if !ok {
		return err
	}
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if !isHexID(s, 32) {
		return &json.SemanticError{Err: fmt.Errorf("%q is not a valid trace id", s)}
	}
	*id = TraceID(strings.ToLower(s))
	return nil
}

// A SpanID is a span id: 16 lowercase hex digits. Upper case is accepted
// and normalized; anything else, and the all-zero id, is not valid.
type SpanID string

// UnmarshalJSONFrom accepts a span id and normalizes it.
func (id *SpanID) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := readIDString(dec, "span id")
	if !ok {
		return err
	}
	if !isHexID(s, 16) {
		return &json.SemanticError{Err: fmt.Errorf("%q is not a valid span id", s)}
	}
	*id = SpanID(strings.ToLower(s))
	return nil
}

// readIDString reads an id's string. It reports !ok, with a nil error,
// for null, which is no id rather than an invalid one.
func readIDString(dec *jsontext.Decoder, what string) (s string, ok bool, err error) {
	switch dec.PeekKind() {
	case 'n':
		return "", false, dec.SkipValue()
	case '"':
		if err := readString(dec, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	}
	return "", false, &json.SemanticError{Err: errors.New("want a " + what + " string")}
}

// isHexID reports whether s is n hex digits, not all of them zero.
func isHexID(s string, n int) bool {
	if len(s) != n {
		return false
	}
	zero := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '0':
		case '1' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			zero = false
		default:
			return false
		}
	}
	return !zero
}

// A SpanStatus is how a span or transaction ended, with the names of
// gRPC's status codes.
type SpanStatus string

// The span statuses, in the order of their gRPC codes, 0 to 16.
const (
	SpanStatusOK                 SpanStatus = "ok"
	SpanStatusCancelled          SpanStatus = "cancelled"
	SpanStatusUnknown            SpanStatus = "unknown"
	SpanStatusInvalidArgument    SpanStatus = "invalid_argument"
	SpanStatusDeadlineExceeded   SpanStatus = "deadline_exceeded"
	SpanStatusNotFound           SpanStatus = "not_found"
	SpanStatusAlreadyExists      SpanStatus = "already_exists"
	SpanStatusPermissionDenied   SpanStatus = "permission_denied"
	SpanStatusResourceExhausted  SpanStatus = "resource_exhausted"
	SpanStatusFailedPrecondition SpanStatus = "failed_precondition"
	SpanStatusAborted            SpanStatus = "aborted"
	SpanStatusOutOfRange         SpanStatus = "out_of_range"
	SpanStatusUnimplemented      SpanStatus = "unimplemented"
	SpanStatusInternalError      SpanStatus = "internal_error"
	SpanStatusUnavailable        SpanStatus = "unavailable"
	SpanStatusDataLoss           SpanStatus = "data_loss"
	SpanStatusUnauthenticated    SpanStatus = "unauthenticated"
)

var spanStatusByCode = [...]SpanStatus{
	SpanStatusOK, SpanStatusCancelled, SpanStatusUnknown, SpanStatusInvalidArgument,
	SpanStatusDeadlineExceeded, SpanStatusNotFound, SpanStatusAlreadyExists,
	SpanStatusPermissionDenied, SpanStatusResourceExhausted, SpanStatusFailedPrecondition,
	SpanStatusAborted, SpanStatusOutOfRange, SpanStatusUnimplemented, SpanStatusInternalError,
	SpanStatusUnavailable, SpanStatusDataLoss, SpanStatusUnauthenticated,
}

// UnmarshalJSONFrom accepts the names, Relay's aliases ("success" for ok,
// "failure" for internal_error, "unknown_error" for unknown) and the gRPC
// codes 0 to 16. Anything else is not valid.
func (s *SpanStatus) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		return nil
	case '"':
		name, _ := jsontext.AppendUnquote(nil, v)
		switch string(name) {
		case "success":
			*s = SpanStatusOK
			return nil
		case "failure":
			*s = SpanStatusInternalError
			return nil
		case "unknown_error":
			*s = SpanStatusUnknown
			return nil
		}
		for _, st := range spanStatusByCode {
			if string(st) == string(name) {
				*s = st
				return nil
			}
		}
	case '0':
		for i := range spanStatusByCode {
			if string(v) == itoa(int64(i)) {
				*s = spanStatusByCode[i]
				return nil
			}
		}
	}
	return &json.SemanticError{Err: fmt.Errorf("unknown span status %s", v)}
}
