package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// routes are the ServeMux patterns of Relay's envelope and store endpoints,
// as examples/ingest serves them.
var routes = []string{
	"POST /api/{project_id}/envelope/{$}",
	"POST /api/{project_id}/store/{$}",
	"GET /api/{project_id}/store/{$}",
	"POST /api/store/{$}",
}

// proxy filters ingest requests and forwards what is left upstream.
type proxy struct {
	upstream  *url.URL
	client    *http.Client
	logger    *slog.Logger
	rules     []rule
	strip     map[envelope.ItemType]bool
	parseOpts []envelope.Option
	maxBody   int64 // the largest request body read, compressed or not

	// Dedupe: an event whose first group hash was forwarded less than
	// window ago is dropped. grouper is compiled once, at start.
	window  time.Duration
	grouper *grouping.Config
	now     func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time
	stats map[string]int64 // items by outcome: forwarded, failed, dropped:<why>

	mux *http.ServeMux
}

func newProxy(upstream *url.URL, client *http.Client, logger *slog.Logger) *proxy {
	p := &proxy{
		upstream: upstream,
		client:   client,
		logger:   logger,
		strip:    map[envelope.ItemType]bool{},
		maxBody:  envelope.DefaultLimits().MaxEnvelopeSize,
		now:      time.Now,
		seen:     map[string]time.Time{},
		stats:    map[string]int64{},
		mux:      http.NewServeMux(),
	}
	for _, pattern := range routes {
		p.mux.HandleFunc(pattern, p.serve)
	}
	return p
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// count adds n items to an outcome.
func (p *proxy) count(outcome string, n int) {
	p.mu.Lock()
	p.stats[outcome] += int64(n)
	p.mu.Unlock()
}

// snapshot returns a copy of the counts, for the log at shutdown and tests.
func (p *proxy) snapshot() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]int64, len(p.stats))
	for k, v := range p.stats {
		m[k] = v
	}
	return m
}

// errorBody is Relay's error body, {"detail": ..., "causes": [...]}.
type errorBody struct {
	Detail string   `json:"detail"`
	Causes []string `json:"causes,omitempty"`
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	// The body is read whole before ReadRequest sees it: when nothing is
	// removed, these exact bytes go upstream, still compressed.
	var raw []byte
	if r.Body != nil {
		var err error
		raw, err = io.ReadAll(io.LimitReader(r.Body, p.maxBody+1))
		if err != nil {
			p.reject(w, r, err)
			return
		}
		if int64(len(raw)) > p.maxBody {
			p.reject(w, r, &envelope.LimitError{Limit: "max_envelope_size", Item: -1, Offset: p.maxBody, Value: int64(len(raw)), Max: p.maxBody})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
	}
	req, err := envelope.ReadRequest(r, p.parseOpts...)
	if err != nil {
		p.reject(w, r, err)
		return
	}
	env := req.Envelope
	project := strconv.FormatUint(req.ProjectID, 10)
	total := len(env.Items)
	removed := p.filter(r.Context(), env, project)

	body, contentEncoding := raw, r.Header.Get("Content-Encoding")
	if removed > 0 {
		if len(env.Items) == 0 {
			// Relay answers a filtered event as an accepted one: the SDK
			// has nothing to retry, and telling it would only make noise.
			writeAccepted(w, env)
			return
		}
		// Re-framed, the envelope goes uncompressed: the upstream is
		// usually near, and compressing again would cost more CPU than
		// the link saves.
		var buf bytes.Buffer
		if _, err := env.WriteTo(&buf); err != nil {
			p.fail(w, r, project, len(env.Items), http.StatusInternalServerError, "internal error", err)
			return
		}
		body, contentEncoding = buf.Bytes(), ""
	}
	p.forward(w, r, project, body, contentEncoding, removed > 0, total-removed)
}

// filter removes the items to drop from env, logs each and returns how many
// it removed.
func (p *proxy) filter(ctx context.Context, env *envelope.Envelope, project string) int {
	var sdk string
	if s, ok := env.SDK(); ok {
		sdk = s.Name
	}
	dropEvent := ""
	kept := env.Items[:0]
	var removedItems []*envelope.Item
	var reasons []string
	for _, it := range env.Items {
		why := ""
		if p.strip[it.Type()] {
			why = "stripped"
		} else if it.Type() == envelope.TypeEvent {
			if why = p.judge(ctx, it, sdk, project); why != "" {
				dropEvent = why
			}
		}
		if why != "" {
			removedItems = append(removedItems, it)
			reasons = append(reasons, why)
			continue
		}
		kept = append(kept, it)
	}
	// The attachments and user reports of a dropped event would arrive
	// at an upstream that has no event to hang them on.
	if dropEvent != "" {
		k := kept[:0]
		for _, it := range kept {
			if t := it.Type(); t == envelope.TypeAttachment || t == "user_report" {
				removedItems = append(removedItems, it)
				reasons = append(reasons, dropEvent)
				continue
			}
			k = append(k, it)
		}
		kept = k
	}
	clear(env.Items[len(kept):])
	env.Items = kept
	for i, it := range removedItems {
		p.count("dropped:"+reasonKind(reasons[i]), 1)
		p.logger.LogAttrs(ctx, slog.LevelInfo, "dropped",
			slog.String("project", project),
			slog.String("type", string(it.Type())),
			slog.Int("size", len(it.Payload())),
			slog.String("reason", reasons[i]))
	}
	return len(removedItems)
}

// reasonKind turns a reason into its counter name: "rule", "duplicate" or
// "stripped".
func reasonKind(why string) string {
	switch {
	case len(why) >= 5 && why[:5] == "rule ":
		return "rule"
	case why == "stripped":
		return "stripped"
	}
	return "duplicate"
}

// judge says why an event item is to be dropped, or "" to keep it. An event
// that does not decode is kept: the upstream is the one to reject it.
func (p *proxy) judge(ctx context.Context, it *envelope.Item, sdk, project string) string {
	if len(p.rules) == 0 && p.window <= 0 {
		return ""
	}
	ev, err := protocol.DecodeEvent(it.Payload())
	if err != nil {
		p.logger.LogAttrs(ctx, slog.LevelWarn, "event not decoded, forwarded unfiltered",
			slog.String("project", project), slog.Any("error", err))
		return ""
	}
	for i := range p.rules {
		if p.rules[i].matches(ev, sdk) {
			return "rule " + p.rules[i].text
		}
	}
	if p.window <= 0 {
		return ""
	}
	res := p.grouper.Group(ev)
	if len(res.Hashes) == 0 {
		return ""
	}
	key := project + "/" + res.Hashes[0]
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if last, ok := p.seen[key]; ok && now.Sub(last) < p.window {
		return "duplicate of group " + res.Hashes[0]
	}
	p.seen[key] = now
	// Forget what is past the window now and then, so that the map stays
	// the size of one window's groups.
	if len(p.seen) > 4096 {
		for k, t := range p.seen {
			if now.Sub(t) >= p.window {
				delete(p.seen, k)
			}
		}
	}
	return ""
}

// hopHeaders are the per-connection headers a proxy does not pass on
// (RFC 9110, section 7.6.1), with the ones it sets itself.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true,
	"Upgrade": true, "Content-Length": true, "Host": true,
}

