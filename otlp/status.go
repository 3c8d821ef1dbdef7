package otlp

import "github.com/sentrywire/sentrywire/envelope/protocol"

// A span v2 (and an OTLP span) only says whether it failed; the older span
// format says how, with one of Sentry's seventeen statuses. Relay refines
// an error with the HTTP or gRPC status code the span recorded, from the
// two tables of its status_codes module, below.

// httpStatus returns the span status Relay gives an HTTP status code,
// and false for codes its table leaves out (most of them, 2xx included).
func httpStatus(code int64) (protocol.SpanStatus, bool) {
	switch code {
	case 400:
		return protocol.SpanStatusFailedPrecondition, true
	case 401:
		return protocol.SpanStatusUnauthenticated, true
	case 403:
		return protocol.SpanStatusPermissionDenied, true
	case 404:
		return protocol.SpanStatusNotFound, true
	case 409:
		return protocol.SpanStatusAborted, true
	case 429:
		return protocol.SpanStatusResourceExhausted, true
	case 499:
		return protocol.SpanStatusCancelled, true
	case 500:
		return protocol.SpanStatusInternalError, true
	case 501:
		return protocol.SpanStatusUnimplemented, true
	case 503:
		return protocol.SpanStatusUnavailable, true
	case 504:
		return protocol.SpanStatusDeadlineExceeded, true
	}
	return "", false
}

// grpcStatuses are the span statuses of gRPC codes 1 to 16, which are the
// statuses in the same order: Sentry took its statuses from gRPC. (Relay's
// table spells code 2 "unknown_error", an alias of "unknown".) Code 0, OK,
// is not in Relay's table.
var grpcStatuses = [...]protocol.SpanStatus{
	protocol.SpanStatusCancelled, protocol.SpanStatusUnknown, protocol.SpanStatusInvalidArgument,
	protocol.SpanStatusDeadlineExceeded, protocol.SpanStatusNotFound, protocol.SpanStatusAlreadyExists,
	protocol.SpanStatusPermissionDenied, protocol.SpanStatusResourceExhausted,
	protocol.SpanStatusFailedPrecondition, protocol.SpanStatusAborted, protocol.SpanStatusOutOfRange,
	protocol.SpanStatusUnimplemented, protocol.SpanStatusInternalError, protocol.SpanStatusUnavailable,
	protocol.SpanStatusDataLoss, protocol.SpanStatusUnauthenticated,
}

// grpcStatus returns the span status Relay gives a gRPC status code, and
// false for codes outside 1 to 16.
func grpcStatus(code int64) (protocol.SpanStatus, bool) {
	if code < 1 || code > int64(len(grpcStatuses)) {
		return "", false
	}
	return grpcStatuses[code-1], true
}

// v1Status returns the status of the older span format for a span v2, as
// Relay's v2-to-v1 conversion resolves it:
//
//  1. a span v2 status of "ok" is ok, whatever codes it recorded;
//  2. an HTTP status code in the HTTP table gives that status;
//  3. a gRPC status code in the gRPC table gives that status;
//  4. a status of "error" is internal_error;
//  5. anything else (no status) is unknown.
//
// The HTTP code is http.status_code or, when that is absent,
// http.response.status_code, the current convention's name. Relay's
// v2-to-v1 conversion reads only http.status_code, so an error span that
// recorded just the current name is internal_error there and, say,
// not_found here: OpenTelemetry SDKs have written only the current name
// since semantic conventions 1.23, and the older span format exists here
// for hosts that store transactions, which Relay never builds from OTLP.
// Codes must be JSON integers.
func v1Status(s *protocol.SpanV2) protocol.SpanStatus {
	if s.Status == protocol.SpanV2OK {
		return protocol.SpanStatusOK
	}
	code, ok := attrInt(s.Attributes, "http.status_code")
	if !ok {
		code, ok = attrInt(s.Attributes, "http.response.status_code")
	}
	if ok {
		if st, ok := httpStatus(code); ok {
			return st
		}
	}
	if code, ok := attrInt(s.Attributes, "rpc.grpc.status_code"); ok {
		if st, ok := grpcStatus(code); ok {
			return st
		}
	}
	if s.Status == protocol.SpanV2Error {
		return protocol.SpanStatusInternalError
	}
	return protocol.SpanStatusUnknown
}

// attrInt returns an attribute's value if it is a JSON integer.
func attrInt(attrs protocol.Attributes, key string) (int64, bool) {
	a, ok := attrs[key]
	if !ok || a.Value.Kind() != '0' {
		return 0, false
	}
	return a.Int()
}
