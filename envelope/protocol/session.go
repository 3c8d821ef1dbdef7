package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// The errors a strict payload (session, sessions, check-in, client report,
// user report) fails with. They arrive wrapped in a *DecodeError whose
// Pointer names the field; test for them with errors.Is.
var (
	// ErrMissingField is a required field that is absent (or null, where
	// Relay does not accept null either).
	ErrMissingField = errors.New("missing required field")
	// ErrNullValue is a null for a field that may be left out but not be
	// null.
	ErrNullValue = errors.New("null for a field that cannot be null")
	// ErrInvalidRelease is a release that sentry-release-parser's
	// validate_release refuses: longer than 200 bytes, ".", ".." or
	// "latest", or containing a slash, a backslash or a control character.
	// Relay drops a session with such a release.
	ErrInvalidRelease = errors.New("invalid release")
	// ErrInvalidEnvironment is an environment that validate_environment
	// refuses: longer than 64 bytes, ".", ".." or "none", or with the
	// characters a release may not have. Relay removes it from a session
	// (a Warning) and rejects a check-in that has one too long.
	ErrInvalidEnvironment = errors.New("invalid environment")
	// ErrUnknownStatus is a session status Relay does not know. Relay
	// parses it, but processing Relays drop the session, so it is an error
	// here.
	ErrUnknownStatus = errors.New("unknown session status")
	// ErrInvalidSequence is a session "seq" of 2^64-1, which Relay reserves
	// and drops.
	ErrInvalidSequence = errors.New("invalid session sequence")
	// ErrInvalidIP is an "ip_address" that is neither an IP address nor
	// "{{auto}}".
	ErrInvalidIP = errors.New("invalid IP address")
	// ErrInvalidTimestamp is a timestamp a strict payload does not accept:
	// sessions take RFC 3339 strings only, not Unix seconds.
	ErrInvalidTimestamp = errors.New("invalid timestamp")
)

// A Session is the payload of a "session" item: one update of a
// release-health session, as Relay's SessionUpdate reads it. It is strict:
// a value of the wrong type fails the whole session, as it does in Relay.
//
// Strings alias the payload, so the payload must not be modified while the
// Session is in use. Marshaled, a Session writes its timestamps in UTC and
// its ids as 32 hex digits; everything else, including keys it does not
// name (Other), is written as it came.
type Session struct {
	// SessionID is "sid". Relay assigns a random id to a session without
	// one; here it stays zero so that the host can tell.
	SessionID envelope.EventID `json:"sid,omitzero"`
	// DistinctID is "did", the user the session belongs to.
	DistinctID string `json:"did,omitzero"`
	// Sequence is "seq", a logical clock that orders updates of one
	// session. Absent, Relay uses the receive time in milliseconds, which
	// is why an explicit 0 (older than everything) is kept apart from nil.
	Sequence *uint64 `json:"seq,omitzero"`
	// Init marks the first update of a session: Relay counts a session
	// once, on its init update.
	Init bool `json:"init,omitzero"`
	// Timestamp is when the update was made; Relay uses the receive time
	// if it is absent.
	Timestamp DateTime `json:"timestamp,omitzero"`
	// Started is when the session started. It is required.
	Started DateTime `json:"started"`
	// Duration is the session's length in seconds.
	Duration *float64 `json:"duration,omitzero"`
	// Status is the session's state; absent means SessionOK.
	Status SessionStatus `json:"status,omitzero"`
	// Errors counts the errors seen in the session; any makes it errored.
	Errors uint64 `json:"errors"`
	// Attributes ("attrs") carry the release, which is required.
	Attributes SessionAttributes `json:"attrs"`
	// AbnormalMechanism says why an abnormal session ended.
	AbnormalMechanism AbnormalMechanism `json:"abnormal_mechanism,omitzero"`

	// Other holds every key not named above. Relay ignores them.
	Other map[string]jsontext.Value `json:",embed"`

	// Warnings lists what validation removed: an invalid environment.
	Warnings []Warning `json:"-"`
}

