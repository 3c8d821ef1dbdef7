package dsn

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ProtocolVersion is the newest Sentry protocol version. SDKs send it as
// sentry_version; Relay rejects anything newer.
const ProtocolVersion = 7

// DSN is a parsed Sentry Data Source Name,
//
//	{scheme}://{public_key}[:{secret_key}]@{host}[:{port}]{path}{project_id}
//
// The zero value is not a usable DSN; obtain one from [Parse].
//
// Fields hold the URL's serialised (percent-encoded) form, exactly as Relay's
// URL parser leaves them, so that [DSN.String] and the endpoint URLs can be
// rebuilt without escaping anything again: a key written as p%40b stays p%40b.
type DSN struct {
	// Scheme is "http" or "https", always in lower case.
	Scheme string
	// PublicKey identifies the project key. It is the URL user name and is
	// never empty in a parsed DSN.
	PublicKey string
	// SecretKey is the deprecated secret, the URL password, or "" if the
	// DSN has none. An empty password (key:@host) also yields "".
	SecretKey string
	// Host is the lower-case host name or IP address. IPv6 addresses keep
	// their brackets ("[::1]") so that Host can be pasted into a URL.
	Host string
	// Port is the explicit port, or 0 when the DSN had none or named the
	// scheme's default (80 for http, 443 for https). Use
	// [DSN.EffectivePort] for the port to dial.
	Port int
	// Path is the prefix between the host and the project id. It always
	// starts and ends with a slash: "/" when there is no prefix, otherwise
	// like "/sentry/relay/".
	Path string
	// ProjectID is the last path segment. Sentry documents all DSN parts,
	// the project id included, as strings, so any non-empty segment is
	// accepted here; see [DSN.NumericProjectID] and [DSN.ValidateRelay].
	ProjectID string
}

// Parse parses a DSN the way Relay (through sentry-types) does:
//
//   - surrounding white space is ignored, and so are a query and a fragment;
//   - the scheme must be http or https, in any letter case;
//   - the user name (public key) and the host must not be empty;
//   - a port, if present, must be in 1..65535; the scheme's default port is
//     dropped;
//   - the last non-empty path segment is the project id, whatever it
//     contains, so trailing slashes ("/42/") are tolerated, and the
//     segments before it form [DSN.Path].
//
// Like the WHATWG URL parser Relay uses, Parse lower-cases the scheme and the
// host, percent-decodes the host, resolves "." and ".." path segments,
// percent-encodes characters that may not appear raw in the user info or
// path (so "https://p@b@host/1" has the public key "p%40b"), writes IPv4 and
// IPv6 addresses in canonical form, and keeps existing percent escapes as they
// are. It is stricter than WHATWG in a few places where accepting would only
// hide a typo or yield URLs net/url refuses: control characters, backslashes
// and "%" not followed by two hex digits anywhere, hosts that are
// not ASCII (write them in their xn-- form), numeric-looking hosts that are
// not dotted-decimal IPv4, IPv6 zones, port 0, and schemes not followed by
// "://" are all errors.
//
// On failure the error is an [*Error] whose Kind is ErrInvalidURL,
// ErrInvalidScheme, ErrNoHost, ErrInvalidPort, ErrNoUsername or
// ErrNoProjectID. When a string has several problems, Parse reports the first
// in that order.
func Parse(s string) (DSN, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DSN{}, &Error{Kind: ErrInvalidURL, Reason: "empty string"}
	}
	if !utf8.ValidString(s) {
		return DSN{}, &Error{Kind: ErrInvalidURL, Reason: "not valid UTF-8"}
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return DSN{}, &Error{Kind: ErrInvalidURL, Reason: "control character at byte " + strconv.Itoa(i)}
		} else if c == '\\' {
			return DSN{}, &Error{Kind: ErrInvalidURL, Reason: "backslash at byte " + strconv.Itoa(i)}
		}
	}

	sep := strings.Index(s, "://")
	if sep < 0 {
		return DSN{}, &Error{Kind: ErrInvalidURL, Reason: `missing "scheme://"`}
	}
	scheme := s[:sep]
	if !validScheme(scheme) {
		return DSN{}, &Error{Kind: ErrInvalidURL, Part: "scheme", Value: clip(scheme), Reason: "not a URL scheme"}
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return DSN{}, &Error{Kind: ErrInvalidScheme, Part: "scheme", Value: clip(scheme), Reason: "want http or https"}
	}

	rest := s[sep+3:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	// The last @ ends the user info, as in WHATWG; earlier ones are data.
	userinfo, hostport, hasUser := "", authority, false
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, hostport, hasUser = authority[:i], authority[i+1:], true
	}

	host, port, err := parseHostPort(hostport, scheme)
	if err != nil {
		return DSN{}, err
	}

	user, pass, _ := strings.Cut(userinfo, ":")
	if !hasUser || user == "" {
		return DSN{}, &Error{Kind: ErrNoUsername, Reason: "the public key goes before the @"}
	}
	if !validEscapes(userinfo) {
		return DSN{}, &Error{Kind: ErrInvalidURL, Part: "user info", Reason: "malformed percent escape"}
	}
	if !validEscapes(path) {
		return DSN{}, &Error{Kind: ErrInvalidURL, Part: "path", Value: clip(path), Reason: "malformed percent escape"}
	}

	prefix, id, err := splitPath(path)
	if err != nil {
		return DSN{}, err
	}

	return DSN{
		Scheme:    scheme,
		PublicKey: escape(user, inUserinfo),
		SecretKey: escape(pass, inUserinfo),
		Host:      host,
		Port:      port,
		Path:      prefix,
		ProjectID: id,
	}, nil
}

