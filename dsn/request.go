package dsn

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Source says where a request carried its credentials.
type Source int

// The credential carriers, in the order FromRequest looks for them.
const (
	SourceNone           Source = iota // no credentials found (the zero value)
	SourceXSentryAuth                  // X-Sentry-Auth: Sentry …
	SourceAuthorization                // Authorization: Sentry …
	SourceBasic                        // Authorization: Basic base64(key:anything)
	SourceQuery                        // ?sentry_key=…&sentry_version=…
	SourcePath                         // a {sentry_key} path segment
	SourceEnvelopeHeader               // the "dsn" of the envelope header
)

// String returns a short lower-case name for s, for logs and metrics.
func (s Source) String() string {
	switch s {
	case SourceNone:
		return "none"
	case SourceXSentryAuth:
		return "x-sentry-auth"
	case SourceAuthorization:
		return "authorization"
	case SourceBasic:
		return "basic"
	case SourceQuery:
		return "query"
	case SourcePath:
		return "path"
	case SourceEnvelopeHeader:
		return "envelope-header"
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// FromRequest extracts the credentials of an ingest request the way Relay's
// request extractor does. It looks in five places, in this order:
//
//  1. the X-Sentry-Auth header, if its value starts with "sentry " in any
//     ASCII case (other values are ignored, as if absent);
//  2. the Authorization header, under the same condition;
//  3. the Authorization header with the Basic scheme, whose decoded
//     user-id (before the first ":") is the public key; undecodable or
//     key-less values are ignored;
//  4. the query string, if the raw query contains "sentry_" anywhere;
//  5. the "sentry_key" path value of a Go 1.22 ServeMux pattern such as
//     "POST /api/{project_id}/unreal/{sentry_key}/".
//
// Finding credentials in two places is ErrMultipleAuth (even a harmless
// ?sentry_version=7 next to a header), finding none is ErrMissingAuth, and
// credentials that do not parse are ErrBadAuth wrapping the parse error. A
// header value that is not visible ASCII counts as absent, as in Relay.
//
// Once found, the public key must be a 32-character project key, optionally
// followed by ".flags" that end up in [Auth.Flags] (else ErrBadPublicKey),
// and the version must not exceed [ProtocolVersion] (else
// ErrUnsupportedProtocolVersion). Relay does not check the secret key and
// neither does FromRequest.
//
// On an envelope endpoint, a request that fails with ErrMissingAuth may still
// authenticate through its envelope header: see [FromEnvelopeHeader].
// [StatusCode] gives the HTTP status for each error.
func FromRequest(r *http.Request) (Auth, error) {
	if r == nil {
		return Auth{}, &Error{Kind: ErrMissingAuth, Reason: "nil request"}
	}
	var (
		auth  Auth
		found bool
	)
	take := func(src Source, a Auth, err error) error {
		if found {
			return &Error{Kind: ErrMultipleAuth, Reason: "credentials in both " + describeSource(auth.Source) + " and " + describeSource(src)}
		}
		if err != nil {
			return &Error{Kind: ErrBadAuth, Part: describeSource(src), Err: err}
		}
		a.Source = src
		auth, found = a, true
		return nil
	}

	if h, ok := sentryHeader(r.Header, "X-Sentry-Auth"); ok {
		a, err := ParseAuthHeader(h)
		if err := take(SourceXSentryAuth, a, err); err != nil {
			return Auth{}, err
		}
	}
	if h, ok := sentryHeader(r.Header, "Authorization"); ok {
		if found {
			return Auth{}, take(SourceAuthorization, Auth{}, nil)
		}
		a, err := ParseAuthHeader(h)
		if err := take(SourceAuthorization, a, err); err != nil {
			return Auth{}, err
		}
	}
	if key, ok := basicKey(r.Header); ok {
		if err := take(SourceBasic, Auth{PublicKey: key, Version: ProtocolVersion}, nil); err != nil {
			return Auth{}, err
		}
	}
	if r.URL != nil && strings.Contains(r.URL.RawQuery, "sentry_") {
		if found {
			return Auth{}, take(SourceQuery, Auth{}, nil)
		}
		a, err := ParseAuthQuery(parseQuery(r.URL.RawQuery))
		if err := take(SourceQuery, a, err); err != nil {
			return Auth{}, err
		}
	}
	if key := r.PathValue("sentry_key"); key != "" {
		if err := take(SourcePath, Auth{PublicKey: key, Version: ProtocolVersion}, nil); err != nil {
			return Auth{}, err
		}
	}
	if !found {
		return Auth{}, &Error{Kind: ErrMissingAuth, Reason: "no X-Sentry-Auth, Authorization, sentry_ query or path key"}
	}

	key, flags, err := ParseProjectKey(auth.PublicKey)
	if err != nil {
		return Auth{}, &Error{Kind: ErrBadPublicKey, Part: describeSource(auth.Source), Err: err}
	}
	auth.PublicKey, auth.Flags = key, flags
	if auth.Version > ProtocolVersion {
		return Auth{}, &Error{Kind: ErrUnsupportedProtocolVersion, Part: "sentry_version", Value: strconv.Itoa(auth.Version), Reason: "newest supported is " + strconv.Itoa(ProtocolVersion)}
	}
	return auth, nil
}

func describeSource(s Source) string {
	switch s {
	case SourceXSentryAuth:
		return "X-Sentry-Auth header"
	case SourceAuthorization:
		return "Authorization header"
	case SourceBasic:
		return "Authorization Basic header"
	case SourceQuery:
		return "query string"
	case SourcePath:
		return "URL path"
	case SourceEnvelopeHeader:
		return "envelope header"
	}
	return s.String()
}

// headerValue returns the first value of the named header if it is visible
// ASCII; Relay's header access fails, and so ignores the header, otherwise.
func headerValue(h http.Header, name string) (string, bool) {
	v := h.Get(name)
	if v == "" {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return "", false
		}
	}
	return v, true
}

// sentryHeader returns the named header if it uses the Sentry scheme.
func sentryHeader(h http.Header, name string) (string, bool) {
	v, ok := headerValue(h, name)
	if !ok || len(v) < 7 || !asciiEqualFold(v[:7], "sentry ") {
		return "", false
	}
	return v, true
}

// basicKey returns the public key of an Authorization: Basic header.
func basicKey(h http.Header) (string, bool) {
	v, ok := headerValue(h, "Authorization")
	if !ok || len(v) < 6 || !asciiEqualFold(v[:6], "basic ") {
		return "", false
	}
	decoded, err := base64.StdEncoding.Strict().DecodeString(v[6:])
	if err != nil || !utf8.Valid(decoded) {
		return "", false
	}
	key, _, ok := strings.Cut(string(decoded), ":")
	if !ok || key == "" {
		return "", false
	}
	return key, true
}

// parseQuery decodes application/x-www-form-urlencoded text as leniently as
// the WHATWG algorithm Relay uses: malformed escapes stay literal and
// invalid UTF-8 becomes U+FFFD, where url.ParseQuery would fail.
func parseQuery(raw string) url.Values {
	q := url.Values{}
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = formDecode(k), formDecode(v)
		q[k] = append(q[k], v)
	}
	return q
}

func formDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// ProjectIDFromRequest returns the "project_id" path value of a ServeMux
// pattern such as "POST /api/{project_id}/envelope/" as a number. Relay
// checks it before looking at credentials and answers 400 for anything but
// an unsigned 64-bit integer; the error is then ErrBadProject. A pattern
// without {project_id}, like the legacy "/api/store/", yields 0 and no error.
func ProjectIDFromRequest(r *http.Request) (uint64, error) {
	if r == nil {
		return 0, nil
	}
	s := r.PathValue("project_id")
	if s == "" {
		return 0, nil
	}
	n, ok := parseUint(s, 64)
	if !ok {
		return 0, &Error{Kind: ErrBadProject, Part: "project id", Value: clip(s), Reason: "want an unsigned 64-bit integer"}
	}
	return n, nil
}

// FromEnvelopeHeader authenticates an envelope request that carried no
// credentials (FromRequest failed with ErrMissingAuth), as Relay does on its
// envelope endpoint. It reads the body up to the first newline, which must
// be a single JSON object, and takes the credentials from its "dsn" field:
//
//	{"dsn":"https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42","sdk":{…}}
//
// The DSN must parse and pass [DSN.ValidateRelay] (numeric project id,
// 32-character key). "client" and "version" are taken when present; the
// request metadata fields Relay also reads from there ("origin",
// "remote_addr", "forwarded_for", "user_agent", "no_cache") are
// type-checked as strictly as Relay checks them, because a wrong type makes
// Relay reject the envelope. Other fields are ignored. Relay applies no
// version ceiling on this path, and neither does FromEnvelopeHeader.
//
// Every failure is an [*Error] of kind ErrBadEnvelopeAuth, wrapping the JSON
// or DSN error. The returned Auth has Source SourceEnvelopeHeader and no
// secret key (Relay drops it); the DSN is returned whole.
func FromEnvelopeHeader(body []byte) (Auth, DSN, error) {
	line, _, _ := bytes.Cut(body, []byte{'\n'})
	fail := func(reason string, err error) (Auth, DSN, error) {
		return Auth{}, DSN{}, &Error{Kind: ErrBadEnvelopeAuth, Reason: reason, Err: err}
	}

	dec := jsontext.NewDecoder(bytes.NewReader(line))
	tok, err := dec.ReadToken()
	if err != nil {
		return fail("first line is not JSON", err)
	}
	if tok.Kind() != '{' {
		return fail("first line is not a JSON object", nil)
	}
	a := Auth{Version: ProtocolVersion, Source: SourceEnvelopeHeader}
	var (
		dsnText string
		hasDSN  bool
	)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return fail("malformed JSON", err)
		}
		field := name.String()
		val, err := dec.ReadValue()
		if err != nil {
			return fail("malformed JSON", err)
		}
		kind := val.Kind()
		wrongType := func(want string) (Auth, DSN, error) {
			return fail(`"`+field+`" must be `+want+", not "+kindName(kind), nil)
		}
		switch field {
		case "dsn":
			if kind != '"' {
				return wrongType("a string")
			}
			dsnText, hasDSN = unquoteJSON(val), true
		case "client":
			switch kind {
			case '"':
				a.Client = unquoteJSON(val)
			case 'n':
				a.Client = ""
			default:
				return wrongType("a string or null")
			}
		case "version":
			n, ok := uint16JSON(val)
			if !ok {
				return fail(`"version" must be an integer in 0..65535`, nil)
			}
			a.Version = n
		case "origin":
			if kind == '"' {
				u, err := url.Parse(unquoteJSON(val))
				if err != nil || u.Scheme == "" {
					return fail(`"origin" must be an absolute URL`, err)
				}
			} else if kind != 'n' {
				return wrongType("a string or null")
			}
		case "remote_addr":
			if kind == '"' {
				addr, err := netip.ParseAddr(unquoteJSON(val))
				if err != nil || addr.Zone() != "" {
					return fail(`"remote_addr" must be an IP address`, err)
				}
			} else if kind != 'n' {
				return wrongType("a string or null")
			}
		case "user_agent":
			if kind != '"' && kind != 'n' {
				return wrongType("a string or null")
			}
		case "forwarded_for":
			if kind != '"' {
				return wrongType("a string")
			}
		case "no_cache":
			if kind != 't' && kind != 'f' {
				return wrongType("a boolean")
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return fail("malformed JSON", err)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return fail("text after the JSON object on the first line", err)
	}
	if !hasDSN {
		return fail(`no "dsn" in the envelope header`, nil)
	}
	d, err := Parse(dsnText)
	if err == nil {
		err = d.ValidateRelay()
	}
	if err != nil {
		return fail(`"dsn" is not usable`, err)
	}
	a.PublicKey = d.PublicKey
	return a, d, nil
}

