package otlp

import (
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"google.golang.org/protobuf/encoding/protowire"
)

// The two response messages of OTLP/HTTP are small enough to write by
// hand, field by field, in either encoding:
//
//	Export{Trace,Logs}ServiceResponse { partial_success = 1 }
//	  Export{Trace,Logs}PartialSuccess { rejected_{spans,log_records} = 1 (int64), error_message = 2 }
//	google.rpc.Status { code = 1 (int32), message = 2, details = 3 (unused) }
//
// Proto3 leaves out fields that have their zero value, in the binary
// encoding and in JSON alike, so a full success is an empty message.

// appendExportResponse appends the export response of a signal: empty for
// full success, else a partial_success with the rejected count and the
// message.
func appendExportResponse(b []byte, enc Encoding, sig Signal, rejected int64, message string) []byte {
	message = validUTF8(message) // it may quote a piece of a malformed request
	if rejected == 0 && message == "" {
		if enc == Protobuf {
			return b
		}
		return append(b, "{}"...)
	}
	if enc == Protobuf {
		n := 0
		if rejected != 0 {
			n += protowire.SizeTag(1) + protowire.SizeVarint(uint64(rejected))
		}
		if message != "" {
			n += protowire.SizeTag(2) + protowire.SizeBytes(len(message))
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(n))
		if rejected != 0 {
			b = protowire.AppendTag(b, 1, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(rejected)) // int64 is not zigzag-encoded
		}
		if message != "" {
			b = protowire.AppendTag(b, 2, protowire.BytesType)
			b = protowire.AppendString(b, message)
		}
		return b
	}
	b = append(b, `{"partialSuccess":{`...)
	if rejected != 0 {
		if sig == SignalLogs {
			b = append(b, `"rejectedLogRecords":"`...)
		} else {
			b = append(b, `"rejectedSpans":"`...)
		}
		// Proto3 JSON writes 64-bit integers as strings.
		b = strconv.AppendInt(b, rejected, 10)
		b = append(b, '"')
		if message != "" {
			b = append(b, ',')
		}
	}
	if message != "" {
		b = append(b, `"errorMessage":`...)
		b, _ = jsontext.AppendQuote(b, message)
	}
	return append(b, "}}"...)
}

// appendStatus appends a google.rpc.Status.
func appendStatus(b []byte, enc Encoding, code int32, message string) []byte {
	message = validUTF8(message)
	if enc == Protobuf {
		if code != 0 {
			b = protowire.AppendTag(b, 1, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(int64(code)))
		}
		if message != "" {
			b = protowire.AppendTag(b, 2, protowire.BytesType)
			b = protowire.AppendString(b, message)
		}
		return b
	}
	// The code is never zero here; an empty message is still written, so
	// that a reader need not know proto3's rule for absent fields. A
	// 32-bit integer is a JSON number, unlike a 64-bit one.
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	b, _ = jsontext.AppendQuote(b, message)
	return append(b, '}')
}

// The gRPC status codes an OTLP/HTTP error carries.
const (
	codeUnknown           = 2
	codeInvalidArgument   = 3
	codeDeadlineExceeded  = 4
	codeNotFound          = 5
	codePermissionDenied  = 7
	codeResourceExhausted = 8
	codeUnimplemented     = 12
	codeInternal          = 13
	codeUnavailable       = 14
	codeUnauthenticated   = 16
)

// grpcCode returns the gRPC code of an HTTP status, as Relay's OTLP
// endpoints choose it.
func grpcCode(status int) int32 {
	switch status {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return codeInvalidArgument
	case http.StatusUnauthorized:
		return codeUnauthenticated
	case http.StatusForbidden:
		return codePermissionDenied
	case http.StatusNotFound:
		return codeNotFound
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return codeResourceExhausted
	case http.StatusNotImplemented:
		return codeUnimplemented
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return codeUnavailable
	case http.StatusGatewayTimeout:
		return codeDeadlineExceeded
	}
	if status >= 500 && status <= 599 {
		return codeInternal
	}
	return codeUnknown
}