// validScheme reports whether s is an RFC 3986 scheme.
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func defaultPort(scheme string) int {
	if scheme == "http" {
		return 80
	}
	return 443
}

// parseHostPort validates the host and port of the authority. It returns the
// canonical host and 0 for an absent or default port.
func parseHostPort(hostport, scheme string) (string, int, error) {
	var host, portText string
	hasPort := false
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", 0, &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(hostport), Reason: "missing ] after IPv6 address"}
		}
		addr, err := netip.ParseAddr(hostport[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", 0, &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(hostport[:end+1]), Reason: "not an IPv6 address"}
		}
		host = "[" + addr.String() + "]"
		switch after := hostport[end+1:]; {
		case after == "":
		case after[0] == ':':
			portText, hasPort = after[1:], true
		default:
			return "", 0, &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(hostport), Reason: "unexpected text after IPv6 address"}
		}
	} else {
		var raw string
		raw, portText, hasPort = strings.Cut(hostport, ":")
		h, err := parseRegHost(raw)
		if err != nil {
			return "", 0, err
		}
		host = h
	}
	if host == "" {
		return "", 0, &Error{Kind: ErrNoHost, Reason: "nothing between the @ and the path"}
	}

	port := 0
	if hasPort && portText != "" {
		for i := 0; i < len(portText); i++ {
			if !isDigit(portText[i]) {
				return "", 0, &Error{Kind: ErrInvalidPort, Part: "port", Value: clip(portText), Reason: "not a decimal number"}
			}
		}
		digits := strings.TrimLeft(portText, "0")
		if len(digits) > 5 {
			return "", 0, &Error{Kind: ErrInvalidPort, Part: "port", Value: clip(portText), Reason: "must be in 1..65535"}
		}
		port, _ = strconv.Atoi("0" + digits)
		if port < 1 || port > 65535 {
			return "", 0, &Error{Kind: ErrInvalidPort, Part: "port", Value: clip(portText), Reason: "must be in 1..65535"}
		}
		if port == defaultPort(scheme) {
			port = 0
		}
	}
	return host, port, nil
}

// parseRegHost percent-decodes, lower-cases and validates a host that is not
// an IPv6 literal. An empty result is not an error here; the caller reports
// ErrNoHost.
func parseRegHost(raw string) (string, error) {
	decoded, ok := percentDecode(raw)
	if !ok {
		return "", &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(raw), Reason: "malformed percent escape"}
	}
	for i := 0; i < len(decoded); i++ {
		c := decoded[i]
		if c >= 0x80 {
			return "", &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(raw), Reason: "non-ASCII host; write it in its xn-- (punycode) form"}
		}
		// WHATWG's forbidden domain code points, plus the few it allows but
		// net/url does not (" ` { }), so that endpoint URLs stay usable.
		if c <= ' ' || c == 0x7f || strings.IndexByte("#%/:<>?@[\\]^|\"`{}", c) >= 0 {
			return "", &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(raw), Reason: "forbidden character " + strconv.QuoteRune(rune(c))}
		}
	}
	host := strings.ToLower(decoded)

	// WHATWG treats a host whose last label is numeric as an IPv4 address,
	// and a malformed one as an error rather than a name.
	last := strings.TrimSuffix(host, ".")
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	if looksNumeric(last) {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is4() {
			return "", &Error{Kind: ErrInvalidURL, Part: "host", Value: clip(raw), Reason: "ends in a number but is not a dotted-decimal IPv4 address"}
		}
		host = addr.String()
	}
	return host, nil
}