// SessionAttributes are the "attrs" of a session or of session aggregates.
type SessionAttributes struct {
	// Release is required; an invalid one fails the payload.
	Release string `json:"release"`
	// Environment is optional; an invalid one is removed with a Warning.
	Environment string `json:"environment,omitzero"`
	// IPAddress is an IP address, or "{{auto}}" for the address the
	// request came from.
	IPAddress string `json:"ip_address,omitzero"`
	// UserAgent is the user agent of the user's client.
	UserAgent string `json:"user_agent,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom requires "release" and checks "ip_address", as
// Relay's serde types do while parsing.
func (a *SessionAttributes) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain SessionAttributes
	return decodeRequiring(dec, (*plain)(a), func(base jsontext.Pointer) error {
		if a.IPAddress != "" && a.IPAddress != "{{auto}}" {
			ip, err := netip.ParseAddr(a.IPAddress)
			if err != nil || ip.Zone() != "" {
				// Rust's IpAddr, which Relay parses with, has no zones.
				return &json.SemanticError{JSONPointer: base.AppendToken("ip_address"),
					Err: fmt.Errorf("%w: %q", ErrInvalidIP, a.IPAddress)}
			}
		}
		return nil
	}, "release")
}

// validate applies Relay's session processing rules to the attributes at
// pointer at: an invalid release fails, an invalid environment is removed.
func (a *SessionAttributes) validate(at jsontext.Pointer) (*Warning, error) {
	if err := ValidateRelease(a.Release); err != nil {
		return nil, &json.SemanticError{JSONPointer: at.AppendToken("release"), Err: err}
	}
	if a.Environment != "" {
		if err := ValidateEnvironment(a.Environment); err != nil {
			a.Environment = ""
			return &Warning{Pointer: at.AppendToken("environment"), Err: fmt.Errorf("%w: %w", ErrInvalidValue, err)}, nil
		}
	}
	return nil, nil
}

// A SessionStatus is the state of a session.
type SessionStatus string

// The session statuses Relay knows. All but SessionOK end the session; all
// but SessionOK and SessionExited count it as errored; SessionCrashed and
// SessionAbnormal are fatal.
const (
	SessionOK        SessionStatus = "ok"
	SessionExited    SessionStatus = "exited"
	SessionCrashed   SessionStatus = "crashed"
	SessionAbnormal  SessionStatus = "abnormal"
	SessionErrored   SessionStatus = "errored"
	SessionUnhandled SessionStatus = "unhandled"
)

// IsKnown reports whether Relay knows the status. The empty status (absent)
// means SessionOK.
func (s SessionStatus) IsKnown() bool {
	switch s {
	case "", SessionOK, SessionExited, SessionCrashed, SessionAbnormal, SessionErrored, SessionUnhandled:
		return true
	}
	return false
}

// An AbnormalMechanism says why an abnormal session ended. Relay reads any
// value it does not know, and null, as AbnormalNone; they are kept as sent.
type AbnormalMechanism string

// The abnormal mechanisms Relay knows.
const (
	AbnormalNone          AbnormalMechanism = "none"
	AbnormalANRForeground AbnormalMechanism = "anr_foreground"
	AbnormalANRBackground AbnormalMechanism = "anr_background"
)

// DecodeSession decodes and validates the payload of a "session" item as
// Relay does: types are strict, "started" and "attrs.release" are required,
// timestamps are RFC 3339 strings, a "seq" of 2^64-1, an unknown status, an
// invalid IP address or an invalid release fail it, and an invalid
// environment is removed and reported in Session.Warnings.
//
// Relay's checks against the receive time (timestamps older than five days
// or in the future drop the session) need a clock and are left to the host.
// Errors are *DecodeError.
func DecodeSession(payload []byte) (*Session, error) {
	s := new(Session)
	if err := strictDecode(envelope.TypeSession, payload, s, []string{"started", "attrs"},
		[]string{"sid", "seq", "init", "timestamp", "status", "errors"}); err != nil {
		return nil, err
	}
	fail := func(at jsontext.Pointer, err error) error {
		return &DecodeError{Type: envelope.TypeSession, Pointer: at, Err: err}
	}
	if s.Sequence != nil && *s.Sequence == 1<<64-1 {
		return nil, fail("/seq", ErrInvalidSequence)
	}
	if !s.Status.IsKnown() {
		return nil, fail("/status", fmt.Errorf("%w: %q", ErrUnknownStatus, s.Status))
	}
	w, err := s.Attributes.validate("/attrs")
	if err != nil {
		return nil, decodeError(envelope.TypeSession, err)
	}
	if w != nil {
		s.Warnings = append(s.Warnings, *w)
	}
	return s, nil
}

// SessionAggregates is the payload of a "sessions" item: counts of
// sessions that an SDK (a server SDK, usually) aggregated per start time.
// It is strict, as Relay's serde type is.
type SessionAggregates struct {
	// Aggregates are the counts, one entry per start time and user.
	Aggregates []SessionAggregate `json:"aggregates"`
	// Attributes ("attrs") are shared by all the counts; the release is
	// required.
	Attributes SessionAttributes `json:"attrs"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`

	// Warnings lists what validation removed: an invalid environment.
	Warnings []Warning `json:"-"`
}

// A SessionAggregate counts the sessions that started at one time (rounded
// by the SDK, usually to the minute). Errored does not include abnormal,
// crashed or unhandled sessions; the total is the sum of all five.
type SessionAggregate struct {
	// Started is required.
	Started    DateTime `json:"started"`
	DistinctID string   `json:"did,omitzero"`
	Exited     uint32   `json:"exited,omitzero"`
	Errored    uint32   `json:"errored,omitzero"`
	Abnormal   uint32   `json:"abnormal,omitzero"`
	Unhandled  uint32   `json:"unhandled,omitzero"`
	Crashed    uint32   `json:"crashed,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom requires "started".
func (a *SessionAggregate) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain SessionAggregate
	return decodeRequiring(dec, (*plain)(a), nil, "started")
}

