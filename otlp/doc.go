// Package otlp converts OpenTelemetry traffic (OTLP/HTTP traces and logs,
// in protobuf or JSON) into Sentry's data: span v2 records, log records,
// and optionally transaction and error events, so that a host can serve
// OpenTelemetry exporters and Sentry SDKs on one pipeline.
//
// Conversion follows Relay, Sentry's ingest service, which accepts OTLP on
// /api/{project}/integration/otlp/v1/{traces,logs}: every OTLP span becomes
// one span v2 with typed attributes ("resource.*" and "instrumentation.*"
// for its resource and scope, "sentry.origin" "auto.otlp.spans",
// "sentry.platform" from the SDK language, "sentry.kind",
// "sentry.status.message", "sentry.is_remote") and a status of "ok" or
// "error", then is normalized as Relay normalizes it before storing
// ("sentry.op" inferred from the HTTP, database, gen_ai, RPC, messaging and
// FaaS conventions, segments). SpanToV1 gives the older span of a
// transaction, with the op, description and status Relay derives (the HTTP
// and gRPC status code tables). Log records map severity to level as
// Relay does.
//
// Beyond Relay, ConvertTraces can build a transaction event for each
// complete span tree in a request (WithTransactions) and an error event,
// with a parsed stack trace, for each exception span event
// (WithErrorEvents), for hosts that group errors or store transactions.
// Result.Envelopes packs a result into the envelopes an SDK would send, so
// converted data joins SDK traffic in one pipeline.
//
// On an ingest server's hot path, AppendSpans and AppendLogs write the
// span v2 and log container payloads straight from the decoded request:
// the same records as ConvertTraces and ConvertLogs give, without
// building a map of typed attributes per record, which costs more than
// decoding the request. Decoding plus AppendSpans takes less than half
// the time of proto.Unmarshal into the generated types alone.
//
// Decoding is separate from conversion. DecodeTraces and DecodeLogs read
// both encodings into one model (Traces, Logs) that mirrors OTLP's
// messages; the protobuf decoder works at the wire level and both alias
// their input rather than copying strings, and both check Limits as they
// go. ReadRequest, WriteResponse and WriteError speak OTLP/HTTP: content
// types, Content-Encoding, partial success and google.rpc.Status errors.
package otlp
