package otlp

// Limits bound what one request may hold. The decoders check them while
// they decode, so an oversized request fails early and never costs more
// memory than its limits allow. A zero field means no limit.
type Limits struct {
	// MaxBodySize is the size of a request body after its
	// Content-Encoding is undone, in bytes. ReadRequest checks it.
	MaxBodySize int64
	// MaxSpans is the number of spans in one trace request.
	MaxSpans int
	// MaxLogRecords is the number of records in one logs request.
	MaxLogRecords int
	// MaxAttributes is the number of attributes of one resource, scope,
	// span, span event, link or log record, and the number of elements of
	// one array or key-value list value.
	MaxAttributes int
	// MaxValueLength is the length in bytes of one attribute key, string
	// value or bytes value.
	MaxValueLength int
	// MaxDepth is how deeply array and key-value list values may nest; a
	// scalar attribute has depth 1.
	MaxDepth int
}

// DefaultLimits returns limits that admit what OpenTelemetry SDKs send
// with their default settings by a wide margin: a 12 MiB body (Relay's
// max_container_size, the limit of its OTLP endpoints), 100,000 spans or
// log records, 10,000 attributes, 1 MiB values and a depth of 64.
func DefaultLimits() Limits {
	return Limits{
		MaxBodySize:    12 << 20,
		MaxSpans:       100_000,
		MaxLogRecords:  100_000,
		MaxAttributes:  10_000,
		MaxValueLength: 1 << 20,
		MaxDepth:       64,
	}
}

// An Option configures decoding.
type Option func(*options)

type options struct {
	limits Limits
}

// WithLimits sets the limits; the default is DefaultLimits.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

func buildOptions(opts []Option) options {
	o := options{limits: DefaultLimits()}
	for _, f := range opts {
		f(&o)
	}
	return o
}
