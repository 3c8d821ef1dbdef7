// Package sdkcapture records the HTTP traffic that real Sentry SDKs send, so
// that sentrywire's tests, benchmarks and fuzz seeds can run on genuine bytes
// instead of hand-written approximations of them.
//
// The package lives in its own Go module on purpose: it drives sentry-go, a
// Node.js SDK and a Python SDK, and none of those dependencies may leak into
// the import graph of the sentrywire library itself.
//
// The central type is [Server], a loopback HTTP server that stores every
// request exactly as it arrived. Bodies are kept before any decompression,
// because what sentrywire has to cope with is the wire form: a gzip stream
// from sentry-python's store endpoint is a different fuzz seed than the JSON
// inside it.
//
// The server is also sentrywire's first real client test: it hands every
// request to envelope.ReadRequest and answers with what the library decided,
// so each SDK run proves that genuine traffic authenticates, decodes and
// parses, and the SDKs see the answers a Sentry ingest endpoint would give.
package sdkcapture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// PublicKey is the fake DSN public key every capture uses. It has the
// 32-hex-digit shape Relay insists on, and it is obviously not a real key,
// so committed captures leak nothing.
const PublicKey = "0123456789abcdef0123456789abcdef"

// ProjectID is the fake project id in every capture's DSN and endpoint path.
const ProjectID = "42"

// Request is one HTTP request as the capture server saw it, together with
// what sentrywire made of it.
type Request struct {
	Method string
	// Path is the request path without the query, e.g. /api/42/envelope/.
	Path string
	// RawQuery is the undecoded query string; SDKs that authenticate through
	// the query (the browser SDK, for instance) put sentry_key here.
	RawQuery string
	// Header holds every request header. Go canonicalises the names
	// (x-sentry-auth becomes X-Sentry-Auth); the values are untouched.
	Header http.Header
	// Body is the raw body, still compressed if Content-Encoding says so.
	Body []byte

	// Ingest is what envelope.ReadRequest returned for the request: the
	// credentials and the parsed envelope. It is nil when IngestErr is set.
	Ingest *envelope.Request
	// IngestErr is the error envelope.ReadRequest returned, which the server
	// also sent back to the SDK with envelope.WriteError. A request to a path
	// that is no ingest endpoint has errNotIngest here.
	IngestErr error
}

// DecodedBody returns the body with any Content-Encoding the capture tests
// know about (gzip) removed. Other encodings are returned as an error rather
// than guessed at, so a new SDK behaviour shows up as a test failure.
func (r Request) DecodedBody() ([]byte, error) {
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return r.Body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(r.Body))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		return io.ReadAll(zr)
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}

// Server is a loopback HTTP server that records every request it receives
// and answers it as a Sentry ingest endpoint would, through sentrywire: a
// request the library accepts gets 200 and the event id, one it rejects gets
// Relay's error status and body. The SDKs under test therefore talk to the
// library, not to a stub that says yes to anything.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []Request
	arrived  chan struct{} // receives a token per recorded request
}

// errNotIngest marks a recorded request that no ingest route matched.
var errNotIngest = errors.New("sdkcapture: not an ingest endpoint")

// NewServer starts a capture server on 127.0.0.1 and stops it when the test
// ends.
//
// Its routes are the ServeMux patterns an ingest server registers, so that
// envelope.ReadRequest finds the {project_id} path value it needs. Anything
// else is still recorded, and answered 404, so that an SDK that posts to an
// unexpected URL shows up in the tests instead of vanishing.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1024)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project_id}/envelope/", s.handleIngest)
	mux.HandleFunc("POST /api/{project_id}/store/", s.handleIngest)
	// Like Relay, the store endpoint also takes a GET with the event in
	// ?sentry_data=. No SDK here sends one, but an ingest server routes it.
	mux.HandleFunc("GET /api/{project_id}/store/", s.handleIngest)
	mux.HandleFunc("/", s.handleOther)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.URL }

// DSN returns a DSN that points every SDK at this server, using the fake
// [PublicKey] and [ProjectID].
func (s *Server) DSN() string {
	host := strings.TrimPrefix(s.srv.URL, "http://")
	return "http://" + PublicKey + "@" + host + "/" + ProjectID
}

// read copies the request line and headers of r and reads its whole body.
// The body is read before anything is answered: an SDK that sees the
// response early may close the connection, and a truncated body would be a
// lie in testdata.
func read(r *http.Request) (Request, error) {
	body, err := io.ReadAll(r.Body)
	return Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
	}, err
}

