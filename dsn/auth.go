package dsn

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Auth is the credential and client information an SDK sends with every
// request, in an X-Sentry-Auth header, an Authorization header, the query
// string, the URL path or the envelope header.
type Auth struct {
	// PublicKey is sentry_key, the DSN's public key. After [FromRequest]
	// it is the bare 32-character key, with any ".flag" suffix moved to
	// Flags.
	PublicKey string
	// SecretKey is sentry_secret, or "". Relay never checks it.
	SecretKey string
	// Client is sentry_client, conventionally "sdk.name/version", or "".
	Client string
	// Version is sentry_version's major number. Parsers set it to
	// [ProtocolVersion] when the carrier does not name one.
	Version int
	// Timestamp is sentry_timestamp, or the zero Time when it is absent
	// or unreadable. Modern SDKs do not send it.
	Timestamp time.Time
	// Flags are the dot-separated suffixes of the public key
	// ("key.no-cache"), set only by FromRequest.
	Flags []string
	// Source records where the credentials were found. Parsers of a single
	// carrier leave it at SourceNone; FromRequest and FromEnvelopeHeader
	// set it.
	Source Source
}

// NoCache reports whether the public key carried Relay's "no-cache" flag,
// which asks Relay to bypass its project config cache.
func (a Auth) NoCache() bool {
	for _, f := range a.Flags {
		if f == "no-cache" {
			return true
		}
	}
	return false
}

// Auth returns the credentials an SDK using d sends, for a client named
// like "sentrywire/1.0". Version is [ProtocolVersion]; SecretKey is set only
// if d has one. Use [Auth.String] for the X-Sentry-Auth header value.
func (d DSN) Auth(client string) Auth {
	return Auth{
		PublicKey: d.PublicKey,
		SecretKey: d.SecretKey,
		Client:    client,
		Version:   ProtocolVersion,
	}
}

// String returns the value for an X-Sentry-Auth header in the form
// sentry-go and the develop docs use:
//
//	Sentry sentry_version=7, sentry_client=name/1.0, sentry_key=KEY[, sentry_secret=SECRET]
//
// A sentry_timestamp (Unix seconds) follows the version when Timestamp is
// set, and Client and SecretKey are left out when empty. A zero Version is
// written as [ProtocolVersion], so a hand-built Auth needs no version. Values
// are written verbatim and never quoted: Relay does not unquote them.
func (a Auth) String() string {
	var b strings.Builder
	b.WriteString("Sentry sentry_version=")
	v := a.Version
	if v == 0 {
		v = ProtocolVersion
	}
	b.WriteString(strconv.Itoa(v))
	if !a.Timestamp.IsZero() {
		b.WriteString(", sentry_timestamp=")
		b.WriteString(formatTimestamp(a.Timestamp))
	}
	if a.Client != "" {
		b.WriteString(", sentry_client=")
		b.WriteString(a.Client)
	}
	b.WriteString(", sentry_key=")
	b.WriteString(a.PublicKey)
	if a.SecretKey != "" {
		b.WriteString(", sentry_secret=")
		b.WriteString(a.SecretKey)
	}
	return b.String()
}

// ParseAuthHeader parses the value of an X-Sentry-Auth header, or of an
// Authorization header using the Sentry scheme, with the grammar of
// sentry-types, which Relay uses:
//
//   - the text before the first space must be "Sentry" in any ASCII case;
//   - the rest is a comma-separated list of key=value pairs; white space
//     around keys and values is ignored, pieces without "=" are skipped, and
//     a value ends at a further "="; unknown keys are ignored and a repeated
//     key overwrites the earlier one;
//   - sentry_version is read up to its first "." ("2.0" is 2) and must be
//     an unsigned 16-bit integer; it defaults to [ProtocolVersion];
//   - sentry_timestamp is Unix seconds (fractions allowed) or RFC 3339;
//     anything else is ignored, as Relay ignores it;
//   - sentry_key must be present and non-empty.
//
// Unlike Relay, ParseAuthHeader also removes double quotes around a value
// (sentry_key="abc"), which some hand-written clients send; Relay would keep
// them and then reject the key.
//
// The error is an [*Error] of kind ErrNotSentryAuth, ErrInvalidVersion or
// ErrMissingPublicKey.
func ParseAuthHeader(s string) (Auth, error) {
	prefix, rest, _ := strings.Cut(s, " ")
	if !asciiEqualFold(prefix, "sentry") {
		return Auth{}, &Error{Kind: ErrNotSentryAuth, Part: "auth scheme", Value: clip(prefix), Reason: `want "Sentry"`}
	}
	var pairs [][2]string
	for piece := range strings.SplitSeq(rest, ",") {
		key, value, ok := strings.Cut(piece, "=")
		if !ok {
			continue
		}
		value, _, _ = strings.Cut(value, "=")
		pairs = append(pairs, [2]string{strings.TrimSpace(key), unquote(value)})
	}
	return fromPairs(pairs)
}

