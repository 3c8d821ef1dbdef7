package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/internal/httpbody"
)

// Errors of HTTP ingest requests, besides the framing and limit errors.
var (
	// ErrEmptyBody reports a request without a body. Relay answers 400
	// "empty request body" before it looks at the envelope.
	ErrEmptyBody = errors.New("empty request body")
	// ErrUnsupportedEncoding reports a Content-Encoding other than gzip,
	// deflate, br, zstd or identity (exactly so spelled). Relay answers 415
	// with an Accept-Encoding header of AcceptEncoding.
	ErrUnsupportedEncoding = httpbody.ErrUnsupportedEncoding
	// ErrCorruptBody reports compressed data that does not decode.
	ErrCorruptBody = httpbody.ErrCorruptBody
	// ErrBodyTooLarge reports a body that decodes to more bytes than allowed.
	// Relay answers 413.
	ErrBodyTooLarge = httpbody.ErrTooLarge
	// ErrInvalidBody reports a /store/ body that is neither JSON nor base64
	// (optionally of zlib-compressed JSON).
	ErrInvalidBody = httpbody.ErrInvalidBody
	// ErrInvalidJSON reports a /store/ event that is not a JSON object with a
	// valid "event_id" and "type".
	ErrInvalidJSON = errors.New("invalid JSON data")
	// ErrHeaderMismatch is matched by a *MismatchError.
	ErrHeaderMismatch = errors.New("header mismatch between envelope and request")
)

// A MismatchError reports an envelope whose header disagrees with the
// request it came in: a "dsn" of another project or key than the request
// authenticated with, or an "origin" other than the request's. Relay
// answers 400.
type MismatchError struct {
	Field    string // "project id", "public key" or "origin"
	Envelope string // the envelope header's value
	Request  string // the request's value
}

// Error returns Relay's text for the error.
func (e *MismatchError) Error() string {
	return e.Field + " header mismatch between envelope and request"
}

// Is makes errors.Is(err, ErrHeaderMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrHeaderMismatch }

// AcceptEncoding is the Accept-Encoding header Relay sends with a 415 answer.
const AcceptEncoding = httpbody.AcceptEncoding

// NewBodyReader returns a reader of body with its Content-Encoding undone.
// It accepts what Relay accepts: "gzip", "deflate" (zlib-wrapped, as HTTP
// means it), "br", "zstd" and "identity", matched exactly; "" and "UTF-8",
// which some SDKs send, mean no encoding. Anything else is
// ErrUnsupportedEncoding. The reader does not limit the decoded size: wrap
// it, or use ReadBody, before trusting it with a network body.
func NewBodyReader(body io.Reader, contentEncoding string) (io.ReadCloser, error) {
	return httpbody.NewReader(body, contentEncoding)
}

// ReadBody reads an HTTP body with its Content-Encoding undone. The limit
// applies to the decoded bytes, and ReadBody never buffers more than limit+1
// of them: a small body that inflates to gigabytes fails with
// ErrBodyTooLarge at the limit.
func ReadBody(body io.Reader, contentEncoding string, limit int64) ([]byte, error) {
	rc, err := httpbody.NewReader(body, contentEncoding)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return httpbody.ReadAll(rc, limit)
}

// ParseStore turns the body of a legacy /store/ request into an envelope of
// one item, as Relay does. The body is JSON, base64 of JSON, or base64 of
// zlib-compressed JSON; client is the request's sentry_client (the SDK
// name/version), used to repair the NaN and Infinity tokens old Python SDKs
// write. A "type" of "transaction" makes a transaction item, anything else
// an event item. The envelope's event_id is the payload's, or a new one.
//
// The envelope's limits are checked as Parse checks them; a store body is
// also limited to MaxEventSize by Relay before decoding (ReadRequest does
// that).
func ParseStore(body []byte, client string, opts ...Option) (*Envelope, error) {
	o := buildOptions(opts)
	maxEvent := o.limits.MaxEventSize
	if maxEvent <= 0 {
		maxEvent = 1 << 62
	}
	payload, err := httpbody.DecodeStore(body, int(min(maxEvent, 1<<62)))
	if err != nil {
		return nil, err
	}
	if len(payload) == 0 {
		return nil, ErrEmptyBody
	}
	if httpbody.NeedsPythonJSONRepair(client) {
		payload = httpbody.RepairPythonJSON(payload)
	}
	if err := validateJSON(payload); err != nil {
		return nil, &SyntaxError{Err: ErrInvalidJSON, Item: 0, Offset: syntaxOffset(err), Cause: err}
	}
	id, typ, field, err := storeFields(payload)
	if err != nil {
		return nil, &SyntaxError{Err: ErrInvalidJSON, Item: 0, Field: field, Cause: err}
	}
	if id.IsZero() {
		id = NewEventID()
	}
	env := New()
	env.SetEventID(id)
	env.Add(NewItem(typ, payload))
	b := budget{limits: &o.limits}
	if err := b.check(env.Items); err != nil {
		return nil, err
	}
	return env, nil
}