// Total returns the number of sessions counted.
func (a SessionAggregate) Total() uint64 {
	return uint64(a.Exited) + uint64(a.Errored) + uint64(a.Abnormal) + uint64(a.Unhandled) + uint64(a.Crashed)
}

// DecodeSessionAggregates decodes and validates the payload of a
// "sessions" item as Relay does: types are strict, "attrs" with "release"
// and every aggregate's "started" are required, an invalid release fails
// it, an invalid environment is removed and reported in Warnings. A
// missing "aggregates" is an empty list. Errors are *DecodeError.
func DecodeSessionAggregates(payload []byte) (*SessionAggregates, error) {
	s := new(SessionAggregates)
	if err := strictDecode(envelope.TypeSessions, payload, s, []string{"attrs"}, nil); err != nil {
		return nil, err
	}
	w, err := s.Attributes.validate("/attrs")
	if err != nil {
		return nil, decodeError(envelope.TypeSessions, err)
	}
	if w != nil {
		s.Warnings = append(s.Warnings, *w)
	}
	return s, nil
}

// ValidateRelease reports whether Sentry accepts release as a release
// name, by sentry-release-parser's rules: at most 200 bytes, not ".", ".."
// or "latest" (in any case), and no "/", "\" or control characters.
// Errors wrap ErrInvalidRelease.
func ValidateRelease(release string) error {
	switch {
	case len(release) > 200:
		return fmt.Errorf("%w: longer than 200 bytes", ErrInvalidRelease)
	case release == "." || release == ".." || strings.EqualFold(release, "latest"):
		return fmt.Errorf("%w: %q is a restricted name", ErrInvalidRelease, release)
	case hasForbiddenChar(release):
		return fmt.Errorf("%w: %q has a forbidden character", ErrInvalidRelease, release)
	}
	return nil
}

// ValidateEnvironment reports whether Sentry accepts env as an environment
// name, by sentry-release-parser's rules: at most 64 bytes, not ".", ".."
// or "none" (in any case), and no "/", "\" or control characters. Errors
// wrap ErrInvalidEnvironment.
func ValidateEnvironment(env string) error {
	switch {
	case len(env) > 64:
		return fmt.Errorf("%w: longer than 64 bytes", ErrInvalidEnvironment)
	case env == "." || env == ".." || strings.EqualFold(env, "none"):
		return fmt.Errorf("%w: %q is a restricted name", ErrInvalidEnvironment, env)
	case hasForbiddenChar(env):
		return fmt.Errorf("%w: %q has a forbidden character", ErrInvalidEnvironment, env)
	}
	return nil
}

// hasForbiddenChar reports a character the newer sentry-release-parser
// forbids in releases and environments: path separators, which would break
// URLs, and control characters, which would break display.
func hasForbiddenChar(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// A DateTime is a timestamp of a strict payload: an RFC 3339 string, as
// Rust's chrono reads it for Relay. Unlike Timestamp it does not accept
// Unix seconds or a date-time without a zone; like chrono, it accepts a
// space or "t" between date and time and an offset without a colon
// ("+0100"). It marshals as RFC 3339 in UTC.
type DateTime struct {
	time.Time
}

// UnmarshalJSONFrom accepts an RFC 3339 string. null is refused, as Relay
// refuses it for a timestamp that is not optional.
func (t *DateTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return &json.SemanticError{Err: fmt.Errorf("%w: want an RFC 3339 string, got %s", ErrInvalidTimestamp, v)}
	}
	var s string
	if err := readString(dec, &s); err != nil {
		return err
	}
	tm, ok := parseDateTime(s)
	if !ok {
		return &json.SemanticError{Err: fmt.Errorf("%w: %q is not RFC 3339", ErrInvalidTimestamp, s)}
	}
	t.Time = tm.UTC()
	return nil
}