// unquote trims white space and surrounding double quotes until neither is
// left. Stripping to a fixed point, rather than one pair, keeps parsing and
// String in agreement: whatever ParseAuthHeader returns reads back the same.
func unquote(s string) string {
	for {
		s = strings.TrimSpace(s)
		if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
			return s
		}
		s = s[1 : len(s)-1]
	}
}

// ParseAuthQuery reads credentials from URL query parameters, such as
// ?sentry_key=KEY&sentry_version=7&sentry_client=sentry.javascript.browser%2F8.0.0,
// which browser SDKs use for beacons and where setting headers is awkward.
// The keys and rules are those of [ParseAuthHeader], except that values are
// taken as they are, without trimming or unquoting, as Relay takes them. When
// a key repeats, the last value counts, but every sentry_version must be
// valid.
func ParseAuthQuery(q url.Values) (Auth, error) {
	var pairs [][2]string
	for _, key := range authKeys {
		for _, v := range q[key] {
			pairs = append(pairs, [2]string{key, v})
		}
	}
	return fromPairs(pairs)
}

var authKeys = []string{"sentry_timestamp", "sentry_client", "sentry_version", "sentry_key", "sentry_secret"}

// fromPairs builds an Auth from key/value pairs in order.
func fromPairs(pairs [][2]string) (Auth, error) {
	a := Auth{Version: ProtocolVersion}
	for _, p := range pairs {
		switch value := p[1]; p[0] {
		case "sentry_timestamp":
			a.Timestamp = parseTimestamp(value)
		case "sentry_client":
			a.Client = value
		case "sentry_version":
			major, _, _ := strings.Cut(value, ".")
			n, ok := parseUint(major, 16)
			if !ok {
				return Auth{}, &Error{Kind: ErrInvalidVersion, Part: "sentry_version", Value: clip(value), Reason: "want an unsigned 16-bit integer such as 7"}
			}
			a.Version = int(n)
		case "sentry_key":
			a.PublicKey = value
		case "sentry_secret":
			a.SecretKey = value
		}
	}
	if a.PublicKey == "" {
		return Auth{}, &Error{Kind: ErrMissingPublicKey, Reason: "sentry_key is absent or empty"}
	}
	return a, nil
}

// Timestamps outside years 1..9999 are ignored like unreadable ones: no SDK
// sends them, and they cannot be written back as RFC 3339.
var (
	minTimestamp = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxTimestamp = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
)

// parseTimestamp reads Unix seconds or an RFC 3339 time, returning the zero
// Time for anything else. Plain decimals are converted exactly, to the
// nanosecond, so that formatTimestamp can write them back unchanged.
func parseTimestamp(s string) time.Time {
	if sec, nsec, ok := parseDecimalSeconds(s); ok {
		return unixUTC(sec, nsec)
	}
	if strings.ContainsAny(s, "eE") && !strings.ContainsAny(s, "xX_") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= float64(minTimestamp) && f <= float64(maxTimestamp) {
			sec := int64(f)
			return unixUTC(sec, int64((f-float64(sec))*1e9))
		}
		return time.Time{}
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return unixUTC(t.Unix(), int64(t.Nanosecond()))
	}
	return time.Time{}
}

func unixUTC(sec, nsec int64) time.Time {
	t := time.Unix(sec, nsec).UTC()
	if t.Unix() < minTimestamp || t.Unix() > maxTimestamp {
		return time.Time{}
	}
	return t
}

// parseDecimalSeconds parses [+-]digits[.digits] (either side of the point
// may be empty, not both) into seconds and nanoseconds of the same sign.
// Digits beyond nanoseconds are dropped.
func parseDecimalSeconds(s string) (sec, nsec int64, ok bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, 0, false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return 0, 0, false
			}
		}
	}
	if intPart != "" {
		n, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		sec = n
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int64(frac[i] - '0')
		}
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return sec, nsec, true
}

// formatTimestamp writes t as exact decimal Unix seconds, "1328055286.5".
func formatTimestamp(t time.Time) string {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	sign := ""
	if sec < 0 && nsec > 0 {
		// -1.5 is stored as -2 s + 0.5 s.
		sign, sec, nsec = "-", -(sec + 1), 1e9-nsec
	}
	s := sign + strconv.FormatInt(sec, 10)
	if nsec == 0 {
		return s
	}
	frac := strconv.FormatInt(nsec+1e9, 10)[1:]
	return s + "." + strings.TrimRight(frac, "0")
}

// asciiEqualFold is strings.EqualFold restricted to ASCII, as HTTP scheme
// names are compared: "ſentry" must not pass for "sentry".
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
