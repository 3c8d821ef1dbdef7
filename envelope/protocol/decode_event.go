package protocol

import (
	"errors"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// The errors of a DecodeError for a payload that is not an event at all.
var (
	errEmptyEvent     = errors.New("empty payload")
	errEventNotObject = errors.New("payload is not a JSON object")
)

// DecodeEvent decodes the payload of an "event" or "transaction" item, or
// the body of a /store/ request, as Relay reads it.
//
// Decoding is lenient: a value of the wrong type is left out of the Event
// and listed in its Warnings, and the rest is decoded. Only an empty
// payload, a payload that is not a JSON object, or malformed JSON is a
// *DecodeError. The smallest valid event is {}.
//
// The Event aliases payload: its unescaped strings and its Lazy and raw
// JSON parts point into it, so payload must not be modified while the
// Event is in use. Copy the payload first to keep the Event longer than
// a reused buffer.
func DecodeEvent(payload []byte) (*Event, error) {
	first := firstByte(payload)
	switch first {
	case 0:
		return nil, &DecodeError{Type: envelope.TypeEvent, Err: errEmptyEvent}
	case '{':
	default:
		return nil, &DecodeError{Type: envelope.TypeEvent, Err: errEventNotObject}
	}
	ev := new(Event)
	w, err := decode(envelope.TypeEvent, payload, ev, true)
	if err != nil {
		return nil, err
	}
	ev.Warnings = w
	return ev, nil
}

// firstByte returns the first byte that is not JSON whitespace, or 0.
func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// Exceptions returns the event's exceptions, oldest cause first and the
// error that was caught last, whichever shape the SDK sent them in.
func (e *Event) Exceptions() []Exception { return e.Exception.Values }

// LogMessage returns the event's message: "logentry" if the event has
// one, else its legacy alias "message", else nil. Relay lets the canonical
// name win when both are sent.
func (e *Event) LogMessage() *LogEntry {
	if e.LogEntry != nil && !e.LogEntry.IsZero() {
		return e.LogEntry
	}
	if e.Message != nil && !e.Message.IsZero() {
		return e.Message
	}
	return nil
}

// A LogEntry is an event's message: "logentry", or the older "message".
// A message with parameters keeps the template in Message and the values
// in Params; Formatted is the message with the parameters filled in, or
// the whole message when the SDK sent only a string.
type LogEntry struct {
	// Message is the template, such as "user %s not found".
	Message string `json:"message,omitzero"`
	// Formatted is the final text.
	Formatted string `json:"formatted,omitzero"`
	// Params are the template's parameters: a list for positional ones,
	// an object for named ones.
	Params LogParams `json:"params,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// IsZero reports whether the entry is empty, as after "message": false,
// which Relay ignores; omitzero then leaves it out when marshaling.
func (l *LogEntry) IsZero() bool {
	return l == nil || l.Message == "" && l.Formatted == "" && len(l.Params) == 0 && len(l.Other) == 0
}

// plainLogEntry is LogEntry without its methods, for the default
// unmarshaling.
type plainLogEntry LogEntry

// UnmarshalJSONFrom accepts every shape Relay's "message" alias accepts:
// an object; a string, which becomes Formatted; false, which is no
// message; and any other value, whose JSON text becomes Formatted.
func (l *LogEntry) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '{':
		var p plainLogEntry
		if err := json.UnmarshalDecode(dec, &p); err != nil {
			return err
		}
		*l = LogEntry(p)
		return nil
	case '"':
		*l = LogEntry{}
		return readString(dec, &l.Formatted)
	case 'n':
		*l = LogEntry{}
		return dec.SkipValue()
	case 'f':
		*l = LogEntry{}
		return dec.SkipValue()
	}
	text, err := jsonText(dec)
	*l = LogEntry{Formatted: text}
	return err
}

// LogParams are the parameters of a LogEntry, kept as sent: a JSON list or
// object. Relay rejects any other kind, and so does UnmarshalJSONFrom.
type LogParams jsontext.Value

// UnmarshalJSONFrom accepts a list or an object.
func (p *LogParams) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '[', '{':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		*p = LogParams(v.Clone())
		return nil
	case 'n':
		*p = nil
		return dec.SkipValue()
	}
	return &json.SemanticError{Err: errors.New("want a list or an object of parameters")}
}

// MarshalJSONTo writes the parameters as they were sent.
func (p LogParams) MarshalJSONTo(enc *jsontext.Encoder) error {
	if len(p) == 0 {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteValue(jsontext.Value(p))
}

// acceptsKind tells the lenient decoder which kinds UnmarshalJSONFrom takes.
func (*LogEntry) acceptsKind(jsontext.Kind) bool { return true }

func (*LogParams) acceptsKind(k jsontext.Kind) bool { return k == '[' || k == '{' }
