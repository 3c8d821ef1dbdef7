package enhancement

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The sentinel errors a *SyntaxError wraps, for errors.Is.
var (
	// ErrSyntax means the text does not follow the grammar, or Sentry's
	// second-stage rule compiler rejects a rule once it is written back out
	// in canonical form (for instance an unquoted pattern that starts with
	// a double quote).
	ErrSyntax = errors.New("invalid syntax")
	// ErrUnknownMatcher means a matcher key is not one Sentry knows.
	ErrUnknownMatcher = errors.New("unknown matcher")
	// ErrInvalidValue means a value is malformed: a max-frames or
	// min-frames that is not a non-negative integer, or a quoted pattern
	// with a broken escape sequence.
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidPattern means an exception matcher (error.type,
	// error.value, error.mechanism) holds a glob that does not compile.
	// Sentry rejects the whole rule text for it; a bad glob in a frame
	// matcher is not an error, it just never matches.
	ErrInvalidPattern = errors.New("invalid pattern")
)

// A SyntaxError reports why rule text was rejected and where.
//
// Line and Column are 1-based and count Unicode code points, as Sentry's
// own messages do. Near is the text at that position (at most 32 code
// points, then "..."), filled for grammar errors.
type SyntaxError struct {
	Line, Column int
	Near         string
	Err          error
}

// Error formats the error like Sentry's InvalidEnhancerConfig messages,
// e.g. `Invalid syntax near "foo:bar" (line 3, column 1)`.
func (e *SyntaxError) Error() string {
	if errors.Is(e.Err, ErrSyntax) {
		msg := fmt.Sprintf("Invalid syntax near %q (line %d, column %d)", e.Near, e.Line, e.Column)
		var d *detailError
		if errors.As(e.Err, &d) && d.msg != "" {
			msg += ": " + d.msg
		}
		return msg
	}
	return fmt.Sprintf("%v (line %d, column %d)", e.Err, e.Line, e.Column)
}

// Unwrap returns the underlying error, which wraps one of the sentinels.
func (e *SyntaxError) Unwrap() error { return e.Err }

// detailError is a sentinel plus a sentence about this occurrence.
type detailError struct {
	sentinel error
	msg      string
}

func (d *detailError) Error() string {
	if d.msg == "" {
		return d.sentinel.Error()
	}
	return d.msg
}

func (d *detailError) Unwrap() error { return d.sentinel }

func detail(sentinel error, format string, args ...any) error {
	return &detailError{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// syntaxErrorAt builds a SyntaxError for byte offset pos of text, with
// line, column and context computed the way Sentry's parser reports them
// (lines are counted by '\n' only).
func syntaxErrorAt(text string, pos int, err error, withNear bool) *SyntaxError {
	if pos > len(text) {
		pos = len(text)
	}
	before := text[:pos]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	e := &SyntaxError{Line: line, Column: col, Err: err}
	if withNear {
		e.Near = nearText(text[pos:])
	}
	return e
}

// nearText cuts the context shown in an error the way Sentry does: 33 code
// points, of which the last is replaced by "..." when all 33 exist.
func nearText(rest string) string {
	n := 0
	for i := range rest {
		if n == 32 {
			return rest[:i] + "..."
		}
		n++
	}
	return rest
}
