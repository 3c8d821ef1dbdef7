package protocol

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// The errors of an item container that does not match its item header,
// wrapped in a *DecodeError, as Relay's ItemContainer checks them.
var (
	// ErrMismatchedContentType is a container item whose "content_type"
	// is absent or not the container type of its item type.
	ErrMismatchedContentType = errors.New("mismatched container content type")
	// ErrMismatchedItemType is an item of another type than the container
	// type asked for.
	ErrMismatchedItemType = errors.New("mismatched container item type")
	// ErrMismatchedLength is an "item_count" that is absent or differs
	// from the number of elements in "items".
	ErrMismatchedLength = errors.New("container item_count does not match its items")
)

// A Container is the payload of an item container: one envelope item that
// carries many records of one kind, {"items": [...]} with optional
// metadata beside "items" (such as "version"). Its item header says what
// it holds with "type" and "content_type", and how many with "item_count".
//
// The container is checked strictly, as Relay does; the records are
// decoded leniently, as Relay's annotated types are: a field of the wrong
// type is dropped and reported in Warnings. Strings alias the payload.
type Container[T any] struct {
	// Items are the records.
	Items []T `json:"items"`

	// Other holds the container's metadata: every key beside "items".
	// Relay ignores metadata it cannot read, so it is kept here as JSON.
	Other map[string]jsontext.Value `json:",embed"`

	// Warnings lists the values of the records that were ignored, with
	// their pointers from the top of the payload ("/items/3/level").
	Warnings []Warning `json:"-"`
}