func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		if !hopHeaders[k] {
			dst[k] = append([]string(nil), vs...)
		}
	}
}

// forward sends body to the upstream on the request's path and query, with
// its headers (the credentials among them), and answers with the
// upstream's status, headers and body. n is the number of items sent.
func (p *proxy) forward(w http.ResponseWriter, r *http.Request, project string, body []byte, contentEncoding string, reframed bool, n int) {
	u := *p.upstream
	u.Path = joinPath(p.upstream.Path, r.URL.Path)
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	var rd io.Reader
	if r.Method != http.MethodGet {
		rd = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), rd)
	if err != nil {
		p.fail(w, r, project, n, http.StatusInternalServerError, "internal error", err)
		return
	}
	copyHeaders(out.Header, r.Header)
	out.Header.Del("Content-Encoding")
	if contentEncoding != "" {
		out.Header.Set("Content-Encoding", contentEncoding)
	}
	if reframed {
		out.Header.Set("Content-Type", envelope.ContentTypeEnvelope)
	}
	// Relay takes the user's IP address ({{auto}}) from X-Forwarded-For;
	// without it every event would seem to come from the proxy.
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			ip = prior + ", " + ip
		}
		out.Header.Set("X-Forwarded-For", ip)
	}
	if out.Header.Get("User-Agent") == "" {
		out.Header["User-Agent"] = nil // Go's own would hide that the SDK sent none
	}
	resp, err := p.client.Do(out)
	if err != nil {
		if isTimeout(err) {
			p.fail(w, r, project, n, http.StatusGatewayTimeout, "upstream request timed out", err)
		} else {
			p.fail(w, r, project, n, http.StatusBadGateway, "could not send request to upstream", err)
		}
		return
	}
	defer resp.Body.Close()
	copyHeaders(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	_, copyErr := io.Copy(w, resp.Body)
	outcome := "forwarded"
	level := slog.LevelInfo
	if resp.StatusCode >= 400 {
		// The upstream refused them; the client hears so and may retry.
		outcome, level = "refused", slog.LevelWarn
	}
	p.count(outcome, n)
	p.logger.LogAttrs(r.Context(), level, outcome,
		slog.String("project", project),
		slog.String("path", r.URL.Path),
		slog.Int("items", n),
		slog.Bool("reframed", reframed),
		slog.Int("status", resp.StatusCode),
		slog.Any("copy_error", copyErr))
}

// joinPath puts the request path under the upstream's base path, so that
// an upstream of https://host/relay gets /relay/api/42/envelope/.
func joinPath(base, path string) string {
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + path
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// reject answers a request that could not be read, as Relay would.
func (p *proxy) reject(w http.ResponseWriter, r *http.Request, err error) {
	p.count("rejected requests", 1)
	p.logger.LogAttrs(r.Context(), slog.LevelWarn, "rejected",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", envelope.StatusCode(err)),
		slog.Any("error", err))
	envelope.WriteError(w, err)
}

// fail answers a request whose items were not delivered, with Relay's error
// body, and counts and logs each of them as failed.
func (p *proxy) fail(w http.ResponseWriter, r *http.Request, project string, n, status int, detail string, err error) {
	p.count("failed", n)
	p.logger.LogAttrs(r.Context(), slog.LevelError, "not forwarded",
		slog.String("project", project),
		slog.String("path", r.URL.Path),
		slog.Int("items", n),
		slog.Int("status", status),
		slog.Any("error", err))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.MarshalWrite(w, errorBody{Detail: detail, Causes: []string{err.Error()}})
}

// writeAccepted answers an envelope that was filtered away whole as Relay
// answers an accepted one.
func writeAccepted(w http.ResponseWriter, env *envelope.Envelope) {
	var resp struct {
		ID string `json:"id,omitempty"`
	}
	if id, ok := env.EventID(); ok {
		resp.ID = id.String()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.MarshalWrite(w, resp)
}
