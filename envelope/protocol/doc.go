// Package protocol decodes the payloads of envelope items into Go values:
// events and transactions, sessions, check-ins, client reports, user
// feedback, and the log and span containers. It accepts every shape Relay,
// Sentry's ingest service, accepts, because SDKs disagree: a list or
// {"values": [...]}, tags as an object or as pairs, numbers or strings for
// ids, timestamps as numbers or RFC 3339 strings.
//
// DecodeItem decodes any item by its type; DecodeEvent, DecodeTransaction,
// DecodeSession, DecodeCheckIn, DecodeLogs and their siblings decode one
// kind of payload.
//
// Decoding is cheap. Strings without escapes alias the payload instead of
// copying it, parts that are costly and rarely needed (breadcrumbs,
// threads, extra, request, debug_meta, spans) stay JSON until asked for
// (see Lazy), and keys a type does not name are kept, so a decoded value
// marshals back (see Marshal) with every field it came with, except
// values that are zero or were ignored with a Warning. Strings alias the
// payload only under the package's own decoding functions; the types'
// UnmarshalJSONFrom methods, used by json.UnmarshalRead say, copy.
//
// Event-like payloads are lenient as Relay is: a value of the wrong type is
// ignored and reported as a Warning, not an error. Sessions, check-ins and
// client reports are strict, as in Relay, and fail with a *DecodeError.
package protocol
