package otlp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
)

// A Signal is the kind of telemetry an OTLP/HTTP request carries, which
// the last segment of its path names.
type Signal uint8

// The signals this package converts. Metrics are not among them: Sentry
// has no OTLP metrics endpoint.
const (
	SignalTraces Signal = iota + 1 // an ExportTraceServiceRequest, on .../v1/traces
	SignalLogs                     // an ExportLogsServiceRequest, on .../v1/logs
)

func (s Signal) String() string {
	switch s {
	case SignalTraces:
		return "traces"
	case SignalLogs:
		return "logs"
	}
	return "Signal(" + strconv.Itoa(int(s)) + ")"
}

// The errors of ReadRequest that are not about the body.
var (
	// ErrMethodNotAllowed reports a request whose method is not POST, the
	// only method of OTLP/HTTP. It is answered with 405.
	ErrMethodNotAllowed = errors.New("method not allowed")
	// ErrUnknownSignal reports a path whose last segment is neither
	// "traces" nor "logs", such as /v1/metrics. It is answered with 404.
	ErrUnknownSignal = errors.New("unknown OTLP signal")
)

// A Request is an OTLP/HTTP export request, read and decoded.
type Request struct {
	Signal   Signal
	Encoding Encoding
	// ProjectID is the Sentry project of a /api/{project_id}/... path, or
	// 0 on a plain /v1/ path.
	ProjectID uint64
	// Auth is the Sentry key the request authenticated with. It is
	// required on project paths; on plain paths it is the zero Auth unless
	// the request carried a usable one.
	Auth dsn.Auth
	// Traces is the decoded request of SignalTraces, Logs that of
	// SignalLogs; the other is nil. An empty body decodes as an empty
	// request, which OTLP counts as a success.
	Traces *Traces
	Logs   *Logs
	// Body is the request body with its Content-Encoding undone. Traces
	// and Logs alias it, so it must not be modified while they are in use.
	Body []byte
}

// ReadRequest reads an OTLP/HTTP export request as Relay's OTLP endpoints
// read one, and decodes its body.
//
// The signal is the path's last segment, "traces" or "logs", with or
// without a trailing slash, so the OTLP default paths /v1/traces and
// /v1/logs work under any prefix. Sentry's paths
// /api/{project_id}/otlp/v1/traces and
// /api/{project_id}/integration/otlp/v1/{traces,logs} also name a project:
// from the {project_id} wildcard of the ServeMux pattern that routed the
// request, if it has one, else from the path itself. A request on a
// project path must carry a Sentry key (dsn.FromRequest: an
// X-Sentry-Auth header, say, which OpenTelemetry exporters can send as one
// of their configured headers). On other paths credentials are optional
// and ones that do not parse are ignored, so that a host is free to
// authenticate such requests its own way.
//
// The encoding is that of the Content-Type (ParseContentType). The body
// has its Content-Encoding undone (gzip, deflate, br or zstd) and may be
// at most Limits.MaxBodySize bytes once decoded; an empty body is an
// empty request.
//
// The checks come in this order, each with its own error: the method
// (ErrMethodNotAllowed), the path (ErrUnknownSignal), the project id and
// credentials (a *dsn.Error), the content type (ErrUnsupportedContentType),
// the body (envelope.ErrUnsupportedEncoding, envelope.ErrCorruptBody, a
// *LimitError for MaxBodySize) and its decoding (a *DecodeError or a
// *LimitError). HTTPStatus and WriteError turn each into its OTLP/HTTP
// answer.
func ReadRequest(r *http.Request, opts ...Option) (*Request, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("otlp: %w: %s", ErrMethodNotAllowed, r.Method)
	}
	sig := signalOf(r.URL.Path)
	if sig == 0 {
		return nil, fmt.Errorf("otlp: %w: path %q", ErrUnknownSignal, r.URL.Path)
	}
	req := &Request{Signal: sig}
	project, scoped, err := projectOf(r)
	if err != nil {
		return nil, err
	}
	req.ProjectID = project
	if auth, err := dsn.FromRequest(r); err == nil {
		req.Auth = auth
	} else if scoped {
		return nil, err
	}
	if req.Encoding, err = ParseContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}

	o := buildOptions(opts)
	limit := o.limits.MaxBodySize
	if limit <= 0 {
		limit = math.MaxInt64
	}
	ce := r.Header.Get("Content-Encoding")
	if r.ContentLength > limit && (ce == "" || ce == "identity") {
		// Known too large before reading a byte of it.
		return nil, &LimitError{Limit: "MaxBodySize", Value: r.ContentLength, Max: limit}
	}
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	req.Body, err = envelope.ReadBody(src, ce, limit)
	if err != nil {
		if errors.Is(err, envelope.ErrBodyTooLarge) {
			// ReadBody stops one byte past the limit.
			return nil, &LimitError{Limit: "MaxBodySize", Value: limit + 1, Max: limit}
		}
		return nil, err
	}

	switch sig {
	case SignalTraces:
		if len(req.Body) == 0 {
			req.Traces = &Traces{}
		} else if req.Traces, err = DecodeTraces(req.Body, req.Encoding, opts...); err != nil {
			return nil, err
		}
	case SignalLogs:
		if len(req.Body) == 0 {
			req.Logs = &Logs{}
		} else if req.Logs, err = DecodeLogs(req.Body, req.Encoding, opts...); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// signalOf returns the signal a path's last segment names, or 0.
func signalOf(path string) Signal {
	path = strings.TrimSuffix(path, "/")
	switch path[strings.LastIndexByte(path, '/')+1:] {
	case "traces":
		return SignalTraces
	case "logs":
		return SignalLogs
	}
	return 0
}

// projectOf returns the project of a request and whether its path is one
// of Sentry's project paths, on which credentials are required.
func projectOf(r *http.Request) (id uint64, scoped bool, err error) {
	if r.PathValue("project_id") != "" {
		id, err = dsn.ProjectIDFromRequest(r)
		return id, true, err
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		return 0, false, nil
	}
	s, rest, _ := strings.Cut(rest, "/")
	if !strings.HasPrefix(rest, "otlp/") && !strings.HasPrefix(rest, "integration/otlp/") {
		return 0, false, nil
	}
	// Relay parses the id as a Rust u64, which allows a leading "+".
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, true, badProject(s)
	}
	if id, err = strconv.ParseUint(digits, 10, 64); err != nil {
		return 0, true, badProject(s)
	}
	return id, true, nil
}

