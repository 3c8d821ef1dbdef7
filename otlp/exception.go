package otlp

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// The span event and attributes of OpenTelemetry's exception semantic
// conventions.
const (
	exceptionEventName  = "exception"
	attrExceptionType   = "exception.type"
	attrExceptionMsg    = "exception.message"
	attrExceptionStack  = "exception.stacktrace"
	attrExceptionEscape = "exception.escaped" // deprecated, still sent
)

// exceptionMechanism names how the error events are captured. Sentry's
// SDKs disagree: sentry-python's OTLP integration says "otlp",
// sentry-java's OpenTelemetry bridge "OpenTelemetrySpanEvent",
// sentry-dotnet's "SentryActivityProcessor.ErrorSpan". This converter is
// an OTLP receiver, as sentry-python's integration is an OTLP sender.
const exceptionMechanism = "otlp"

// errorEvents returns an error event for each exception event of span s,
// which converted to converted (ConvertSpan, normalized, with its segment
// assigned), so that exceptions OpenTelemetry records become issues.
// Relay drops span events; Sentry's SDKs that bridge OpenTelemetry
// (JavaScript, Java, .NET, Python) capture them as errors, each a little
// differently, and this follows them where they agree:
//
//   - An event counts when it is named "exception" and has a string
//     exception.type or exception.message, as the conventions require.
//   - The event holds one exception: exception.type as its type (for
//     Python and Java the package or module before the last dot goes to
//     its module, and for Go the import path before the last slash is
//     dropped, which is how those Sentry SDKs write types),
//     exception.message as its value, and exception.stacktrace parsed
//     into frames (see parseStacktrace), which is what Sentry groups by.
//   - Its mechanism is "otlp". handled is the opposite of
//     exception.escaped when the event has it: an exception that escaped
//     the span was not handled inside it (Python sends "True" and "False"
//     as strings). The attribute is deprecated, and without it handled is
//     left unknown rather than guessed.
//   - event_id is derived from the span's trace and span ids, the
//     event's index in the span and its time (see exceptionEventID), so
//     that an export that is retried gives the same events, which Sentry
//     drops as duplicates.
//   - timestamp is the event's time, else the span's end.
//   - platform, release, environment, sdk and the "otel" context are the
//     transaction's (see transactionEvent), taken from the span.
//   - transaction is the span's segment name (its root's name, when the
//     root was in the request), else the span's name.
//   - the trace context has the span's ids, op, status and origin, so
//     that the issue links to the span.
//   - the event's other attributes become extra, with their plain JSON
//     values.
//
// It returns nil if the span has no such event. Strings alias the span,
// as the converted span's do.
func errorEvents(s *Span, converted *protocol.SpanV2) []*protocol.Event {
	var out []*protocol.Event
	var base *errorBase
	for i := range s.Events {
		e := &s.Events[i]
		if e.Name != exceptionEventName {
			continue
		}
		x := readException(e.Attributes)
		if x.typ == "" && x.message == "" {
			continue
		}
		if base == nil {
			base = newErrorBase(s, converted)
		}
		out = append(out, base.event(s, i, e, &x))
	}
	return out
}

// exceptionAttrs are the exception attributes of a span event.
type exceptionAttrs struct {
	typ, message, stacktrace string
	escaped, escapedSet      bool
	others                   int // attributes that are none of the above
}

// readException reads the exception attributes; a repeated key takes the
// last value, as everywhere in the converter. The strings go into the
// event's JSON, frames included, so invalid UTF-8 (which only a hand-built
// span can hold) is replaced rather than left to fail the encoding.
func readException(kvs []KeyValue) exceptionAttrs {
	var x exceptionAttrs
	for _, kv := range kvs {
		switch kv.Key {
		case attrExceptionType:
			x.typ = validUTF8(kv.Value.Str())
		case attrExceptionMsg:
			x.message = validUTF8(kv.Value.Str())
		case attrExceptionStack:
			x.stacktrace = validUTF8(kv.Value.Str())
		case attrExceptionEscape:
			x.escaped, x.escapedSet = false, false
			switch v := kv.Value; v.Kind() {
			case KindBool:
				x.escaped, x.escapedSet = v.Bool(), true
			case KindString:
				if b, err := strconv.ParseBool(v.Str()); err == nil {
					x.escaped, x.escapedSet = b, true
				}
			}
		default:
			x.others++
		}
	}
	return x
}

