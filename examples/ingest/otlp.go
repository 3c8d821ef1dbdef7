package main

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/otlp"
)

// otlpRoutes are where OpenTelemetry exporters post: OTLP/HTTP's default
// paths, for an exporter pointed at this server's address, and Relay's,
// for one configured with a Sentry project's OTLP endpoint and key. The
// trailing-slash forms are Relay's too.
var otlpRoutes = []string{
	"POST /v1/traces",
	"POST /v1/logs",
	"POST /api/{project_id}/integration/otlp/v1/traces",
	"POST /api/{project_id}/integration/otlp/v1/traces/{$}",
	"POST /api/{project_id}/integration/otlp/v1/logs",
	"POST /api/{project_id}/integration/otlp/v1/logs/{$}",
	"POST /api/{project_id}/otlp/v1/traces",
	"POST /api/{project_id}/otlp/v1/traces/{$}",
}

// export converts an OTLP request into the envelope an SDK would have
// sent (spans, transactions for complete trees, error events for
// recorded exceptions, logs) and hands it to the same logging and dumping
// as SDK envelopes: one server, two protocols. Spans that could not be
// converted are answered as a partial success.
func (h *handler) export(ctx context.Context, req *otlp.Request) (int64, string, error) {
	var res *otlp.Result
	if req.Signal == otlp.SignalLogs {
		res = otlp.ConvertLogs(req.Logs)
	} else {
		res = otlp.ConvertTraces(req.Traces, otlp.WithTransactions(true), otlp.WithErrorEvents(true))
	}
	envs, err := res.Envelopes()
	if err != nil {
		return 0, "", err
	}
	project := strconv.FormatUint(req.ProjectID, 10)
	for _, env := range envs {
		if h.dumpDir != "" {
			path, err := h.dump(project, env)
			if err != nil {
				h.logger.LogAttrs(ctx, slog.LevelError, "dump failed", slog.Any("error", err))
				return 0, "", err
			}
			h.logger.LogAttrs(ctx, slog.LevelInfo, "dumped", slog.String("project", project), slog.String("file", path))
		}
		h.accepted(ctx, &envelope.Request{ProjectID: req.ProjectID, Auth: req.Auth, Envelope: env}, project,
			slog.String("otlp", req.Signal.String()+"/"+req.Encoding.String()))
	}
	for _, r := range res.Rejected {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "rejected span", slog.String("project", project), slog.Any("error", r))
	}
	if n := len(res.Rejected); n > 0 {
		return int64(n), res.Rejected[0].Error(), nil
	}
	return 0, "", nil
}

// ingestOTLP answers an OTLP request as ingest answers envelopes: read,
// log a rejection with its status, or convert and log every item.
func (h *handler) ingestOTLP(w http.ResponseWriter, r *http.Request) {
	req, err := otlp.ReadRequest(r)
	if err == nil {
		var rejected int64
		var message string
		if rejected, message, err = h.export(r.Context(), req); err == nil {
			otlp.WriteResponse(w, req, rejected, message)
			return
		}
	}
	h.rejected(r, otlp.HTTPStatus(err), err)
	otlp.WriteError(w, r, err)
}