// validateJSON checks that b is one JSON value and says where it is not.
func validateJSON(b []byte) error {
	dec := jsontext.NewDecoder(bytes.NewBuffer(b)) // parsed in place, not copied
	if _, err := dec.ReadValue(); err != nil {
		return err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("jsontext: invalid data after top-level value at offset %d", dec.InputOffset())
		}
		return err
	}
	return nil
}

// storeFields reads what Relay's minimal event parse reads from a store body.
func storeFields(payload []byte) (id EventID, typ ItemType, field string, err error) {
	typ = TypeEvent
	if payload[0] != '{' {
		return id, typ, "", errNotObject
	}
	for m := range members(payload) {
		switch {
		case m.is("event_id"):
			if m.value[0] == 'n' {
				continue
			}
			s, ok := rawString(m.value)
			if !ok {
				return id, typ, "event_id", errFieldType
			}
			if id, err = parseEventID(s); err != nil {
				return id, typ, "event_id", err
			}
		case m.is("type"):
			if s, ok := rawString(m.value); ok && string(s) == "transaction" {
				typ = TypeTransaction
			} else if !ok && m.value[0] != 'n' {
				return id, typ, "type", errFieldType
			}
		}
	}
	return id, typ, "", nil
}

// A Request is an authenticated ingest request with its envelope.
type Request struct {
	// ProjectID is the project of the URL path, or 0 on the legacy
	// /api/store/ route that has none.
	ProjectID uint64
	// Auth holds the credentials and where they were found.
	Auth dsn.Auth
	// Envelope is the parsed envelope. A /store/ request gives an envelope
	// of one event or transaction item.
	Envelope *Envelope
}

// ReadRequest reads an ingest request the way Relay's envelope and store
// endpoints do. The request must come through a ServeMux pattern with a
// {project_id} wildcard, such as "POST /api/{project_id}/envelope/", or the
// legacy "POST /api/store/". A path ending in /store/ is a store request;
// any other is an envelope request.
//
// In order, it checks the project id, takes the credentials (dsn.FromRequest,
// falling back to the envelope header's "dsn" on envelope requests, as Relay
// does for browser tunnels), undoes the Content-Encoding with the body
// limited to MaxEnvelopeSize (MaxEventSize for store requests) decoded bytes,
// parses the envelope, and checks that a "dsn" in the envelope header names
// the same project and key, and that an "origin" there is the request's
// (its Origin header, or else its Referer).
//
// StatusCode and WriteError turn its errors into Relay's answers.
func ReadRequest(r *http.Request, opts ...Option) (*Request, error) {
	o := buildOptions(opts)
	// Relay undoes the Content-Encoding in a middleware that runs before
	// anything looks at the request, so a bad encoding is 415 first.
	// Making the decoder reads nothing yet.
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	body, err := httpbody.NewReader(src, r.Header.Get("Content-Encoding"))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	project, err := dsn.ProjectIDFromRequest(r)
	if err != nil {
		return nil, err
	}
	req := &Request{ProjectID: project}
	store := strings.HasSuffix(r.URL.Path, "/store/")
	auth, authErr := dsn.FromRequest(r)
	if authErr != nil && (store || !errors.Is(authErr, dsn.ErrMissingAuth)) {
		return nil, authErr
	}

	limit := o.limits.MaxEnvelopeSize
	if store {
		limit = o.limits.MaxEventSize
	}
	if limit <= 0 {
		limit = 1 << 62
	}
	var data []byte
	if store && r.Method == http.MethodGet {
		data = []byte(r.URL.Query().Get("sentry_data"))
	} else if data, err = httpbody.ReadAll(body, limit); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, ErrEmptyBody
	}
	if authErr != nil { // an envelope that authenticates itself
		if auth, _, err = dsn.FromEnvelopeHeader(data); err != nil {
			return nil, err
		}
	}
	req.Auth = auth

	if store && r.Header.Get("Content-Type") != ContentTypeEnvelope {
		req.Envelope, err = ParseStore(data, auth.Client, opts...)
	} else {
		req.Envelope, err = Parse(data, opts...)
	}
	if err != nil {
		return nil, err
	}
	if d, ok := req.Envelope.DSN(); ok {
		if id, _ := d.NumericProjectID(); project != 0 && id != project {
			return nil, &MismatchError{Field: "project id", Envelope: d.ProjectID, Request: strconv.FormatUint(project, 10)}
		}
		if d.PublicKey != auth.PublicKey {
			return nil, &MismatchError{Field: "public key", Envelope: d.PublicKey, Request: auth.PublicKey}
		}
	}
	if o, ok := req.Envelope.Header.GetString("origin"); ok && !sameOrigin(o, requestOrigin(r)) {
		return nil, &MismatchError{Field: "origin", Envelope: o, Request: requestOrigin(r)}
	}
	return req, nil
}

