package envelope

import (
	"errors"
	"fmt"
	"strconv"
)

// The framing errors, named after Relay's EnvelopeError variants. Their text
// is Relay's Display text, which Sentry SDKs and Relay's own error responses
// ("causes") carry, so a host can answer with the exact strings Relay would.
//
// Parse and Reader never return these directly: they return a *SyntaxError
// that wraps one of them and says where the problem is. Test with errors.Is.
var (
	// ErrMissingHeader reports a body that is empty or only whitespace.
	ErrMissingHeader = errors.New("missing envelope header")
	// ErrInvalidHeader reports an envelope header that is not a JSON object
	// or whose known fields (event_id, dsn, sent_at, ...) have a wrong value.
	ErrInvalidHeader = errors.New("invalid envelope header")
	// ErrMissingNewline reports a byte other than "\n" right after a header
	// or after a payload of explicit length.
	ErrMissingNewline = errors.New("missing newline after header or payload")
	// ErrUnexpectedEOF reports an item header that was expected but not found
	// (only whitespace remained), or a payload whose declared length runs
	// past the end of the input.
	ErrUnexpectedEOF = errors.New("unexpected end of file")
	// ErrInvalidItemHeader reports an item header that is not a JSON object,
	// lacks a string "type", or has a known field of the wrong type.
	ErrInvalidItemHeader = errors.New("invalid item header")
	// ErrLimitExceeded is wrapped by every *LimitError.
	ErrLimitExceeded = errors.New("envelope exceeded size limits")
)

// A SyntaxError describes malformed envelope framing: which rule was broken
// (Err, one of the sentinel errors above), in which part of the envelope
// (Item), and at which byte of the input (Offset).
type SyntaxError struct {
	// Err is the Relay error: ErrMissingHeader, ErrInvalidHeader,
	// ErrMissingNewline, ErrUnexpectedEOF or ErrInvalidItemHeader.
	Err error
	// Item is the zero-based index of the item being read, or -1 when the
	// problem is in the envelope header.
	Item int
	// Offset is the byte offset in the input where the problem was found.
	Offset int64
	// Field names the header field at fault, if any.
	Field string
	// Cause is the underlying error (for example a JSON syntax error), or nil.
	Cause error
}

func (e *SyntaxError) Error() string {
	b := []byte("envelope: ")
	if e.Item < 0 {
		b = append(b, "header"...)
	} else {
		b = append(b, "item "...)
		b = strconv.AppendInt(b, int64(e.Item), 10)
	}
	b = append(b, " at byte "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	b = append(b, ": "...)
	b = append(b, e.Err.Error()...)
	if e.Field != "" {
		b = append(b, ": field "...)
		b = strconv.AppendQuote(b, e.Field)
	}
	if e.Cause != nil {
		b = append(b, ": "...)
		b = append(b, e.Cause.Error()...)
	}
	return string(b)
}

// Unwrap returns both the Relay error and the cause, so errors.Is matches
// either.
func (e *SyntaxError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// A LimitError reports that an envelope went over one of its Limits. Relay
// rejects the whole envelope in that case and answers 413.
type LimitError struct {
	// Limit is the name of the limit in Relay's configuration, for example
	// "max_event_size" or "max_attachment_count"; for the counts Relay fixes
	// at one per envelope it names what was counted, as "event items" or
	// "log items"; "max_header_size" is this package's own.
	Limit string
	// Type is the item type charged, or "" for whole-envelope limits.
	Type ItemType
	// Item is the index of the item that went over, or -1.
	Item int
	// Offset is the byte offset of that item's header in the input, or of
	// the first byte past the limit for whole-envelope limits.
	Offset int64
	// Value is what was seen: a size in bytes or a count.
	Value int64
	// Max is the limit.
	Max int64
}

func (e *LimitError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("envelope exceeded size limits for type '%s': item %d at byte %d: %s is %d, got %d",
			e.Type, e.Item, e.Offset, e.Limit, e.Max, e.Value)
	}
	return fmt.Sprintf("envelope exceeded size limits: %s is %d, got %d", e.Limit, e.Max, e.Value)
}

// Unwrap makes errors.Is(err, ErrLimitExceeded) true.
func (e *LimitError) Unwrap() error { return ErrLimitExceeded }
