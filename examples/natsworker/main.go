// Command natsworker parses, decodes and groups the envelopes that
// examples/ingest -nats queues on NATS JetStream, so that the work scales
// past one process and one machine on a messaging system a host already
// runs:
//
//	go run ./examples/ingest -nats nats://127.0.0.1:4222
//	go run ./examples/natsworker -nats nats://127.0.0.1:4222   # as many as there are cores
//
// Every worker pulls from the same durable consumer of the work-queue
// stream SENTRYWIRE_ENVELOPES, so JetStream hands each envelope to one of
// them. For each event and transaction a worker publishes a JSON result,
//
//	{"envelope":"42/9ec7...","project":"42","item":0,"type":"event","event_id":"9ec7...","group":"<first hash>","title":"..."}
//
// to the stream SENTRYWIRE_RESULTS under sentrywire.results.<project>
// (one result with no type for an envelope without events), and acks the
// envelope only once JetStream has stored every result. A worker that dies
// leaves its envelopes unacked; JetStream delivers them again after
// -ack-wait, to any worker, at most -max-deliver times. A result's
// Nats-Msg-Id is the event id and group hash, so a redelivered envelope's
// results are stored once (within two minutes; after that a duplicate is
// still recognisable by its event id). An envelope that does not parse is
// logged, published as a result with an "error" field and acked, never
// delivered again.
//
// Parsing and grouping are single-threaded in a worker, as they are cheap
// per envelope and JetStream spreads the envelopes: run one worker per
// core (GOMAXPROCS=1 each is enough). The worker stops gracefully on
// SIGINT or SIGTERM: it finishes and acks the envelopes it holds.
//
// Usage:
//
//	go run ./examples/natsworker [-nats URL] [-consumer NAME] [-ack-wait D] [-max-deliver N]
//	    [-batch N] [-grouping-config ID] [-cpuprofile FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
	"github.com/sentrywire/sentrywire/grouping"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// config is the command line.
type config struct {
	url        string
	consumer   string
	ackWait    time.Duration
	maxDeliver int
	batch      int
	grouping   string
	cpuProfile string
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("natsworker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.url, "nats", nats.DefaultURL, "NATS server `URL`")
	fs.StringVar(&c.consumer, "consumer", "natsworker", "durable consumer `NAME` the workers share")
	fs.DurationVar(&c.ackWait, "ack-wait", 30*time.Second, "how long JetStream waits for an ack before it delivers an envelope again")
	fs.IntVar(&c.maxDeliver, "max-deliver", 20, "how often JetStream delivers an envelope at most")
	fs.IntVar(&c.batch, "batch", 256, "envelopes a worker pulls ahead of its work")
	fs.StringVar(&c.grouping, "grouping-config", grouping.DefaultConfig,
		"grouping config `ID`: "+grouping.Newstyle2026+" (new projects) or "+grouping.Newstyle2023)
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE`, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintf(stderr, "natsworker: %v\n", err)
		return c, err
	}
	if c.batch < 1 || c.maxDeliver < 1 || c.ackWait <= 0 {
		err := errors.New("-batch and -max-deliver must be at least 1, -ack-wait positive")
		fmt.Fprintf(stderr, "natsworker: %v\n", err)
		return c, err
	}
	return c, nil
}

// run works until SIGINT or SIGTERM and returns the exit status.
func run(args []string, stderr io.Writer) int {
	c, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := grouping.NewConfig(c.grouping)
	if err != nil {
		logger.Error("bad -grouping-config", "error", err)
		return 2
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			logger.Error("cannot profile", "error", err)
			return 1
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := start(ctx, c, cfg, logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	logger.Info("consuming", "stream", natsqueue.EnvelopeStream, "consumer", c.consumer)
	<-ctx.Done()
	stop() // a second signal kills
	logger.Info("stopping")
	w.stop()
	logger.Info("stopped", "envelopes", w.envelopes.Load(), "results", w.results.Load())
	return 0
}
