package fingerprint

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors that Parse, ParseJSON and Builtin wrap, for errors.Is.
var (
	// ErrSyntax is text that Sentry's grammar does not accept.
	ErrSyntax = errors.New("invalid syntax")
	// ErrUnknownMatcher is a matcher key Sentry does not know, such as
	// "transaction" (which is tags.transaction) or "category" (an
	// enhancement matcher).
	ErrUnknownMatcher = errors.New("unknown matcher")
	// ErrUnknownAttribute is a key=value pair other than title="...".
	ErrUnknownAttribute = errors.New("unknown attribute")
	// ErrUnknownVersion is a JSON config whose version is not 1.
	ErrUnknownVersion = errors.New("unknown version")
	// ErrMalformed is JSON that is not a fingerprinting config.
	ErrMalformed = errors.New("malformed fingerprinting config")
	// ErrUnknownBuiltin is a built-in base name this package does not have.
	ErrUnknownBuiltin = errors.New("unknown built-in fingerprinting rules")
)

// A SyntaxError reports where rule text went wrong. Line and Column are
// 1-based and count characters (code points), as Sentry does; Near is
// Sentry's excerpt of the text from that point, at most 32 characters
// followed by "..." if cut. Err is ErrSyntax, or wraps ErrUnknownMatcher
// or ErrUnknownAttribute (Sentry reports those two without a position;
// here Line and Column point at the key).
type SyntaxError struct {
	Line, Column int
	Near         string
	Err          error
}

// Error is Sentry's message, with the position added where Sentry has
// none: `Invalid syntax near "x" (line 1, column 1)`,
// `Unknown matcher 'x' (line 1, column 1)`.
func (e *SyntaxError) Error() string {
	pos := " (line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ")"
	if errors.Is(e.Err, ErrSyntax) {
		return `Invalid syntax near "` + e.Near + `"` + pos
	}
	return e.Err.Error() + pos
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// A JSONError reports what was wrong in a JSON config, and where: Pointer
// is an RFC 6901 JSON pointer to the offending value, "" for the whole
// document. Err wraps ErrMalformed, ErrUnknownVersion or ErrUnknownMatcher.
type JSONError struct {
	Pointer string
	Err     error
}

// Error is "invalid fingerprinting config" (Sentry's prefix for these),
// the pointer, and what was wrong.
func (e *JSONError) Error() string {
	if e.Pointer == "" {
		return "invalid fingerprinting config: " + e.Err.Error()
	}
	return "invalid fingerprinting config at " + e.Pointer + ": " + e.Err.Error()
}

func (e *JSONError) Unwrap() error { return e.Err }

// keyError carries Sentry's message for a bad key while wrapping the
// sentinel that classifies it.
type keyError struct {
	msg  string
	kind error
}

func (e *keyError) Error() string { return e.msg }
func (e *keyError) Unwrap() error { return e.kind }

func unknownMatcher(key string) error {
	return &keyError{fmt.Sprintf("Unknown matcher '%s'", key), ErrUnknownMatcher}
}

func unknownAttribute(key string) error {
	return &keyError{fmt.Sprintf("Unknown attribute '%s'", key), ErrUnknownAttribute}
}