func badProject(s string) error {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return &dsn.Error{Kind: dsn.ErrBadProject, Part: "project id", Value: s, Reason: "want an unsigned 64-bit integer"}
}

// A StatusError is an error that chooses its own HTTP answer. A host
// returns one from its export function to refuse a request in a way the
// exporter understands, most often to make it back off:
//
//	return 0, "", &otlp.StatusError{Code: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}
//
// OTLP exporters retry 429, 502, 503 and 504 only, waiting for Retry-After
// when there is one, and drop the data on any other failure.
type StatusError struct {
	// Code is the HTTP status, 400 to 599; anything else means 500.
	Code int
	// RetryAfter, when positive, is sent as the Retry-After header, in
	// whole seconds rounded up.
	RetryAfter time.Duration
	// Err is what went wrong; its text is the message of the answer. With
	// a nil Err the message is the status text.
	Err error
}

func (e *StatusError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return http.StatusText(e.status())
}

// Unwrap returns Err.
func (e *StatusError) Unwrap() error { return e.Err }

func (e *StatusError) status() int {
	if e.Code < 400 || e.Code > 599 {
		return http.StatusInternalServerError
	}
	return e.Code
}

// HTTPStatus returns the HTTP status OTLP/HTTP answers err with: a
// *StatusError's own Code; 405 for ErrMethodNotAllowed; 404 for
// ErrUnknownSignal; 415 for an unsupported Content-Type or
// Content-Encoding; 413 for a limit (a *LimitError, a body over its size,
// an http.MaxBytesError); 401 or 400 for credentials and project ids (see
// dsn.StatusCode); 400 for a body that does not decode; 504 for
// context.DeadlineExceeded, so that exporters retry; and 500 for anything
// else. It is 200 for nil.
func HTTPStatus(err error) int {
	var (
		se  *StatusError
		de  *dsn.Error
		mbe *http.MaxBytesError
	)
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &se):
		return se.status()
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrUnknownSignal):
		return http.StatusNotFound
	case errors.Is(err, ErrUnsupportedContentType), errors.Is(err, envelope.ErrUnsupportedEncoding):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, ErrLimitExceeded), errors.Is(err, envelope.ErrBodyTooLarge), errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &de):
		return dsn.StatusCode(err)
	case errors.Is(err, ErrInvalidProtobuf), errors.Is(err, ErrInvalidJSON), errors.Is(err, envelope.ErrCorruptBody),
		errors.Is(err, ErrInvalidSpanID), errors.Is(err, ErrInvalidTraceID):
		return http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// WriteResponse answers a request that was accepted, in whole or in part,