// MarshalJSONTo writes RFC 3339 in UTC with as many fractional digits as
// needed, as chrono writes it.
func (t DateTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	if t.Time.IsZero() {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteToken(jsontext.String(t.UTC().Format(time.RFC3339Nano)))
}

// IsZero reports whether the timestamp is absent.
func (t DateTime) IsZero() bool { return t.Time.IsZero() }

// parseDateTime parses chrono's relaxed RFC 3339: the canonical form, or
// with " " or "t" for "T", "z" for "Z", or "+hhmm" for "+hh:mm".
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || !utf8.ValidString(s) {
		return time.Time{}, false
	}
	b := []byte(s)
	switch b[10] {
	case 'T':
	case 't', ' ':
		b[10] = 'T'
	default:
		return time.Time{}, false
	}
	n := len(b)
	switch {
	case b[n-1] == 'z':
		b[n-1] = 'Z'
	case n >= 5 && (b[n-5] == '+' || b[n-5] == '-') && isDigits(b[n-4:]):
		b = append(b[:n-2:n-2], ':', b[n-2], b[n-1])
	}
	tm, err := time.Parse(time.RFC3339Nano, string(b))
	return tm, err == nil
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// strictDecode decodes a strict payload into v, then checks its top-level
// members. Relay's serde types fail on a missing required field, and on a
// null for a field that may be left out but is not an Option; Go's
// decoding cannot tell absent from zero, so both are checked on the JSON.
func strictDecode(t envelope.ItemType, b []byte, v any, required, nonNull []string) error {
	if _, err := decode(t, b, v, false); err != nil {
		return err
	}
	kinds := memberKinds(b, slices.Concat(required, nonNull))
	for i, name := range required {
		if k := kinds[i]; k == 0 || k == 'n' {
			return &DecodeError{Type: t, Pointer: jsontext.Pointer("").AppendToken(name), Err: ErrMissingField}
		}
	}
	for i, name := range nonNull {
		if kinds[len(required)+i] == 'n' {
			return &DecodeError{Type: t, Pointer: jsontext.Pointer("").AppendToken(name), Err: ErrNullValue}
		}
	}
	return nil
}

// decodeRequiring is the UnmarshalJSONFrom of a strict object with
// required members: it decodes the object into v (a type without this
// method), checks that each name is present and not null, then runs check.
// Errors carry the JSON Pointer from the top of the payload; json only
// fills in a pointer that is empty, so the pointers of a nested decoding
// are rebased here.
func decodeRequiring(dec *jsontext.Decoder, v any, check func(base jsontext.Pointer) error, required ...string) error {
	base := pointerOfNext(dec)
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v, dec.Options()); err != nil {
		return rebase(base, err)
	}
	kinds := memberKinds(raw, required)
	for i, name := range required {
		if k := kinds[i]; k == 0 || k == 'n' {
			return &json.SemanticError{JSONPointer: base.AppendToken(name), Err: ErrMissingField}
		}
	}
	if check != nil {
		return check(base)
	}
	return nil
}

// rebase prefixes the pointer of a json error from a nested decoding with
// base. Its byte offset, relative to the nested value, is dropped.
func rebase(base jsontext.Pointer, err error) error {
	var se *json.SemanticError
	if errors.As(err, &se) {
		c := *se
		c.JSONPointer, c.ByteOffset = base+se.JSONPointer, 0
		return &c
	}
	var sy *jsontext.SyntacticError
	if errors.As(err, &sy) {
		c := *sy
		c.JSONPointer, c.ByteOffset = base+sy.JSONPointer, 0
		return &c
	}
	return err
}

// memberKinds scans the top-level members of the JSON object raw once and
// returns, for each of names, the kind of its first value, or 0 if it is
// absent.
func memberKinds(raw []byte, names []string) []jsontext.Kind {
	kinds := make([]jsontext.Kind, len(names))
	// A bytes.Buffer is parsed in place, without copying raw.
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return kinds
	}
	for dec.PeekKind() == '"' {
		k, err := dec.ReadToken()
		if err != nil {
			return kinds
		}
		i := slices.Index(names, k.String()) // k is void after the next read
		if i >= 0 && kinds[i] == 0 {
			kinds[i] = dec.PeekKind()
		}
		if dec.SkipValue() != nil {
			return kinds
		}
	}
	return kinds
}