// Version returns the container's "version" metadata. Version 2 of the
// log container enables its "ingest_settings".
func (c *Container[T]) Version() (uint16, bool) {
	var v uint16
	raw, ok := c.Other["version"]
	if !ok || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

// A LogContainer is the payload of a "log" item.
type LogContainer = Container[Log]

// A SpanContainer is the payload of a "span" item in the span v2 format.
type SpanContainer = Container[SpanV2]

// A TraceMetricContainer is the payload of a "trace_metric" item.
type TraceMetricContainer = Container[TraceMetric]

// DecodeLogs decodes a "log" item, which must have the content type
// envelope.ContentTypeLogContainer. See decodeContainer for the checks.
func DecodeLogs(it *envelope.Item) (*LogContainer, error) {
	return decodeContainer[Log](it, envelope.TypeLog, envelope.ContentTypeLogContainer)
}

// DecodeSpans decodes a "span" item in the span v2 format, which must have
// the content type envelope.ContentTypeSpanContainer. A "span" item
// without it is a single standalone span of the older format (a JSON span
// as in a transaction), which this does not decode.
func DecodeSpans(it *envelope.Item) (*SpanContainer, error) {
	return decodeContainer[SpanV2](it, envelope.TypeSpan, envelope.ContentTypeSpanContainer)
}

// DecodeTraceMetrics decodes a "trace_metric" item, which must have the
// content type envelope.ContentTypeMetricContainer.
func DecodeTraceMetrics(it *envelope.Item) (*TraceMetricContainer, error) {
	return decodeContainer[TraceMetric](it, envelope.TypeTraceMetric, envelope.ContentTypeMetricContainer)
}

// containerShell is a container with its records still JSON: the
// container is read strictly before its records are read leniently.
type containerShell struct {
	Items []jsontext.Value          `json:"items"`
	Other map[string]jsontext.Value `json:",embed"`
}

// decodeContainer checks a container item in Relay's order, each check
// with its own error: the content type (absent counts as a mismatch,
// ErrMismatchedContentType), the item type (ErrMismatchedItemType), the
// JSON (a *DecodeError from the json packages, or ErrMissingField for
// "items"), then "item_count" against the number of records
// (ErrMismatchedLength; an absent count never matches). Then it decodes
// each record leniently.
func decodeContainer[T any](it *envelope.Item, t envelope.ItemType, contentType string) (*Container[T], error) {
	fail := func(at jsontext.Pointer, err error) error {
		return &DecodeError{Type: it.Type(), Pointer: at, Err: err}
	}
	if ct := it.ContentType(); !strings.EqualFold(ct, contentType) {
		return nil, fail("", fmt.Errorf("%w: %q, want %q", ErrMismatchedContentType, ct, contentType))
	}
	if it.Type() != t {
		return nil, fail("", fmt.Errorf("%w: %q, want %q", ErrMismatchedItemType, it.Type(), t))
	}
	// The shell is strict, but the records are free-form JSON to it, in
	// which Relay, like serde's maps, lets a repeated key win.
	var shell containerShell
	if err := json.Unmarshal(it.Payload(), &shell, jsontext.AllowDuplicateNames(true)); err != nil {
		return nil, decodeError(t, err)
	}
	if shell.Items == nil {
		return nil, fail("/items", ErrMissingField)
	}
	n, ok := it.ItemCount()
	if !ok || n != int64(len(shell.Items)) {
		want := "none"
		if ok {
			want = itoa(n)
		}
		return nil, fail("", fmt.Errorf("%w: item_count %s, %d items", ErrMismatchedLength, want, len(shell.Items)))
	}
	c := &Container[T]{Items: make([]T, len(shell.Items)), Other: shell.Other}
	for i, raw := range shell.Items {
		w, err := decode(t, raw, &c.Items[i], true)
		if err != nil {
			if de, ok := err.(*DecodeError); ok {
				de.Pointer = itemPointer(i) + de.Pointer
			}
			return nil, err
		}
		for _, x := range w {
			x.Pointer = itemPointer(i) + x.Pointer
			c.Warnings = append(c.Warnings, x)
		}
	}
	return c, nil
}

func itemPointer(i int) jsontext.Pointer {
	return jsontext.Pointer("/items").AppendToken(itoa(int64(i)))
}

// Item returns an envelope item that carries the container, with the
// "content_type" and "item_count" its type needs. Raw JSON values (the
// records' "__header", unknown keys, attribute values) are written as they
// came, escapes included; only whitespace in them is compacted.
func (c *Container[T]) Item() (*envelope.Item, error) {
	t, ct := containerKind[T]()
	payload, err := json.Marshal(c, jsontext.PreserveRawStrings(true), jsontext.AllowDuplicateNames(true))
	if err != nil {
		return nil, err
	}
	it := envelope.NewItem(t, payload)
	if err := it.Set("content_type", ct); err != nil {
		return nil, err
	}
	if err := it.Set("item_count", int64(len(c.Items))); err != nil {
		return nil, err
	}
	return it, nil
}

// containerKind returns the item type and content type of a container of
// T.
func containerKind[T any]() (envelope.ItemType, string) {
	var v T
	switch any(v).(type) {
	case Log:
		return envelope.TypeLog, envelope.ContentTypeLogContainer
	case SpanV2:
		return envelope.TypeSpan, envelope.ContentTypeSpanContainer
	case TraceMetric:
		return envelope.TypeTraceMetric, envelope.ContentTypeMetricContainer
	}
	panic(fmt.Sprintf("protocol: %T is not a container record", v))
}

// A Log is one record of a log container, as Relay's OurLog reads it.
// Relay requires timestamp, trace_id, level and body.
type Log struct {
	// Timestamp is when the log was written.
	Timestamp Timestamp `json:"timestamp,omitzero"`
	// TraceID is the trace the log belongs to: 32 hex digits.
	TraceID string `json:"trace_id,omitzero"`
	// SpanID is the span that was active, if any: 16 hex digits.
	SpanID string `json:"span_id,omitzero"`
	// Level is the severity.
	Level LogLevel `json:"level,omitzero"`
	// Body is the message, formatted.
	Body string `json:"body,omitzero"`
	// SeverityNumber is the OpenTelemetry severity (1-24; 9 is info, 13
	// warn, 17 error); 0 means unspecified.
	SeverityNumber int64 `json:"severity_number,omitzero"`
	// Attributes carry the rest: the message template and its parameters
	// ("sentry.message.template", "sentry.message.parameter.0"), release,
	// environment, SDK, and the user's own.
	Attributes Attributes `json:"attributes,omitzero"`
	// Header is the record's "__header", kept byte for byte.
	Header jsontext.Value `json:"__header,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A LogLevel is the level of a log record. Unlike an event's Level it has
// "trace" and spells warning "warn"; Relay keeps levels it does not know.
type LogLevel string

// The log levels.
const (
	LogTrace LogLevel = "trace"
	LogDebug LogLevel = "debug"
	LogInfo  LogLevel = "info"
	LogWarn  LogLevel = "warn"
	LogError LogLevel = "error"
	LogFatal LogLevel = "fatal"
)

// A SpanV2 is one span of a span v2 container, as Relay's SpanV2 reads it:
// spans streamed on their own rather than inside a transaction. Everything
// but the ids, the name, the status and the times is an attribute
// ("sentry.op", "sentry.segment.name", ...).
type SpanV2 struct {
	TraceID      string `json:"trace_id,omitzero"`
	SpanID       string `json:"span_id,omitzero"`
	ParentSpanID string `json:"parent_span_id,omitzero"`
	// Name is what the span did, such as "GET /orders".
	Name   string       `json:"name,omitzero"`
	Status SpanV2Status `json:"status,omitzero"`
	// IsSegment marks the root span of its segment (the span that was a
	// transaction in the older format). SDKs send false explicitly, so it
	// is kept apart from absent.
	IsSegment      *bool     `json:"is_segment,omitzero"`
	StartTimestamp Timestamp `json:"start_timestamp,omitzero"`
	EndTimestamp   Timestamp `json:"end_timestamp,omitzero"`
	// Kind is the OpenTelemetry span kind: "server", "client", "internal",
	// "producer" or "consumer".
	Kind       string     `json:"kind,omitzero"`
	Links      []SpanLink `json:"links,omitzero"`
	Attributes Attributes `json:"attributes,omitzero"`
	// Header is the record's "__header", kept byte for byte.
	Header jsontext.Value `json:"__header,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A SpanV2Status is the status of a span v2: "ok" or "error". Relay keeps
// others as they are.
type SpanV2Status string

// The span v2 statuses.
const (
	SpanV2OK    SpanV2Status = "ok"
	SpanV2Error SpanV2Status = "error"
)

// A SpanLink links a span to a span of another trace, such as the one
// that enqueued the job the span runs.
type SpanLink struct {
	TraceID    string     `json:"trace_id,omitzero"`
	SpanID     string     `json:"span_id,omitzero"`
	Sampled    *bool      `json:"sampled,omitzero"`
	Attributes Attributes `json:"attributes,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A TraceMetric is one record of a trace metric container: a measurement
// tied to the trace it was taken in.
type TraceMetric struct {
	Timestamp Timestamp `json:"timestamp,omitzero"`
	TraceID   string    `json:"trace_id,omitzero"`
	SpanID    string    `json:"span_id,omitzero"`
	// Name is the metric, such as "queue.depth".
	Name string `json:"name,omitzero"`
	// Type is how values combine: "counter", "gauge" or "distribution".
	Type MetricType `json:"type,omitzero"`
	// Unit is the value's unit, such as "millisecond".
	Unit string `json:"unit,omitzero"`
	// Value is the measurement. It is always written: 0 is a value.
	Value      float64    `json:"value"`
	Attributes Attributes `json:"attributes,omitzero"`
	// Header is the record's "__header", kept byte for byte.
	Header jsontext.Value `json:"__header,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A MetricType is the "type" of a trace metric.
type MetricType string

// The trace metric types.
const (
	MetricCounter      MetricType = "counter"
	MetricGauge        MetricType = "gauge"
	MetricDistribution MetricType = "distribution"
)