// with 200 and an Export{Trace,Logs}ServiceResponse in the request's
// encoding. rejected is how many spans or log records were dropped, and
// message says why, in English; with neither the response is empty (zero
// bytes in protobuf, {} in JSON), which is full success. A message without
// rejections is a warning. Exporters do not retry a partial success.
func WriteResponse(w http.ResponseWriter, req *Request, rejected int64, message string) {
	var enc Encoding
	var sig Signal
	if req != nil {
		enc, sig = req.Encoding, req.Signal
	}
	if enc != Protobuf {
		enc = JSON
	}
	body := appendExportResponse(nil, enc, sig, max(rejected, 0), message)
	w.Header().Set("Content-Type", enc.ContentType())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteError answers r, which failed with err, as OTLP/HTTP requires: the
// status of HTTPStatus and a google.rpc.Status body with the matching gRPC
// code and a message for the developer, in the request's encoding, or in
// JSON when its Content-Type is not an OTLP one (as Relay answers 415).
// A *StatusError's RetryAfter becomes a Retry-After header, 405 gets an
// Allow header and an unsupported Content-Encoding the Accept-Encoding
// header of the encodings that are.
//
// The message is the error's text, except for errors HTTPStatus does not
// know (500), whose text might reveal the host's internals: those are
// answered "Internal Server Error". A host that wants its text sent wraps
// the error in a *StatusError.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		err = errors.New("otlp: WriteError called without an error")
	}
	code := HTTPStatus(err)
	h := w.Header()
	var se *StatusError
	switch {
	case errors.As(err, &se):
		if se.RetryAfter > 0 {
			secs := math.Ceil(se.RetryAfter.Seconds())
			h.Set("Retry-After", strconv.FormatFloat(secs, 'f', 0, 64))
		}
	case code == http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodPost)
	case errors.Is(err, envelope.ErrUnsupportedEncoding):
		h.Set("Accept-Encoding", envelope.AcceptEncoding)
	}
	enc := JSON
	if r != nil {
		if e, err := ParseContentType(r.Header.Get("Content-Type")); err == nil {
			enc = e
		}
	}
	body := appendStatus(nil, enc, grpcCode(code), errorMessage(err, se, code))
	h.Set("Content-Type", enc.ContentType())
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// errorMessage is the Status message for err. Missing credentials read as
// Relay's "missing authorization information", which its tests pin; other
// credential errors say what was wrong without this library's "dsn:"
// prefix.
func errorMessage(err error, se *StatusError, code int) string {
	var de *dsn.Error
	switch {
	case se != nil:
		return err.Error()
	case code == http.StatusInternalServerError:
		return http.StatusText(code)
	case errors.As(err, &de) && de.Kind == dsn.ErrMissingAuth:
		return de.Kind.Error()
	case errors.As(err, &de):
		return strings.TrimPrefix(de.Error(), "dsn: ")
	}
	return err.Error()
}

// NewHandler returns an OTLP/HTTP handler: it reads each request with
// ReadRequest and opts, passes it to export, and answers with
// WriteResponse, or with WriteError when reading or export fails. export
// returns how many spans or log records it rejected and why, as for
// WriteResponse; it typically converts the request (ConvertTraces,
// ConvertLogs) and hands the result to the host's pipeline, and reports a
// full pipeline with a *StatusError of 429 or 503.
//
// Route it on the paths exporters post to, for example:
//
//	mux.Handle("POST /v1/traces", h)
//	mux.Handle("POST /v1/logs", h)
//	mux.Handle("POST /api/{project_id}/integration/otlp/v1/", h)
func NewHandler(export func(ctx context.Context, req *Request) (rejected int64, message string, err error), opts ...Option) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := ReadRequest(r, opts...)
		if err == nil {
			var rejected int64
			var message string
			if rejected, message, err = export(r.Context(), req); err == nil {
				WriteResponse(w, req, rejected, message)
				return
			}
		}
		WriteError(w, r, err)
	})
}
