package otlp

import (
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// originLogs is the "sentry.origin" Relay gives every log that came in over
// OTLP, so that Sentry can tell them from the logs of its own SDKs. It is
// shared by every record: attribute values are never written to.
var originLogs = protocol.Attribute{Type: protocol.AttributeString, Value: jsontext.Value(`"auto.otlp.logs"`)}

// ConvertLog converts an OTLP log record into a Sentry log record as Relay
// does (relay-ourlogs, otel_to_sentry), given the resource and scope the
// record was sent under; either may be nil.
//
// The level comes from the severity number in OpenTelemetry's ranges (1-4
// trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal), else
// from the severity text ("information" and "warning" are accepted, in any
// case), else it is info. The severity number and text themselves, the
// flags, the event name and the observed time are not kept, as Relay does
// not keep them.
//
// A record without a valid trace id gets a random one, as Relay gives it
// one, because Sentry requires every log to belong to a trace; a record
// without a valid span id has none. Ids are written in lower-case hex.
//
// The attributes are "sentry.origin" = "auto.otlp.logs", then the
// resource's as "resource.<key>" and the scope's as "instrumentation.<key>",
// the scope's name and version as "instrumentation.name" and
// "instrumentation.version" when there is a scope, and last the record's
// own, each later one overwriting an earlier one of the same key. Values
// convert as for spans (see arena.attribute).
//
// Two cases differ from Relay, where Relay would lose what the record
// says. A record whose time is 0 takes its observed time, as
// OpenTelemetry's data model says a reader should, rather than the Unix
// epoch. And a body that is not a string is written as text (the JSON of
// a number, bool or array; the content of bytes or of a key-value list's
// JSON text) rather than left out, since Sentry requires a body.
//
// The strings of the result may alias those of r.
func ConvertLog(r *LogRecord, res *Resource, scope *Scope) protocol.Log {
	var a arena
	a.grow(80 + kvsSize(r.Attributes) + scopeSize(res, scope)) // ids and values, in one buffer
	// A lone record writes its resource and scope straight into its own
	// map: a base pays off only when records share it.
	n := len(r.Attributes) + 1 // origin
	if res != nil {
		n += len(res.Attributes)
	}
	if scope != nil {
		n += len(scope.Attributes) + 2
	}
	attrs := make(protocol.Attributes, n)
	a.putLogBase(attrs, res, scope)
	return a.fillLog(r, attrs)
}

// logBase returns the attributes every log record of a resource and scope
// starts with.
func (a *arena) logBase(res *Resource, scope *Scope) base {
	return newBase(func(m protocol.Attributes) { a.putLogBase(m, res, scope) })
}

// putLogBase puts into m the attributes every log record of a resource
// and scope starts with: "sentry.origin", then the resource's and scope's.
func (a *arena) putLogBase(m protocol.Attributes, res *Resource, scope *Scope) {
	m["sentry.origin"] = originLogs
	a.putScope(m, res, scope)
}

// convertLog is ConvertLog with the arena of the request, so that the
// records of one request share one buffer for their ids and attribute
// values, and the base of the record's resource and scope, so that their
// attributes are converted once per scope.
func convertLog(a *arena, b base, r *LogRecord) protocol.Log {
	return a.fillLog(r, b.attributes(len(r.Attributes)))
}

// fillLog converts a record whose attributes start as attrs, which holds
// its base.
func (a *arena) fillLog(r *LogRecord, attrs protocol.Attributes) protocol.Log {
	a.putAttributes(attrs, "", r.Attributes)

	ns := r.TimeUnixNano
	if ns == 0 {
		ns = r.ObservedTimeUnixNano
	}
	return protocol.Log{
		Timestamp:  timestamp(ns),
		TraceID:    a.traceID(r.TraceID),
		SpanID:     a.optionalSpanID(r.SpanID),
		Level:      logLevel(r.SeverityNumber, r.SeverityText),
		Body:       a.logBody(r.Body),
		Attributes: attrs,
	}
}

// logLevel maps a severity to a log level as Relay does: by the number's
// range, else by the text, else info.
func logLevel(n SeverityNumber, text string) protocol.LogLevel {
	switch {
	case n >= 1 && n <= 4:
		return protocol.LogTrace
	case n >= 5 && n <= 8:
		return protocol.LogDebug
	case n >= 9 && n <= 12:
		return protocol.LogInfo
	case n >= 13 && n <= 16:
		return protocol.LogWarn
	case n >= 17 && n <= 20:
		return protocol.LogError
	case n >= 21 && n <= 24:
		return protocol.LogFatal
	}
	switch {
	case strings.EqualFold(text, "trace"):
		return protocol.LogTrace
	case strings.EqualFold(text, "debug"):
		return protocol.LogDebug
	case strings.EqualFold(text, "warn"), strings.EqualFold(text, "warning"):
		return protocol.LogWarn
	case strings.EqualFold(text, "error"):
		return protocol.LogError
	case strings.EqualFold(text, "fatal"):
		return protocol.LogFatal
	}
	return protocol.LogInfo // also for "info" and "information"
}

// logBody returns a body as text: a string as it is (with invalid UTF-8,
// which only a hand-built record can hold, replaced, so that the log still
// encodes), any other value as the text its attribute would have, and
// nothing for an empty value or bytes that are not UTF-8.
func (a *arena) logBody(v Value) string {
	switch v.kind {
	case KindString:
		return validUTF8(v.str)
	case KindEmpty:
		return ""
	}
	attr, ok := a.attribute(v)
	if !ok {
		return ""
	}
	if attr.Type == protocol.AttributeString {
		// Bytes and key-value lists: the attribute holds a quoted
		// string, and the body is its content.
		s, _ := jsonString(attr.Value)
		return s
	}
	return aliasString(attr.Value) // the JSON of a number, bool or array
}