func looksNumeric(label string) bool {
	if label == "" {
		return false
	}
	if len(label) >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') {
		for i := 2; i < len(label); i++ {
			if c := label[i] | 0x20; !isDigit(label[i]) && (c < 'a' || c > 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(label); i++ {
		if !isDigit(label[i]) {
			return false
		}
	}
	return true
}

// percentDecode decodes %XX escapes. It reports false for a % that does not
// start an escape.
func percentDecode(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	return string(b), true
}

// validEscapes reports whether every % in s starts a %XX escape. WHATWG
// would keep a stray % as it is, but then the endpoint URLs could not be used
// with net/http, so Parse rejects it.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		j := strings.IndexByte(s[i+3:], '%')
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return true
}

func isHex(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// Characters WHATWG percent-encodes in the user info and in path segments,
// besides controls, space and non-ASCII bytes.
const (
	inUserinfo = "\"#<>?`{}/:;=@[\\]^|"
	inPath     = "\"#<>?`{}"
)

// escape percent-encodes the bytes of s that may not appear raw in the URL
// component whose extra reserved set is given. Existing escapes are kept, so
// escape is idempotent and parsed fields survive a String round trip.
func escape(s, reserved string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i], reserved) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needsEscape(c, reserved) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func needsEscape(c byte, reserved string) bool {
	return c <= ' ' || c >= 0x7f || strings.IndexByte(reserved, c) >= 0
}

// splitPath resolves dot segments in the URL path the way WHATWG does and
// splits the result into the normalised prefix and the project id.
func splitPath(path string) (prefix, id string, err error) {
	if path == "" {
		path = "/"
	}
	segs := strings.Split(path[1:], "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		final := i == len(segs)-1
		switch {
		case isDoubleDot(seg):
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if final {
				out = append(out, "")
			}
		case isSingleDot(seg):
			if final {
				out = append(out, "")
			}
		default:
			out = append(out, escape(seg, inPath))
		}
	}
	trimmed := strings.Trim(strings.Join(out, "/"), "/")
	if trimmed == "" {
		return "", "", &Error{Kind: ErrNoProjectID, Reason: "the path must end in /{project_id}"}
	}
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		return "/" + trimmed[:i] + "/", trimmed[i+1:], nil
	}
	return "/", trimmed, nil
}

func isSingleDot(s string) bool { return s == "." || strings.EqualFold(s, "%2e") }

func isDoubleDot(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// String returns the DSN in its usual written form. The ":secret" part is
// written only when SecretKey is not empty, so the common
// "https://key@host/42" comes back unchanged (sentry-types always writes
// "key:@"; both forms parse to the same DSN). For every DSN returned by
// Parse, Parse(d.String()) returns d again.
func (d DSN) String() string {
	var b strings.Builder
	b.WriteString(d.Scheme)
	b.WriteString("://")
	b.WriteString(d.PublicKey)
	if d.SecretKey != "" {
		b.WriteByte(':')
		b.WriteString(d.SecretKey)
	}
	b.WriteByte('@')
	d.writeBase(&b)
	b.WriteString(d.ProjectID)
	return b.String()
}

// writeBase writes {host}[:port]{path}, the URL that API paths hang off.
func (d DSN) writeBase(b *strings.Builder) {
	b.WriteString(d.Host)
	if d.Port != 0 && d.Port != defaultPort(d.Scheme) {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(d.Port))
	}
	p := d.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	b.WriteString(p)
}

