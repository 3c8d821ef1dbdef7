// Package httpbody implements the byte-level handling that a Sentry ingest
// server applies to HTTP request bodies before any envelope or event parsing
// happens: Content-Encoding decoding, size limits measured on decoded bytes,
// the legacy /store/ body forms (plain JSON, base64, base64+zlib) and the
// repair of the non-standard JSON that old Python SDKs emit.
//
// The behaviour follows Relay, Sentry's ingest service, so that a server
// built on this package accepts and rejects the same requests:
//
//   - [NewReader] accepts exactly the Content-Encoding values Relay accepts
//     and fails with [ErrUnsupportedEncoding] (HTTP 415) for everything else.
//   - [ReadAll] and [LimitReader] count decoded bytes, so a small compressed
//     body that inflates to gigabytes stops at the limit with [ErrTooLarge]
//     (HTTP 413) after allocating no more than about the limit.
//   - [DecodeStore] turns a /store/ body into JSON bytes or fails with
//     [ErrInvalidBody] (HTTP 400, "invalid request body").
//   - [RepairPythonJSON] rewrites NaN, Infinity and oversized integers the
//     way Relay does for raven-python and sentry-python clients.
//
// Everything here is meant to run on untrusted input: no function panics on
// bad data, every error can be inspected with [errors.Is] and [errors.As],
// and memory use is bounded by the limits the caller passes in.
package httpbody