// requestOrigin is the origin Relay records for a request: its Origin
// header, or else its Referer.
func requestOrigin(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		return o
	}
	return r.Header.Get("Referer")
}

// sameOrigin compares two origins as URLs, as Relay does, so that
// "http://localhost" and "http://localhost/" are the same.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	for _, u := range []*url.URL{ua, ub} {
		if u.Path == "" {
			u.Path = "/"
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	}
	return ua.String() == ub.String()
}

// StatusCode returns the HTTP status Relay answers with for an error of
// ReadRequest, Parse, ParseStore or ReadBody: 413 for limits, 415 for an
// unsupported Content-Encoding, 401 or 400 for credentials (see
// dsn.StatusCode), 400 for any other bad input, and 500 for errors that do
// not come from the request (a broken connection, say).
func StatusCode(err error) int {
	var dsnErr *dsn.Error
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrLimitExceeded), errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrUnsupportedEncoding):
		return http.StatusUnsupportedMediaType
	case errors.As(err, &dsnErr):
		return dsn.StatusCode(err)
	case errors.Is(err, ErrEmptyBody), errors.Is(err, ErrCorruptBody), errors.Is(err, ErrInvalidBody),
		errors.Is(err, ErrInvalidJSON), errors.Is(err, ErrHeaderMismatch):
		return http.StatusBadRequest
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// errorBody is Relay's error response.
type errorBody struct {
	Detail string   `json:"detail"`
	Causes []string `json:"causes,omitzero"`
}

// WriteError answers an ingest request that failed with err as Relay does:
// the status of StatusCode, an Accept-Encoding header on 415, and a JSON
// body {"detail": ..., "causes": [...]} whose strings are Relay's, so SDKs
// log what they would log against Sentry.
func WriteError(w http.ResponseWriter, err error) {
	code := StatusCode(err)
	if code == http.StatusUnsupportedMediaType {
		w.Header().Set("Accept-Encoding", AcceptEncoding)
	}
	body := errorBody{Detail: err.Error()}
	var se *SyntaxError
	var le *LimitError
	var de *dsn.Error
	switch {
	case errors.As(err, &de):
		body.Detail = de.Kind.Error()
		if de.Reason != "" {
			body.Causes = []string{de.Reason}
		}
		if de.Err != nil {
			body.Causes = append(body.Causes, de.Err.Error())
		}
	case errors.As(err, &le):
		body.Detail = fmt.Sprintf("envelope exceeded size limits for type '%s' (https://develop.sentry.dev/sdk/envelopes/#size-limits)", le.Type)
		if le.Type == "" {
			body.Detail = "failed to read request body"
			body.Causes = []string{"payload reached its size limit"}
		}
	case errors.Is(err, ErrBodyTooLarge):
		body.Detail = "failed to read request body"
		body.Causes = []string{"payload reached its size limit"}
	case errors.As(err, &se) && se.Err == ErrInvalidJSON:
		body.Detail = "invalid JSON data"
		if se.Cause != nil {
			body.Causes = []string{se.Cause.Error()}
		}
	case errors.As(err, &se):
		body.Detail = "invalid event envelope"
		body.Causes = []string{se.Err.Error()}
		if se.Cause != nil {
			body.Causes = append(body.Causes, se.Cause.Error())
		}
	case errors.Is(err, ErrEmptyBody):
		body.Detail = ErrEmptyBody.Error()
	case errors.Is(err, ErrHeaderMismatch):
		body.Detail = "invalid event envelope"
		body.Causes = []string{err.Error()}
	}
	var buf bytes.Buffer
	_ = json.MarshalWrite(&buf, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
