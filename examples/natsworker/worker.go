package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
	"github.com/sentrywire/sentrywire/grouping"
)

// A worker consumes queued envelopes. One goroutine (the consume callback)
// parses and groups and publishes the results without waiting for
// JetStream; another waits for those publishes, in order, and acks each
// envelope when all its results are stored. The pipeline keeps the parsing
// goroutine busy instead of idle for a round trip per envelope, which is
// what makes one worker use a whole core.
type worker struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	cfg     *grouping.Config
	logger  *slog.Logger
	cc      jetstream.ConsumeContext
	pending chan pending
	acked   chan struct{} // closed when the acking goroutine is done

	envelopes, results atomic.Int64 // acked envelopes, results published
}

// pending is an envelope whose results are on their way to JetStream.
type pending struct {
	msg  jetstream.Msg
	acks []jetstream.PubAckFuture
	err  error // a result that could not even be sent
}

// start connects, creates the streams and the durable consumer if they
// are missing, and starts consuming.
func start(ctx context.Context, c config, cfg *grouping.Config, logger *slog.Logger) (*worker, error) {
	nc, err := nats.Connect(c.url,
		nats.Name("sentrywire-natsworker"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			logger.Warn("nats disconnected", "error", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "url", nc.ConnectedUrl())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("nats: connect to %s: %w", c.url, err)
	}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(4*c.batch),
		// A result whose ack never comes (the server went away) fails its
		// envelope, which is then delivered again, rather than holding it.
		jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	w := &worker{nc: nc, js: js, cfg: cfg, logger: logger,
		pending: make(chan pending, c.batch), acked: make(chan struct{})}
	setup, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cons, err := w.setup(setup, c)
	if err != nil {
		nc.Close()
		return nil, err
	}
	go w.ack()
	w.cc, err = cons.Consume(w.handle,
		jetstream.PullMaxMessages(c.batch),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			logger.Warn("consume", "error", err)
		}))
	if err != nil {
		close(w.pending)
		nc.Close()
		return nil, fmt.Errorf("nats: consume: %w", err)
	}
	return w, nil
}

func (w *worker) setup(ctx context.Context, c config) (jetstream.Consumer, error) {
	for _, sc := range []jetstream.StreamConfig{natsqueue.EnvelopeStreamConfig(), natsqueue.ResultStreamConfig()} {
		if _, err := w.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return nil, fmt.Errorf("nats: stream %s: %w", sc.Name, err)
		}
	}
	cons, err := w.js.CreateOrUpdateConsumer(ctx, natsqueue.EnvelopeStream, jetstream.ConsumerConfig{
		Durable:    c.consumer,
		AckPolicy:  jetstream.AckExplicitPolicy,
		AckWait:    c.ackWait,
		MaxDeliver: c.maxDeliver,
		// Enough for every worker's batch and the results in flight.
		MaxAckPending: 64 * c.batch,
	})
	if err != nil {
		return nil, fmt.Errorf("nats: consumer %s: %w", c.consumer, err)
	}
	return cons, nil
}

// handle processes one envelope and publishes its results.
func (w *worker) handle(msg jetstream.Msg) {
	h := msg.Headers()
	base := result{Envelope: h.Get(nats.MsgIdHdr), Project: h.Get(natsqueue.HeaderProject)}
	if base.Envelope == "" {
		if md, err := msg.Metadata(); err == nil {
			base.Envelope = "seq-" + strconv.FormatUint(md.Sequence.Stream, 10)
		}
	}
	subject := natsqueue.ResultSubject + subjectToken(base.Project)
	p := pending{msg: msg}
	for _, r := range process(msg.Data(), w.cfg, base) {
		if r.Error != "" {
			w.logger.Warn("not processed", "envelope", r.Envelope, "project", r.Project, "item", r.Item, "client", h.Get(natsqueue.HeaderClient), "error", r.Error)
		}
		m := nats.NewMsg(subject)
		var err error
		if m.Data, err = json.Marshal(&r); err == nil {
			var f jetstream.PubAckFuture
			if f, err = w.js.PublishMsgAsync(m, jetstream.WithMsgID(r.msgID())); err == nil {
				p.acks = append(p.acks, f)
				continue
			}
		}
		p.err = err
		break
	}
	w.pending <- p
}

// ack acks, in order, each envelope whose results JetStream stored, and
// asks for the others to be delivered again in a second.
func (w *worker) ack() {
	defer close(w.acked)
	for p := range w.pending {
		err := p.err
		for _, f := range p.acks {
			select {
			case <-f.Ok():
			case e := <-f.Err():
				if err == nil {
					err = e
				}
			}
		}
		if err != nil {
			w.logger.Warn("results not stored; envelope to be delivered again", "subject", p.msg.Subject(), "error", err)
			_ = p.msg.NakWithDelay(time.Second)
			continue
		}
		if err := p.msg.Ack(); err != nil {
			// JetStream delivers it again after the ack wait; its results
			// are then duplicates, which the Nats-Msg-Id makes it drop.
			w.logger.Warn("ack", "error", err)
			continue
		}
		w.envelopes.Add(1)
		w.results.Add(int64(len(p.acks)))
	}
}

// stop finishes the envelopes pulled so far, acks them and disconnects.
func (w *worker) stop() {
	w.cc.Drain()
	select {
	case <-w.cc.Closed():
	case <-time.After(10 * time.Second):
		// The server is gone: what is not acked is delivered again.
		w.cc.Stop()
		<-w.cc.Closed()
	}
	close(w.pending)
	<-w.acked
	_ = w.nc.FlushTimeout(5 * time.Second)
	w.nc.Close()
}

// subjectToken makes a project id safe as a subject token: the ingest
// sets digits, and anything else lands in "unknown" rather than breaking
// the subject.
func subjectToken(project string) string {
	if project == "" {
		return "unknown"
	}
	for i := 0; i < len(project); i++ {
		if project[i] < '0' || project[i] > '9' {
			return "unknown"
		}
	}
	return project
}
