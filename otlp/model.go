package otlp

// The types below mirror the messages of OTLP's trace and logs protocols
// (opentelemetry/proto/{trace,logs,common,resource}/v1), field for field,
// with Go names. They are what both decoders produce, so that everything
// downstream of decoding is one code path whatever the encoding.
//
// Strings and bytes alias the decoded input (see DecodeTraces): the input
// must not be modified while a decoded value is in use.

// Traces is an ExportTraceServiceRequest, which has the same fields as
// TracesData: the spans of one export, grouped by the resource (service)
// and the instrumentation scope (library) that produced them.
type Traces struct {
	ResourceSpans []ResourceSpans
}

// ResourceSpans are the spans of one resource.
type ResourceSpans struct {
	Resource   Resource
	ScopeSpans []ScopeSpans
	SchemaURL  string
}

// A Resource describes the entity that produced telemetry, such as a
// service: "service.name", "telemetry.sdk.language" and so on.
type Resource struct {
	Attributes             []KeyValue
	DroppedAttributesCount uint32
}

// ScopeSpans are the spans of one instrumentation scope.
type ScopeSpans struct {
	// Scope is nil when the message had none. Relay adds the
	// "instrumentation.name" and "instrumentation.version" attributes only
	// when a scope is present, even an empty one.
	Scope     *Scope
	Spans     []Span
	SchemaURL string
}

// A Scope is an InstrumentationScope: the library that produced the
// telemetry, such as "go.opentelemetry.io/contrib/.../otelhttp".
type Scope struct {
	Name                   string
	Version                string
	Attributes             []KeyValue
	DroppedAttributesCount uint32
}

// A Span is one OTLP span.
type Span struct {
	// TraceID is 16 bytes and SpanID 8 when valid; the decoders keep ids
	// of other lengths so that conversion can treat them as Relay does.
	TraceID                []byte
	SpanID                 []byte
	TraceState             string
	ParentSpanID           []byte // empty for a root span
	Name                   string
	Kind                   SpanKind
	StartTimeUnixNano      uint64
	EndTimeUnixNano        uint64
	Attributes             []KeyValue
	DroppedAttributesCount uint32
	Events                 []SpanEvent
	DroppedEventsCount     uint32
	Links                  []SpanLink
	DroppedLinksCount      uint32
	// Status is nil when the message had none, which Relay tells apart
	// from an unset status code.
	Status *Status
	// Flags holds the W3C trace flags in its low byte and, in bits 8 and
	// 9, whether the parent's remoteness is known and whether it is
	// remote.
	Flags uint32
}

// The masks of Span.Flags and SpanLink.Flags.
const (
	FlagsTraceFlagsMask         = 0x000000ff
	FlagsSampled                = 0x00000001
	FlagsContextHasIsRemoteMask = 0x00000100
	FlagsContextIsRemoteMask    = 0x00000200
)

// A SpanKind says what role a span plays in a trace.
type SpanKind int32

// The span kinds. Values beyond these are kept as they came.
const (
	SpanKindUnspecified SpanKind = 0
	SpanKindInternal    SpanKind = 1
	SpanKindServer      SpanKind = 2
	SpanKindClient      SpanKind = 3
	SpanKindProducer    SpanKind = 4
	SpanKindConsumer    SpanKind = 5
)

// A SpanEvent is a timed annotation of a span, such as an exception
// ("exception" with "exception.type", "exception.message" and
// "exception.stacktrace").
type SpanEvent struct {
	TimeUnixNano           uint64
	Name                   string
	Attributes             []KeyValue
	DroppedAttributesCount uint32
}

// A SpanLink points from a span to a span of the same or another trace.
type SpanLink struct {
	TraceID                []byte
	SpanID                 []byte
	TraceState             string
	Attributes             []KeyValue
	DroppedAttributesCount uint32
	Flags                  uint32
}

// A Status is a span's outcome.
type Status struct {
	Message string
	Code    StatusCode
}

// A StatusCode is a span's status code.
type StatusCode int32

// The status codes. Values beyond these are kept as they came.
const (
	StatusCodeUnset StatusCode = 0
	StatusCodeOK    StatusCode = 1
	StatusCodeError StatusCode = 2
)

// Logs is an ExportLogsServiceRequest, which has the same fields as
// LogsData.
type Logs struct {
	ResourceLogs []ResourceLogs
}

// ResourceLogs are the log records of one resource.
type ResourceLogs struct {
	Resource  Resource
	ScopeLogs []ScopeLogs
	SchemaURL string
}

// ScopeLogs are the log records of one instrumentation scope.
type ScopeLogs struct {
	Scope      *Scope // nil when absent, as in ScopeSpans
	LogRecords []LogRecord
	SchemaURL  string
}

// A LogRecord is one OTLP log record.
type LogRecord struct {
	TimeUnixNano           uint64
	ObservedTimeUnixNano   uint64
	SeverityNumber         SeverityNumber
	SeverityText           string
	Body                   Value
	Attributes             []KeyValue
	DroppedAttributesCount uint32
	Flags                  uint32
	TraceID                []byte
	SpanID                 []byte
	EventName              string
}

// A SeverityNumber is a log record's severity, 1 (TRACE) to 24 (FATAL4);
// 0 is unspecified.
type SeverityNumber int32

// A KeyValue is one attribute.
type KeyValue struct {
	Key   string
	Value Value
}
