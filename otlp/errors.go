package otlp

import (
	"errors"
	"fmt"
	"strconv"
)

// The sentinel errors. Every error of the package wraps one of them, so
// errors.Is tells what kind of problem a request had.
var (
	// ErrInvalidProtobuf is matched by a *DecodeError of protobuf input.
	ErrInvalidProtobuf = errors.New("invalid OTLP protobuf")
	// ErrInvalidJSON is matched by a *DecodeError of JSON input.
	ErrInvalidJSON = errors.New("invalid OTLP JSON")
	// ErrLimitExceeded is matched by a *LimitError.
	ErrLimitExceeded = errors.New("OTLP limit exceeded")
	// ErrUnsupportedContentType reports a request whose Content-Type is
	// neither OTLP encoding. OTLP/HTTP answers it with 415.
	ErrUnsupportedContentType = errors.New("unsupported content type")
	// ErrInvalidSpanID reports a span or link whose span id is not 8
	// bytes, or is all zeros. Relay drops such a span.
	ErrInvalidSpanID = errors.New("invalid span id")
	// ErrInvalidTraceID reports a trace id that is not 16 bytes, or is all
	// zeros. Relay gives spans and logs with one a random trace id; links
	// with one are dropped.
	ErrInvalidTraceID = errors.New("invalid trace id")
)

// A DecodeError reports input that is not a valid OTLP message: what was
// wrong and where, both as a byte offset and as a path of OTLP JSON field
// names and indexes ("/resourceSpans/0/scopeSpans/1/spans/3/traceId"),
// which reads the same for both encodings.
type DecodeError struct {
	Encoding Encoding
	// Path is where in the message the problem is, as a JSON pointer over
	// OTLP's JSON names; "" is the whole message.
	Path string
	// Offset is the byte offset in the input where the problem was found.
	Offset int64
	// Err says what was wrong.
	Err error
}

func (e *DecodeError) Error() string {
	s := "otlp: " + e.sentinel().Error() + " at byte " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " (" + e.Path + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DecodeError) sentinel() error {
	if e.Encoding == JSON {
		return ErrInvalidJSON
	}
	return ErrInvalidProtobuf
}

// Unwrap returns the encoding's sentinel and the cause, so both
// errors.Is(err, ErrInvalidJSON) and errors.As on the cause work.
func (e *DecodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.sentinel()}
	}
	return []error{e.sentinel(), e.Err}
}

// A LimitError reports a request over one of its Limits.
type LimitError struct {
	// Limit names the field of Limits, such as "MaxSpans".
	Limit string
	// Path is where the limit was passed, as in DecodeError; "" for the
	// body.
	Path string
	// Value is what was seen, a size or a count; it may be a lower bound
	// when counting stopped at the limit.
	Value int64
	// Max is the limit.
	Max int64
}

func (e *LimitError) Error() string {
	s := fmt.Sprintf("otlp: %s is %d, got %d", e.Limit, e.Max, e.Value)
	if e.Path != "" {
		s += " at " + e.Path
	}
	return s
}

// Unwrap makes errors.Is(err, ErrLimitExceeded) true.
func (e *LimitError) Unwrap() error { return ErrLimitExceeded }
