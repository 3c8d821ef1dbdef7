package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/go-json-experiment/json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
)

// publishTimeout bounds the wait for JetStream's ack. An SDK waits for its
// answer, and a 503 after a few seconds, which it retries, beats a hang.
const publishTimeout = 5 * time.Second

// queue publishes accepted envelopes to JetStream, for natsworker.
type queue struct {
	nc *nats.Conn
	js jetstream.JetStream
}

// dialQueue connects to the NATS server at url and creates the work-queue
// stream if it is missing. The first connection must succeed, so that a
// wrong URL fails at start; after that the client reconnects for as long as
// it takes, and requests that arrive meanwhile get 503 (see publish).
func dialQueue(ctx context.Context, url string, logger *slog.Logger) (*queue, error) {
	nc, err := nats.Connect(url,
		nats.Name("sentrywire-ingest"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		// No buffering while disconnected: a publish then fails at once and
		// the SDK, answered 503, retries, rather than waiting on a buffer
		// that a long outage would overflow anyway.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			logger.Warn("nats disconnected", "error", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "url", nc.ConnectedUrl())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("nats: connect to %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := js.CreateOrUpdateStream(ctx, natsqueue.EnvelopeStreamConfig()); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: stream %s: %w", natsqueue.EnvelopeStream, err)
	}
	return &queue{nc: nc, js: js}, nil
}

// limit lowers the size limits to what one NATS message can carry, so that
// a larger envelope gets Relay's 413 instead of a 503 an SDK would retry
// forever. The headroom is for the NATS headers.
func (q *queue) limit(l envelope.Limits) envelope.Limits {
	max := q.nc.MaxPayload() - 4<<10
	if max <= 0 {
		return l
	}
	if l.MaxEnvelopeSize == 0 || l.MaxEnvelopeSize > max {
		l.MaxEnvelopeSize = max
	}
	if l.MaxEventSize == 0 || l.MaxEventSize > max {
		l.MaxEventSize = max
	}
	return l
}

// close flushes what is under way and disconnects.
func (q *queue) close() { _ = q.nc.Drain() }

// publish queues the envelope of req and returns once JetStream has stored
// it. The payload is the envelope as received after decompression (as -dump
// writes it): the ingest had to decompress it to check the limits, and a
// worker then only parses. The message id is the event id when the envelope
// has one, which an SDK keeps when it retries, and a hash of the bytes
// otherwise; JetStream stores a retried publish once.
func (q *queue) publish(ctx context.Context, req *envelope.Request, project string) error {
	data, err := req.Envelope.MarshalBinary()
	if err != nil {
		return err
	}
	m := nats.NewMsg(natsqueue.EnvelopeSubject + project)
	m.Data = data
	m.Header.Set(natsqueue.HeaderProject, project)
	m.Header.Set(natsqueue.HeaderAuthSource, req.Auth.Source.String())
	m.Header.Set(natsqueue.HeaderPublicKey, req.Auth.PublicKey)
	if req.Auth.Client != "" {
		m.Header.Set(natsqueue.HeaderClient, req.Auth.Client)
	}
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	_, err = q.js.PublishMsg(ctx, m, jetstream.WithMsgID(messageID(project, req.Envelope, data)))
	return err
}

// messageID is the Nats-Msg-Id of an envelope: project and event id, or
// project and a hash of the bytes for envelopes without an event (sessions,
// client reports), whose retries are the same bytes.
func messageID(project string, env *envelope.Envelope, data []byte) string {
	if id, ok := env.EventID(); ok {
		return project + "/" + id.String()
	}
	return project + "/xxh-" + strconv.FormatUint(xxhash.Sum64(data), 16)
}

// queueFailed answers a request whose envelope JetStream did not store.
// The envelope was fine, so this is the server's fault and temporary: 503,
// which SDKs retry, with Relay's error body. An envelope over the NATS
// message size is the exception: retrying cannot help, so it gets Relay's
// 413.
func (h *handler) queueFailed(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusServiceUnavailable
	if errors.Is(err, nats.ErrMaxPayload) {
		status = http.StatusRequestEntityTooLarge
	}
	h.logger.LogAttrs(r.Context(), slog.LevelError, "not queued", slog.Int("status", status), slog.Any("error", err))
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	_ = json.MarshalWrite(w, struct {
		Detail string   `json:"detail"`
		Causes []string `json:"causes,omitzero"`
	}{Detail: "failed to queue envelope", Causes: []string{err.Error()}})
}

// withQueue makes the handler publish every accepted envelope to q and
// answer only once JetStream stored it.
func withQueue(q *queue) option {
	return func(h *handler) { h.queue = q }
}