// errorBase is what the error events of one span share, worked out once.
type errorBase struct {
	platform    string
	transaction string
	release     string
	environment string
	sdk         *protocol.ClientSDK
	trace       jsontext.Value
	otel        jsontext.Value
}

func newErrorBase(s *Span, converted *protocol.SpanV2) *errorBase {
	attrs := converted.Attributes
	b := &errorBase{
		platform:    txPlatform(txFirstStringAttr(attrs, "sentry.platform")),
		transaction: txFirstStringAttr(attrs, "sentry.segment.name"),
		release:     txRelease(attrs),
		environment: txEnvironment(attrs),
		sdk:         txSDK(attrs),
		otel:        txOtelContext(attrs),
	}
	if b.transaction == "" {
		b.transaction = converted.Name
	}
	if b.transaction == "" {
		b.transaction = s.Name
	}
	op, ok := attrString(attrs, "sentry.op")
	if !ok {
		op = inferOp(converted)
	}
	origin, _ := attrString(attrs, "sentry.origin")
	// A trace context of strings and ids cannot fail to encode.
	b.trace, _ = protocol.Marshal(protocol.TraceContext{
		TraceID:      protocol.TraceID(converted.TraceID),
		SpanID:       protocol.SpanID(converted.SpanID),
		ParentSpanID: protocol.SpanID(converted.ParentSpanID),
		Op:           op,
		Status:       v1Status(converted),
		Origin:       origin,
	})
	return b
}

// event builds the error event of s.Events[index], e, with attributes x.
func (b *errorBase) event(s *Span, index int, e *SpanEvent, x *exceptionAttrs) *protocol.Event {
	exc := protocol.Exception{
		Value:     protocol.JSONLenientString(x.message),
		Mechanism: &protocol.Mechanism{Type: exceptionMechanism},
	}
	exc.Type, exc.Module = splitExceptionType(b.platform, x.typ)
	if x.escapedSet {
		handled := !x.escaped
		exc.Mechanism.Handled = &handled
	}
	if x.stacktrace != "" {
		exc.Stacktrace = parseStacktrace(x.stacktrace)
	}

	ev := &protocol.Event{
		EventID:     exceptionEventID(s.TraceID, s.SpanID, index, e.TimeUnixNano),
		Type:        "error",
		Level:       protocol.LevelError,
		Platform:    b.platform,
		Transaction: b.transaction,
		Release:     protocol.LenientString(b.release),
		Environment: b.environment,
		Exception:   protocol.Values[protocol.Exception]{Values: []protocol.Exception{exc}},
		Contexts:    protocol.Contexts{"trace": b.trace},
	}
	switch {
	case e.TimeUnixNano != 0:
		ev.Timestamp = timestamp(e.TimeUnixNano)
	case s.EndTimeUnixNano != 0:
		ev.Timestamp = timestamp(s.EndTimeUnixNano)
	}
	if b.sdk != nil {
		sdk := *b.sdk
		ev.SDK = &sdk
	}
	if b.otel != nil {
		ev.Contexts["otel"] = b.otel
	}
	if x.others > 0 {
		ev.Extra = exceptionExtra(e.Attributes)
	}
	return ev
}