// record stores req and signals its arrival to Settle.
func (s *Server) record(req Request) {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	s.arrived <- struct{}{}
}

// handleIngest serves the envelope and store endpoints. The raw body is
// recorded as it arrived, and envelope.ReadRequest reads a copy of the
// request whose Body replays those bytes: the library sees exactly what the
// SDK sent, compression included, and the capture keeps it too.
func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	req, err := read(r)
	if err != nil {
		// The connection broke mid-body; there is nothing worth recording.
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Clone keeps the path values the mux matched, which ReadRequest reads
	// the project id from.
	lib := r.Clone(r.Context())
	lib.Body = io.NopCloser(bytes.NewReader(req.Body))
	req.Ingest, req.IngestErr = envelope.ReadRequest(lib)
	s.record(req)

	if req.IngestErr != nil {
		envelope.WriteError(w, req.IngestErr)
		return
	}
	// Sentry answers both endpoints with the event id when there is one.
	// SDKs mostly ignore the body, but echoing it keeps the exchange real.
	w.Header().Set("Content-Type", "application/json")
	if id, ok := req.Ingest.Envelope.EventID(); ok {
		fmt.Fprintf(w, `{"id":%q}`, id)
		return
	}
	io.WriteString(w, "{}")
}

// handleOther records a request no ingest route matched and answers 404.
func (s *Server) handleOther(w http.ResponseWriter, r *http.Request) {
	req, err := read(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.IngestErr = errNotIngest
	s.record(req)
	http.NotFound(w, r)
}

// Requests returns a copy of everything recorded so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Reset forgets all recorded requests, so one server can serve several
// scenarios in sequence.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	for {
		select {
		case <-s.arrived:
		default:
			return
		}
	}
}

// Settle waits until no request has arrived for quiet, or until max has
// passed, and returns what was recorded. SDKs send some data (client
// reports, session updates) on their own schedule after a flush returns, so
// a short quiet period catches those stragglers without fixed sleeps.
func (s *Server) Settle(quiet, max time.Duration) []Request {
	deadline := time.After(max)
	for {
		select {
		case <-s.arrived:
		case <-time.After(quiet):
			return s.Requests()
		case <-deadline:
			return s.Requests()
		}
	}
}

// capturedMeta is the JSON sidecar written next to each body. Header values
// are joined with ", " only when an SDK repeated a header, which none do
// today; keeping a flat map makes the files easy to read.
type capturedMeta struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	// BodyBytes is the length of the raw body file, for a quick sanity check
	// that the body was not truncated or re-encoded when it was committed.
	BodyBytes int `json:"body_bytes"`
}

// unstableHeaders vary per run (the server port) or are connection plumbing
// that says nothing about the SDK; they are left out of the sidecar so that
// regenerating captures produces smaller diffs.
var unstableHeaders = []string{"Host", "Connection"}

// WriteFiles stores reqs as <dir>/<scenario>.<n>.body (the raw bytes) and
// <dir>/<scenario>.<n>.json (method, path, query, headers), numbering from 0
// in arrival order. Stale files of the same scenario are removed first so
// that a scenario that now sends fewer requests does not keep old ones.
func WriteFiles(dir, scenario string, reqs []Request) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stale, err := filepath.Glob(filepath.Join(dir, scenario+".*"))
	if err != nil {
		return err
	}
	for _, f := range stale {
		// Only numbered captures belong to this scenario; "error" must not
		// delete "error-chain" files, which the glob also matches.
		rest := strings.TrimPrefix(filepath.Base(f), scenario+".")
		num, _, _ := strings.Cut(rest, ".")
		if num == "" || strings.Trim(num, "0123456789") != "" {
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for i, r := range reqs {
		meta := capturedMeta{
			Method:    r.Method,
			Path:      r.Path,
			Query:     r.RawQuery,
			Headers:   map[string]string{},
			BodyBytes: len(r.Body),
		}
		for k, v := range r.Header {
			if slices.Contains(unstableHeaders, k) {
				continue
			}
			meta.Headers[k] = strings.Join(v, ", ")
		}
		// Deterministic, indented output: json v2 sorts map keys.
		js, err := json.Marshal(meta, json.Deterministic(true), jsontext.WithIndent("  "))
		if err != nil {
			return err
		}
		base := filepath.Join(dir, fmt.Sprintf("%s.%d", scenario, i))
		if err := os.WriteFile(base+".body", r.Body, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".json", append(js, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
