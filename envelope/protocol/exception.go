package protocol

import (
	"errors"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// An Exception is one error of an event's "exception" list. A chained
// error (a Go error wrapping another, a JavaScript cause, a Python
// __cause__) is sent as several Exceptions, ordered oldest to newest: the
// last one is the error that was caught. Mechanism.ExceptionID and
// Mechanism.ParentID say how they link when the SDK sends them.
type Exception struct {
	// Type is the error's class or type name, such as "TypeError" or
	// "*fmt.wrapError". Relay keeps an exception only if Type or Value
	// is set.
	Type string `json:"type,omitzero"`
	// Value is the error's message.
	Value JSONLenientString `json:"value,omitzero"`
	// Module is the package or module the type belongs to.
	Module string `json:"module,omitzero"`
	// ThreadID names the thread that raised the error, matching Thread.ID.
	ThreadID ThreadID `json:"thread_id,omitzero"`
	// Mechanism says how the error was captured.
	Mechanism *Mechanism `json:"mechanism,omitzero"`
	// Stacktrace is where the error was raised, caller first.
	Stacktrace *Stacktrace `json:"stacktrace,omitzero"`
	// RawStacktrace is the stack trace before symbolication or source
	// mapping, when a processor replaced Stacktrace.
	RawStacktrace *Stacktrace `json:"raw_stacktrace,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A Mechanism says how an exception was captured: by which integration,
// and whether the program handled it. It also carries the links of an
// exception group or chain.
type Mechanism struct {
	// Type names the capturing mechanism: "generic", "chained",
	// "onunhandledrejection", "django", a signal handler's name... Relay
	// requires it, but this package does not: it decodes, it does not
	// validate.
	Type string `json:"type,omitzero"`
	// Synthetic marks an exception the SDK made up (for a message, say),
	// whose type and stack trace are not those of a real error, so that
	// grouping does not use them.
	Synthetic *bool `json:"synthetic,omitzero"`
	// Description is a human-readable note on the mechanism.
	Description string `json:"description,omitzero"`
	// HelpLink points at documentation about the error.
	HelpLink string `json:"help_link,omitzero"`
	// Handled is false when the error reached a global handler, that is,
	// crashed the program or the request. Nil means unknown.
	Handled *bool `json:"handled,omitzero"`
	// Source is where in its parent the exception was found: "cause",
	// "__context__", "unwrap", "errors[0]"...
	Source string `json:"source,omitzero"`
	// IsExceptionGroup marks an exception that only groups others (a
	// Python ExceptionGroup, a JavaScript AggregateError).
	IsExceptionGroup *bool `json:"is_exception_group,omitzero"`
	// ExceptionID numbers the exception within the event, so that others
	// can name it as their parent. Zero is a valid id (usually the
	// outermost error), so absence is nil.
	ExceptionID *int64 `json:"exception_id,omitzero"`
	// ParentID is the ExceptionID of the exception this one is the cause
	// or member of.
	ParentID *int64 `json:"parent_id,omitzero"`
	// Data is free-form data the mechanism attaches.
	Data map[string]jsontext.Value `json:"data,omitzero"`
	// Meta holds operating-system error details: "signal", "mach_exception",
	// "ns_error", "errno". It is kept as sent.
	Meta map[string]jsontext.Value `json:"meta,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// JSONLenientString is Relay's JsonLenientString, the type of an
// exception's value: a string is taken as it is, and any other JSON value
// (SDKs send objects for structured errors) becomes its JSON text. It
// always marshals as a string.
type JSONLenientString string

func (*JSONLenientString) acceptsKind(jsontext.Kind) bool { return true }

// UnmarshalJSONFrom accepts every JSON value; null is the empty string.
func (s *JSONLenientString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '"':
		var str string
		if err := readString(dec, &str); err != nil {
			return err
		}
		*s = JSONLenientString(str)
		return nil
	case 'n':
		*s = ""
		return dec.SkipValue()
	}
	text, err := jsonText(dec)
	*s = JSONLenientString(text)
	return err
}

// A ThreadID identifies a thread, as Relay's ThreadId: SDKs send an
// integer, or a string where the runtime names threads by a string. A
// string stays a string even when it holds digits, so "42" and 42 are
// different ids and each marshals back as it came.
type ThreadID struct {
	num   uint64
	str   string
	isStr bool
	set   bool
}

// ThreadIDInt returns the ThreadID for an integer id.
func ThreadIDInt(n uint64) ThreadID { return ThreadID{num: n, set: true} }

// ThreadIDString returns the ThreadID for a string id.
func ThreadIDString(s string) ThreadID { return ThreadID{str: s, isStr: true, set: true} }

// Int returns the id and true if it was sent as an integer.
func (id ThreadID) Int() (uint64, bool) { return id.num, id.set && !id.isStr }

// String returns the id as text, whichever form it was sent in, so that
// ids can be compared and printed without caring about the form.
func (id ThreadID) String() string {
	switch {
	case !id.set:
		return ""
	case id.isStr:
		return id.str
	}
	return strconv.FormatUint(id.num, 10)
}

// IsZero reports whether the id is absent, for omitzero.
func (id ThreadID) IsZero() bool { return !id.set }

// UnmarshalJSONFrom accepts a non-negative integer or a string.
func (id *ThreadID) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		*id = ThreadID{}
		return dec.SkipValue()
	case '"':
		var s string
		if err := readString(dec, &s); err != nil {
			return err
		}
		*id = ThreadIDString(s)
		return nil
	case '0':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return &json.SemanticError{Err: errors.New("want a non-negative integer thread id")}
		}
		*id = ThreadIDInt(n)
		return nil
	}
	return &json.SemanticError{Err: errors.New("want an integer or a string thread id")}
}

// MarshalJSONTo writes the id in the form it was sent in.
func (id ThreadID) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch {
	case !id.set:
		return enc.WriteToken(jsontext.Null)
	case id.isStr:
		return enc.WriteToken(jsontext.String(id.str))
	}
	return enc.WriteToken(jsontext.Uint(id.num))
}