// MarshalText implements [encoding.TextMarshaler], so a DSN is stored in JSON
// and similar formats as its string form, as sentry-types does. It fails for
// a DSN whose string form would not parse back, such as the zero DSN.
func (d DSN) MarshalText() ([]byte, error) {
	s := d.String()
	if _, err := Parse(s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [Parse].
func (d *DSN) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// EffectivePort returns the port to connect to: Port, or the scheme's
// default (80 for http, 443 otherwise) when Port is 0.
func (d DSN) EffectivePort() int {
	if d.Port != 0 {
		return d.Port
	}
	return defaultPort(d.Scheme)
}

// apiURL returns {scheme}://{host}[:port]{path}api/{project_id}/{tail}.
func (d DSN) apiURL(tail string) string {
	var b strings.Builder
	b.WriteString(d.Scheme)
	b.WriteString("://")
	d.writeBase(&b)
	b.WriteString("api/")
	b.WriteString(d.ProjectID)
	b.WriteByte('/')
	b.WriteString(tail)
	return b.String()
}

// EnvelopeURL returns the URL SDKs POST envelopes to,
// {scheme}://{host}[:{port}]{path}api/{project_id}/envelope/.
// The port appears only when it is not the scheme's default. Relay requires
// the trailing slash.
func (d DSN) EnvelopeURL() string { return d.apiURL("envelope/") }

// StoreURL returns the legacy single-event endpoint,
// {scheme}://{host}[:{port}]{path}api/{project_id}/store/.
func (d DSN) StoreURL() string { return d.apiURL("store/") }

// OTLPTracesURL returns the OTLP/HTTP trace export endpoint,
// {scheme}://{host}[:{port}]{path}api/{project_id}/integration/otlp/v1/traces.
// It has no trailing slash because OTLP exporters append "/v1/traces" to a
// base URL themselves; Relay accepts both spellings.
func (d DSN) OTLPTracesURL() string { return d.apiURL("integration/otlp/v1/traces") }

// OTLPLogsURL returns the OTLP/HTTP log export endpoint,
// {scheme}://{host}[:{port}]{path}api/{project_id}/integration/otlp/v1/logs.
func (d DSN) OTLPLogsURL() string { return d.apiURL("integration/otlp/v1/logs") }

// NumericProjectID returns the project id as a number, and false if it is
// not an unsigned 64-bit integer. It accepts what Relay's ProjectId accepts:
// ASCII digits with an optional leading "+".
func (d DSN) NumericProjectID() (uint64, bool) {
	return parseUint(d.ProjectID, 64)
}

// OrgID returns the organisation id encoded in a sentry.io ingest host, and
// false for every other host. Only the two SaaS shapes count,
// o{digits}.ingest.sentry.io and o{digits}.ingest.{region}.sentry.io, with a
// single-label region; the digits must fit a uint64. Self-hosted and relay
// hosts such as o1.example.com have no org id, unlike in sentry-go, which
// reads one from any host whose first label looks like o{digits}.
func (d DSN) OrgID() (uint64, bool) {
	labels := strings.Split(d.Host, ".")
	switch {
	case len(labels) == 4 && labels[1] == "ingest" && labels[2] == "sentry" && labels[3] == "io":
	case len(labels) == 5 && labels[1] == "ingest" && labels[2] != "" && labels[3] == "sentry" && labels[4] == "io":
	default:
		return 0, false
	}
	org := labels[0]
	if len(org) < 2 || org[0] != 'o' {
		return 0, false
	}
	for i := 1; i < len(org); i++ {
		if !isDigit(org[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(org[1:], 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// ValidateRelay applies the checks Relay adds when a DSN arrives as data, in
// an envelope header or serialised request metadata (its PartialDsn type):
// the project id must be an unsigned 64-bit integer and the public key a
// project key of exactly 32 ASCII characters. Relay reports these failures as
// NoProjectId and NoUsername; ValidateRelay returns an [*Error] of kind
// ErrInvalidProjectID or ErrInvalidPublicKey, in that order of checking.
func (d DSN) ValidateRelay() error {
	if _, ok := d.NumericProjectID(); !ok {
		return &Error{Kind: ErrInvalidProjectID, Part: "project id", Value: clip(d.ProjectID), Reason: "Relay requires an unsigned 64-bit integer"}
	}
	if !isProjectKey(d.PublicKey) {
		return &Error{Kind: ErrInvalidPublicKey, Part: "public key", Reason: "Relay requires exactly 32 ASCII characters, got " + describeKey(d.PublicKey)}
	}
	return nil
}

// isProjectKey reports whether s is a Relay ProjectKey: 32 bytes, all ASCII.
// Relay does not insist on hex digits.
func isProjectKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// describeKey summarises a rejected key without echoing it: keys are
// credentials, if weak ones.
func describeKey(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "non-ASCII characters"
		}
	}
	return strconv.Itoa(len(s)) + " characters"
}

// ParseProjectKey splits a public key as sent in auth data into the 32
// character project key and the dot-separated flags after it, as Relay's
// ProjectKey::parse_with_flags does: "abc….no-cache" yields the flag
// "no-cache", the only flag Relay acts on. The error is an [*Error] of kind
// ErrInvalidPublicKey.
func ParseProjectKey(s string) (key string, flags []string, err error) {
	key, rest, hasFlags := strings.Cut(s, ".")
	if !isProjectKey(key) {
		return "", nil, &Error{Kind: ErrInvalidPublicKey, Part: "public key", Reason: "want exactly 32 ASCII characters, got " + describeKey(key)}
	}
	if hasFlags {
		flags = strings.Split(rest, ".")
	}
	return key, flags, nil
}

// parseUint parses an unsigned integer of the given bit size the way Rust's
// str::parse does: ASCII digits with an optional leading "+".
func parseUint(s string, bits int) (uint64, bool) {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, false
	}
	return n, true
}
