package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/sentrywire/sentrywire/envelope"
)

// routes are the ServeMux patterns of Relay's envelope and store endpoints.
// The {project_id} wildcard is where envelope.ReadRequest finds the project.
// Every pattern ends in {$} so that, as in Relay, only the exact endpoint
// matches: without it a pattern ending in a slash also matches every path
// below it, and the legacy /api/store/ would then collide with
// /api/{project_id}/store/ on a path like /api/store/store/.
var routes = []string{
	"POST /api/{project_id}/envelope/{$}",
	"POST /api/{project_id}/store/{$}",
	"GET /api/{project_id}/store/{$}", // browser beacons: the event is in ?sentry_data=
	"POST /api/store/{$}",             // the oldest SDKs: no project in the path
}

// handler answers ingest requests the way Relay does and logs what arrives.
type handler struct {
	logger    *slog.Logger
	dumpDir   string
	parseOpts []envelope.Option
	issues    *tracker // nil: nothing is grouped or counted
	queue     *queue   // non-nil with -nats: accepted envelopes go to JetStream

	all, otlpOnly *http.ServeMux
}

// An option configures newHandler.
type option func(*handler)

// withDumpDir makes the handler write every accepted envelope to a file in
// dir, named <unix-nanos>-<project>.envelope, for replaying with the
// sentrywire command.
func withDumpDir(dir string) option {
	return func(h *handler) { h.dumpDir = dir }
}

// withTracker makes the handler group every accepted event into issues
// and count the other items, in t.
func withTracker(t *tracker) option {
	return func(h *handler) { h.issues = t }
}

// withEnvelopeOptions passes options, such as envelope.WithLimits, to
// envelope.ReadRequest.
func withEnvelopeOptions(opts ...envelope.Option) option {
	return func(h *handler) { h.parseOpts = append(h.parseOpts, opts...) }
}

// newHandler returns the ingest endpoints. It logs one line per accepted
// item and one per rejected request to logger.
func newHandler(logger *slog.Logger, opts ...option) *handler {
	h := &handler{logger: logger, all: http.NewServeMux(), otlpOnly: http.NewServeMux()}
	for _, o := range opts {
		o(h)
	}
	for _, pattern := range routes {
		h.all.HandleFunc(pattern, h.ingest)
	}
	for _, pattern := range otlpRoutes {
		h.all.HandleFunc(pattern, h.ingestOTLP)
		h.otlpOnly.HandleFunc(pattern, h.ingestOTLP)
	}
	return h
}

// ServeHTTP serves every endpoint, Sentry's and OTLP's.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.all.ServeHTTP(w, r) }

// otlpHandler serves only the OTLP endpoints, for OTLP's own port, where
// an exporter with default settings posts and an SDK has no business.
// It shares the issues and counts with the main handler.
func (h *handler) otlpHandler() http.Handler { return h.otlpOnly }

// accepted logs the items of an accepted envelope and records them in the
// issue table.
func (h *handler) accepted(ctx context.Context, req *envelope.Request, project string, extra ...slog.Attr) {
	h.logItems(ctx, req, project, extra...)
	if h.issues == nil {
		return
	}
	if err := h.issues.observe(req.Envelope); err != nil {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "event not grouped", slog.String("project", project), slog.Any("error", err))
	}
}

// rejected logs a request answered with an error and counts it.
func (h *handler) rejected(r *http.Request, status int, err error) {
	h.logger.LogAttrs(r.Context(), slog.LevelWarn, "rejected",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Any("error", err))
	if h.issues != nil {
		h.issues.rejected()
	}
}

// response is the body of a successful answer: the event id, as Relay
// answers, or {} for an envelope without one (sessions, client reports).
type response struct {
	ID string `json:"id,omitempty"`
}

func (h *handler) ingest(w http.ResponseWriter, r *http.Request) {
	req, err := envelope.ReadRequest(r, h.parseOpts...)
	if err != nil {
		h.rejected(r, envelope.StatusCode(err), err)
		envelope.WriteError(w, err)
		return
	}
	env := req.Envelope
	project := strconv.FormatUint(req.ProjectID, 10)

	if h.dumpDir != "" {
		path, err := h.dump(project, env)
		if err != nil {
			// The envelope was fine but the operator asked for a copy and
			// will not get one: better a 500, which SDKs retry, than a
			// silent gap in the dump.
			h.logger.LogAttrs(r.Context(), slog.LevelError, "dump failed", slog.Any("error", err))
			if h.issues != nil {
				h.issues.rejected()
			}
			envelope.WriteError(w, err)
			return
		}
		h.logger.LogAttrs(r.Context(), slog.LevelInfo, "dumped", slog.String("project", project), slog.String("file", path))
	}

	if h.queue != nil {
		if err := h.queue.publish(r.Context(), req, project); err != nil {
			h.queueFailed(w, r, err)
			return
		}
	}

	h.accepted(r.Context(), req, project)

	var resp response
	if id, ok := env.EventID(); ok {
		resp.ID = id.String()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.MarshalWrite(w, resp)
}

// logItems writes one line per item: who sent it, and what it is. extra
// attributes go on every line.
func (h *handler) logItems(ctx context.Context, req *envelope.Request, project string, extra ...slog.Attr) {
	common := []slog.Attr{
		slog.String("project", project),
		slog.String("auth", req.Auth.Source.String()),
	}
	common = append(common, extra...)
	if sdk, ok := req.Envelope.SDK(); ok {
		common = append(common, slog.String("sdk", sdk.Name+"/"+sdk.Version))
	}
	// A store request has no envelope header of the SDK's; the client
	// named in its credentials is then the only trace of who sent it.
	if req.Auth.Client != "" {
		common = append(common, slog.String("client", req.Auth.Client))
	}
	for i, it := range req.Envelope.Items {
		// The three-index slice makes append copy rather than write into
		// common's spare capacity, which every item shares.
		attrs := append(common[:len(common):len(common)],
			slog.Int("item", i),
			slog.String("type", string(it.Type())))
		if ct := it.ContentType(); ct != "" {
			attrs = append(attrs, slog.String("content_type", ct))
		}
		if fn := it.Filename(); fn != "" {
			attrs = append(attrs, slog.String("filename", fn))
		}
		// The header's own value, not AttachmentType(), which supplies
		// Relay's default for attachments that do not name one.
		if at, ok := it.GetString("attachment_type"); ok {
			attrs = append(attrs, slog.String("attachment_type", at))
		}
		attrs = append(attrs, slog.Int("size", len(it.Payload())))
		if n, ok := it.ItemCount(); ok && it.IsContainer() {
			attrs = append(attrs, slog.Int64("item_count", n))
		}
		h.logger.LogAttrs(ctx, slog.LevelInfo, "item", attrs...)
	}
}

// dump writes env to a new file in the dump directory and returns its path.
// Two envelopes in the same nanosecond must not overwrite each other, so
// the file is created exclusively and a taken name moves on to the next
// nanosecond.
func (h *handler) dump(project string, env *envelope.Envelope) (string, error) {
	for n := time.Now().UnixNano(); ; n++ {
		path := filepath.Join(h.dumpDir, fmt.Sprintf("%d-%s.envelope", n, project))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = env.WriteTo(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path) // a partial envelope would only confuse a replay
			return "", err
		}
		return path, nil
	}
}
