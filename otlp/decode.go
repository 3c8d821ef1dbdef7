package otlp

import (
	"fmt"
	"mime"
	"strings"
)

// An Encoding is one of OTLP's two wire encodings.
type Encoding uint8

// The encodings.
const (
	// Protobuf is binary protobuf, "application/x-protobuf", what most
	// SDKs send by default.
	Protobuf Encoding = iota + 1
	// JSON is OTLP's JSON encoding, "application/json": protobuf's JSON
	// mapping with hex ids and integer enums.
	JSON
)

// The OTLP/HTTP content types.
const (
	ContentTypeProtobuf = "application/x-protobuf"
	ContentTypeJSON     = "application/json"
)

func (e Encoding) String() string {
	switch e {
	case Protobuf:
		return "protobuf"
	case JSON:
		return "json"
	}
	return "Encoding(" + fmt.Sprint(uint8(e)) + ")"
}

// ContentType returns the encoding's content type.
func (e Encoding) ContentType() string {
	if e == JSON {
		return ContentTypeJSON
	}
	return ContentTypeProtobuf
}

// ParseContentType returns the encoding of a Content-Type header. Media
// type parameters such as charset are ignored and the type is matched
// case-insensitively; anything but the two OTLP types, and Relay's
// "application/vnd.sentry.integration.otel.{spans,logs}+{json,protobuf}"
// integration types, is ErrUnsupportedContentType.
func ParseContentType(contentType string) (Encoding, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case ContentTypeProtobuf, "application/protobuf",
		"application/vnd.sentry.integration.otel.spans+protobuf",
		"application/vnd.sentry.integration.otel.logs+protobuf":
		return Protobuf, nil
	case ContentTypeJSON,
		"application/vnd.sentry.integration.otel.spans+json",
		"application/vnd.sentry.integration.otel.logs+json":
		return JSON, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnsupportedContentType, contentType)
}

// DecodeTraces decodes an ExportTraceServiceRequest (or TracesData, which
// is the same message) in the given encoding, checking the limits as it
// goes. Strings and bytes of the result alias data, which must not be
// modified while the result is in use.
//
// Errors are a *DecodeError for malformed input and a *LimitError for
// input over the limits.
func DecodeTraces(data []byte, enc Encoding, opts ...Option) (*Traces, error) {
	o := buildOptions(opts)
	switch enc {
	case Protobuf:
		return decodeTracesProto(data, &o.limits)
	case JSON:
		return decodeTracesJSON(data, &o.limits)
	}
	return nil, fmt.Errorf("otlp: %w: encoding %v", ErrUnsupportedContentType, enc)
}

// DecodeLogs decodes an ExportLogsServiceRequest (or LogsData) as
// DecodeTraces decodes traces.
func DecodeLogs(data []byte, enc Encoding, opts ...Option) (*Logs, error) {
	o := buildOptions(opts)
	switch enc {
	case Protobuf:
		return decodeLogsProto(data, &o.limits)
	case JSON:
		return decodeLogsJSON(data, &o.limits)
	}
	return nil, fmt.Errorf("otlp: %w: encoding %v", ErrUnsupportedContentType, enc)
}
