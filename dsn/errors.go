package dsn

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors describing why a DSN was rejected. Every error returned by
// [Parse] and [DSN.ValidateRelay] is an [*Error] whose Kind is one of these,
// so callers test with errors.Is:
//
//	if errors.Is(err, dsn.ErrInvalidScheme) { … }
//
// ErrNoHost and ErrInvalidPort are refinements of ErrInvalidURL: an error of
// either kind also matches ErrInvalidURL, because the WHATWG URL parser that
// Relay uses rejects such strings as URLs before it looks at any DSN rule.
var (
	// ErrInvalidURL reports a string that is not an absolute
	// scheme://authority/path URL.
	ErrInvalidURL = errors.New("invalid DSN URL")
	// ErrInvalidScheme reports a scheme other than http or https.
	ErrInvalidScheme = errors.New("invalid DSN scheme")
	// ErrNoUsername reports a DSN without a public key (the URL user name).
	ErrNoUsername = errors.New("DSN has no public key")
	// ErrNoHost reports a DSN with an empty host.
	ErrNoHost = errors.New("DSN has no host")
	// ErrInvalidPort reports a port that is not a number in 1..65535.
	ErrInvalidPort = errors.New("invalid DSN port")
	// ErrNoProjectID reports a DSN whose path has no project id segment.
	ErrNoProjectID = errors.New("DSN has no project id")
	// ErrInvalidProjectID reports a project id that Relay cannot use as a
	// project number (see [DSN.ValidateRelay]).
	ErrInvalidProjectID = errors.New("invalid DSN project id")
	// ErrInvalidPublicKey reports a public key that is not a Relay project
	// key: exactly 32 ASCII characters.
	ErrInvalidPublicKey = errors.New("invalid DSN public key")
)

// Sentinel errors describing why authentication data was rejected by
// [ParseAuthHeader] and [ParseAuthQuery]. They carry the names of the
// corresponding sentry-types ParseAuthError variants.
var (
	// ErrNotSentryAuth reports a header value whose first word is not
	// "Sentry" (compared without regard to ASCII case).
	ErrNotSentryAuth = errors.New("not a Sentry auth header")
	// ErrInvalidVersion reports a sentry_version whose major part is not
	// an unsigned 16-bit integer.
	ErrInvalidVersion = errors.New("invalid sentry_version")
	// ErrMissingPublicKey reports auth data without a non-empty sentry_key.
	ErrMissingPublicKey = errors.New("missing sentry_key")
)

// Sentinel errors returned by the server-side helpers [FromRequest],
// [FromEnvelopeHeader] and [ProjectIDFromRequest]. They mirror Relay's
// BadEventMeta variants; [StatusCode] maps each to the HTTP status Relay
// answers with. Parse failures are wrapped, so an error can match both
// ErrBadAuth and, say, ErrInvalidVersion.
var (
	// ErrMissingAuth reports a request that carries no credentials at all.
	ErrMissingAuth = errors.New("missing authorization information")
	// ErrMultipleAuth reports a request that carries credentials in more
	// than one place. Relay refuses to guess which one is meant.
	ErrMultipleAuth = errors.New("multiple authorization payloads detected")
	// ErrBadAuth reports credentials that are present but do not parse.
	ErrBadAuth = errors.New("bad sentry auth")
	// ErrBadEnvelopeAuth reports an envelope header that cannot stand in
	// for missing request credentials.
	ErrBadEnvelopeAuth = errors.New("bad envelope authentication header")
	// ErrUnsupportedProtocolVersion reports a sentry_version newer than
	// [ProtocolVersion].
	ErrUnsupportedProtocolVersion = errors.New("unsupported protocol version")
	// ErrBadPublicKey reports a sentry_key that is not a Relay project key.
	ErrBadPublicKey = errors.New("bad sentry DSN public key")
	// ErrBadProject reports a project id path parameter that is not an
	// unsigned 64-bit integer.
	ErrBadProject = errors.New("bad project path parameter")
)

// Error is the error type of every function in this package. Kind is one of
// the package's sentinel errors and decides what errors.Is matches; the other
// fields say what exactly was wrong and where.
type Error struct {
	// Kind is the sentinel this error is an instance of.
	Kind error
	// Part names the piece of input the error is about, such as "port",
	// "X-Sentry-Auth header" or "sentry_version".
	Part string
	// Value is the offending text, when showing it is useful and cannot
	// leak a secret. It is empty otherwise.
	Value string
	// Reason explains the rule that was broken.
	Reason string
	// Err is the underlying cause, if any. For ErrBadAuth, ErrBadPublicKey
	// and ErrBadEnvelopeAuth it is usually another *Error.
	Err error
}

// Error formats the error as "dsn: kind: part "value": reason: cause",
// leaving out the parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dsn: ")
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("error")
	}
	if e.Part != "" {
		b.WriteString(": ")
		b.WriteString(e.Part)
		if e.Value != "" {
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(e.Value))
		}
	} else if e.Value != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Value))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "dsn: "))
	}
	return b.String()
}

// Is reports whether target is e's Kind. ErrNoHost and ErrInvalidPort also
// match ErrInvalidURL.
func (e *Error) Is(target error) bool {
	if target == nil {
		return false
	}
	if target == e.Kind {
		return true
	}
	return target == ErrInvalidURL && (e.Kind == ErrNoHost || e.Kind == ErrInvalidPort)
}

// Unwrap returns the underlying cause, so errors.Is and errors.As see
// through ErrBadAuth and friends to the parse error inside.
func (e *Error) Unwrap() error { return e.Err }

// clip shortens s for inclusion in an error message: error strings end up in
// logs, and an attacker-sized header should not.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