func unquoteJSON(v jsontext.Value) string {
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return ""
	}
	return string(b)
}

// uint16JSON accepts what serde accepts for a u16: a JSON integer without
// fraction or exponent, in range.
func uint16JSON(v jsontext.Value) (int, bool) {
	if v.Kind() != '0' {
		return 0, false
	}
	s := string(v)
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	n, ok := parseUint(s, 16)
	return int(n), ok && !strings.HasPrefix(s, "+")
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "invalid"
}

// StatusCode returns the HTTP status Relay answers with for err:
//
//   - 200 for nil;
//   - 401 Unauthorized for ErrMissingAuth, ErrMultipleAuth, ErrBadAuth and
//     ErrBadEnvelopeAuth: the client did not authenticate;
//   - 400 Bad Request for ErrUnsupportedProtocolVersion, ErrBadPublicKey and
//     ErrBadProject (credentials were found but cannot be used), and for any
//     other error from this package, which always means bad input;
//   - 500 Internal Server Error for errors from elsewhere.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMissingAuth), errors.Is(err, ErrMultipleAuth),
		errors.Is(err, ErrBadAuth), errors.Is(err, ErrBadEnvelopeAuth):
		return http.StatusUnauthorized
	case errors.Is(err, ErrUnsupportedProtocolVersion), errors.Is(err, ErrBadPublicKey),
		errors.Is(err, ErrBadProject):
		return http.StatusBadRequest
	}
	var e *Error
	if errors.As(err, &e) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