// splitExceptionType splits a fully qualified exception type the way the
// platform's Sentry SDK writes it: OpenTelemetry Python records
// "module.QualName" and Java the canonical class name, where Sentry's
// SDKs send the class name as the type and the rest as the module;
// OpenTelemetry Go records "import/path.Name" where Sentry's Go SDK sends
// the type as Go prints it, "path.Name". Other types are kept whole.
func splitExceptionType(platform, typ string) (string, string) {
	switch platform {
	case "python", "java":
		if i := strings.LastIndexByte(typ, '.'); i > 0 && i < len(typ)-1 {
			return typ[i+1:], typ[:i]
		}
	case "go":
		if i := strings.LastIndexByte(typ, '/'); i >= 0 && i < len(typ)-1 {
			return typ[i+1:], ""
		}
	}
	return typ, ""
}

// exceptionNamespace is the namespace of exceptionEventID,
// 1149b88c-909b-57c7-a6d7-83503261af34: the version 5 UUID of the URL
// "https://github.com/sentrywire/sentrywire/otlp/exception" in RFC 9562's
// URL namespace, so that error event ids never collide with transaction
// event ids.
var exceptionNamespace = [16]byte{
	0x11, 0x49, 0xb8, 0x8c, 0x90, 0x9b, 0x57, 0xc7,
	0xa6, 0xd7, 0x83, 0x50, 0x32, 0x61, 0xaf, 0x34,
}

// exceptionEventID returns the event id of the index-th event of a span,
// recorded at time ns: the version 5 UUID, in exceptionNamespace, of
// "<trace id>/<span id>/<index>/<ns>", ids in lower-case hex. The raw ids
// are used rather than the converted span's, because Relay replaces an
// invalid trace id with a random one. A span's events keep their order
// and times when a span is exported again, so the id is stable, and no
// two events of a span share it.
func exceptionEventID(traceID, spanID []byte, index int, ns uint64) envelope.EventID {
	var buf [32 + 1 + 16 + 1 + 20 + 1 + 20]byte
	b := hex.AppendEncode(buf[:0], traceID)
	b = append(b, '/')
	b = hex.AppendEncode(b, spanID)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(index), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, ns, 10)
	return txUUID5(exceptionNamespace, aliasString(b))
}

// exceptionExtra returns an event's attributes other than the exception
// ones, as an object of their plain JSON values in the order they came (a
// repeated key keeps its last value). It returns the zero Lazy if none of
// them has a value.
func exceptionExtra(kvs []KeyValue) protocol.Lazy[map[string]jsontext.Value] {
	// An event has a handful of attributes, which a scan for repeats
	// handles best; a long list (up to Limits.MaxAttributes) must not cost
	// quadratic time, so it records where each key last occurs.
	var last map[string]int
	if len(kvs) > 16 {
		last = make(map[string]int, len(kvs))
		for i, kv := range kvs {
			last[kv.Key] = i
		}
	}
	var a arena
	a.b = append(a.b, '{')
	n := 0
	for i, kv := range kvs {
		switch kv.Key {
		case attrExceptionType, attrExceptionMsg, attrExceptionStack, attrExceptionEscape:
			continue
		}
		if last != nil && last[kv.Key] != i || last == nil && repeated(kvs[i+1:], kv.Key) {
			continue
		}
		start := len(a.b)
		if n > 0 {
			a.b = append(a.b, ',')
		}
		a.b, _ = jsontext.AppendQuote(a.b, kv.Key)
		a.b = append(a.b, ':')
		if _, ok := a.attribute(kv.Value); !ok {
			a.b = a.b[:start]
			continue
		}
		n++
	}
	var extra protocol.Lazy[map[string]jsontext.Value]
	if n == 0 {
		return extra
	}
	a.b = append(a.b, '}')
	// Lazy is built from JSON by decoding it, which keeps the bytes.
	if err := extra.UnmarshalJSONFrom(jsontext.NewDecoder(bytes.NewReader(a.b))); err != nil {
		return protocol.Lazy[map[string]jsontext.Value]{}
	}
	return extra
}

// repeated reports whether key is among kvs.
func repeated(kvs []KeyValue, key string) bool {
	for _, kv := range kvs {
		if kv.Key == key {
			return true
		}
	}
	return false
}
