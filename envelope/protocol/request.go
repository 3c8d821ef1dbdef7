package protocol

import (
	"errors"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A Request is the event's "request": the HTTP request the program was
// handling. Event.Request holds it undecoded; Get decodes it.
//
// The query string and cookies are read in every form SDKs send them and
// marshal back as pair lists, the form Relay stores; headers marshal as a
// pair list too (see Pairs).
type Request struct {
	// URL is the URL without the query string, by convention; Relay moves
	// a query part it finds here into QueryString.
	URL      string `json:"url,omitzero"`
	Method   string `json:"method,omitzero"`
	Protocol string `json:"protocol,omitzero"`
	// Data is the request body: an object for parsed forms and JSON, or a
	// string. It is kept as sent.
	Data        jsontext.Value `json:"data,omitzero"`
	QueryString Query          `json:"query_string,omitzero"`
	Fragment    string         `json:"fragment,omitzero"`
	Cookies     Cookies        `json:"cookies,omitzero"`
	// Headers are the request headers. SDKs send an object or a list of
	// pairs; a value sent as a list of strings is kept as sent, where Relay
	// joins it with ",".
	Headers Pairs `json:"headers,omitzero"`
	// BodySize is the size of the body in bytes. It is a float64 for the
	// reason the numbers of contexts are.
	BodySize *float64 `json:"body_size,omitzero"`
	// Env holds CGI-style environment variables, such as REMOTE_ADDR,
	// kept as sent.
	Env                 jsontext.Value            `json:"env,omitzero"`
	InferredContentType string                    `json:"inferred_content_type,omitzero"`
	APITarget           string                    `json:"api_target,omitzero"`
	Other               map[string]jsontext.Value `json:",embed"`
}

// A Query is a request's query string as pairs, in order, keys repeated as
// sent. SDKs send it as a string ("a=1&b=2", with or without a leading
// "?"), as an object or as a list of pairs; a string is split and
// percent-decoded as a browser decodes a form, so "a+b" is "a b".
type Query []Pair

// Get returns the value of the first pair with key.
func (q Query) Get(key string) (string, bool) { return Pairs(q).Get(key) }

// UnmarshalJSONFrom accepts the string, object and list forms.
func (q *Query) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		return (*Pairs)(q).UnmarshalJSONFrom(dec)
	}
	var s string
	if err := readString(dec, &s); err != nil {
		return err
	}
	s = strings.TrimPrefix(s, "?")
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		*q = append(*q, stringPair(unescapeOr(k, url.QueryUnescape), unescapeOr(v, url.QueryUnescape)))
	}
	return nil
}

// MarshalJSONTo writes the list form.
func (q Query) MarshalJSONTo(enc *jsontext.Encoder) error { return Pairs(q).MarshalJSONTo(enc) }

// Cookies are a request's cookies as pairs. SDKs send them as a Cookie
// header string ("a=b; c=d"), as an object or as a list of pairs. In the
// string form a cookie without "=" makes the whole value invalid, as in
// Relay; names and values are percent-decoded.
type Cookies []Pair

// Get returns the value of the first cookie named name.
func (c Cookies) Get(name string) (string, bool) { return Pairs(c).Get(name) }

// UnmarshalJSONFrom accepts the string, object and list forms.
func (c *Cookies) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '"' {
		return (*Pairs)(c).UnmarshalJSONFrom(dec)
	}
	var s string
	if err := readString(dec, &s); err != nil {
		return err
	}
	var out Cookies
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return &json.SemanticError{Err: errors.New("cookie without a name=value pair")}
		}
		out = append(out, stringPair(unescapeOr(k, url.PathUnescape), unescapeOr(strings.TrimSpace(v), url.PathUnescape)))
	}
	*c = out
	return nil
}

// MarshalJSONTo writes the list form.
func (c Cookies) MarshalJSONTo(enc *jsontext.Encoder) error { return Pairs(c).MarshalJSONTo(enc) }

// unescapeOr percent-decodes s, or keeps it as it is if it is not valid
// percent-encoding: a malformed escape in one pair is no reason to lose it.
func unescapeOr(s string, unescape func(string) (string, error)) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := unescape(s); err == nil {
		return u
	}
	return s
}

// stringPair makes a pair whose value is the JSON string v.
func stringPair(k, v string) Pair {
	q, _ := jsontext.AppendQuote(nil, v) // invalid UTF-8 becomes U+FFFD
	return Pair{Key: k, Value: q}
}

// acceptsKind tells the lenient decoder which kinds UnmarshalJSONFrom takes.
func (*Query) acceptsKind(k jsontext.Kind) bool { return k == '"' || k == '{' || k == '[' }
