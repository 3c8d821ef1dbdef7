// Command ingest is a local Sentry ingest endpoint: point an SDK's DSN at it
// to see what the SDK sends, and what Sentry would make of it, without
// sending anything anywhere.
//
// It answers the endpoints SDKs use,
//
//	POST /api/{project_id}/envelope/
//	POST /api/{project_id}/store/
//	GET  /api/{project_id}/store/?sentry_data=...
//	POST /api/store/
//
// exactly as Relay, Sentry's ingestion server, would: it checks the
// credentials, undoes the Content-Encoding, frames the envelope and applies
// Relay's default size limits, all with envelope.ReadRequest. An accepted
// request is answered 200 with {"id":"<event id>"}, or {} when the envelope
// carries no event, and every item is logged on one line: the project, where
// the credentials came from, the SDK, the item's index, type, content type,
// file name and attachment type where it has them, its payload size and, for
// log, metric and span containers, the number of records. A rejected request
// gets Relay's status code and error body, and one log line that says why.
//
// It also serves OpenTelemetry exporters, on OTLP/HTTP's default paths and
// on Relay's,
//
//	POST /v1/traces, /v1/logs
//	POST /api/{project_id}/integration/otlp/v1/traces, .../v1/logs
//	POST /api/{project_id}/otlp/v1/traces
//
// in protobuf or JSON, with otlp.ReadRequest: traces become spans, a
// transaction per complete span tree and an error event per recorded
// exception, logs become log records, each as the envelope an SDK would
// have sent, logged (with "otlp": "traces/protobuf", say) and dumped like
// SDK envelopes. The OTLP endpoints are also served on 127.0.0.1:4318,
// OTLP's default, so that an exporter with default settings needs no
// endpoint; when that port is taken, a warning says so and the rest works.
//
// Every error or message event, from an SDK, /store/ or an OTLP exception,
// is grouped as Sentry groups it (package grouping, the config of a new
// project unless -grouping-config says newstyle:2023-01-11) into an
// in-memory issue per group hash. When stdout is a terminal, a table of the
// issues, newest first, and the counts of transactions, spans, sessions,
// check-ins, log records and rejected requests are redrawn there as data
// arrives; on SIGINT the final table is printed, to a terminal or not. With
// -json, stdout gets instead one line per event,
//
//	{"event_id":"...","group":"<first hash>","title":"...","culprit":"...","level":"error","count":2}
//
// where count is the issue's event count so far.
//
// Usage:
//
//	go run ./examples/ingest [-addr HOST:PORT] [-otlp-addr HOST:PORT] [-dump DIR] [-json]
//	    [-grouping-config ID] [-max-envelope-size BYTES] [-max-event-size BYTES] [-nats URL]
//
// At start it prints a DSN to copy and the OTLP endpoint. The address is
// 127.0.0.1:8000 unless the -addr flag or, failing that, the
// SENTRYWIRE_ADDR environment variable says otherwise. With -dump, every
// accepted envelope is also written to DIR/<unix-nanos>-<project>.envelope,
// byte for byte as received after decompression (a /store/ event as the
// envelope Relay turns it into), so that it can be replayed or inspected
// with the sentrywire command:
//
//	go run ./examples/sentrywire parse DIR/1767225600000000000-42.envelope
//
// An SDK uses the DSN http://0123456789abcdef0123456789abcdef@127.0.0.1:8000/42.
// By hand, with curl:
//
//	printf '%s\n' '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}' \
//	    '{"type":"event"}' '{"message":"hello"}' > envelope.txt
//	curl -sS -X POST --data-binary @envelope.txt \
//	    -H 'X-Sentry-Auth: Sentry sentry_key=0123456789abcdef0123456789abcdef, sentry_version=7' \
//	    http://127.0.0.1:8000/api/42/envelope/
//
// answers {"id":"9ec79c33ec9942ab8353589fcb2e04dc"} and logs
//
//	level=INFO msg=item project=42 auth=x-sentry-auth item=0 type=event size=19
//
// With -nats URL, the ingest scales out on NATS JetStream: it groups
// nothing itself, but publishes every accepted envelope, as received after
// decompression, to the work-queue stream SENTRYWIRE_ENVELOPES (created if
// missing, on disk) under the subject sentrywire.envelopes.<project>, with
// the project id, where the credentials were found, the public key and
// the SDK's client in Sentry-* headers, and answers the SDK only once
// JetStream has stored it. When it cannot (the server is down, say), the
// SDK gets 503, which it retries; the Nats-Msg-Id header, the event id
// where there is one, makes JetStream store a retried envelope once. Any
// number of examples/natsworker processes then parse, decode and group:
//
//	go run ./examples/ingest -nats nats://127.0.0.1:4222
//	go run ./examples/natsworker -nats nats://127.0.0.1:4222
//
// In this mode the size limits are capped at the NATS server's max_payload,
// and there is no issue table and no -json output: the workers publish
// their results to the stream SENTRYWIRE_RESULTS.
//
// The server stops gracefully on SIGINT or SIGTERM, finishing the requests
// under way.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/grouping"
)

const (
	defaultAddr     = "127.0.0.1:8000"
	defaultOTLPAddr = "127.0.0.1:4318" // OTLP/HTTP's default port, where exporters post unless told otherwise
	addrEnv         = "SENTRYWIRE_ADDR"
	// dsnKey is the public key of the DSN printed at start. Any key is
	// accepted; a fixed one keeps the DSN the same from run to run.
	dsnKey = "0123456789abcdef0123456789abcdef"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// config is the command line, resolved.
type config struct {
	addr         string
	otlpAddr     string
	otlpAddrFlag bool // -otlp-addr was given: failing to listen there is an error, not a warning
	dumpDir      string
	grouping     string
	json         bool
	limits       envelope.Limits
	natsURL      string // -nats: publish to JetStream instead of grouping here
}

// parseConfig reads the flags and the environment. A flag given on the
// command line beats the environment, which beats the default: the
// environment suits a setup, the flag a single run.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: ingest [-addr HOST:PORT] [-otlp-addr HOST:PORT] [-dump DIR] [-json] [-grouping-config ID] [-max-envelope-size N] [-max-event-size N] [-nats URL]")
		fs.PrintDefaults()
	}
	c := config{limits: envelope.DefaultLimits()}
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on (default from $"+addrEnv+" if set)")
	fs.StringVar(&c.otlpAddr, "otlp-addr", defaultOTLPAddr, "address to also serve the OTLP endpoints on, \"\" for none")
	fs.StringVar(&c.dumpDir, "dump", "", "write every accepted envelope to a file in `DIR`")
	fs.StringVar(&c.grouping, "grouping-config", grouping.DefaultConfig,
		"grouping config `ID`: "+grouping.Newstyle2026+" (new projects) or "+grouping.Newstyle2023)
	fs.BoolVar(&c.json, "json", false, "print one JSON line per accepted event instead of the issue table")
	fs.Int64Var(&c.limits.MaxEnvelopeSize, "max-envelope-size", c.limits.MaxEnvelopeSize, "largest envelope accepted, in `bytes` after decompression")
	fs.Int64Var(&c.limits.MaxEventSize, "max-event-size", c.limits.MaxEventSize, "largest event accepted, in `bytes`")
	fs.StringVar(&c.natsURL, "nats", "", "publish accepted envelopes to NATS JetStream at `URL` for examples/natsworker, instead of grouping them here")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintf(fs.Output(), "ingest: %v\n", err)
		fs.Usage()
		return c, err
	}
	addrFlag := false
	fs.Visit(func(f *flag.Flag) {
		addrFlag = addrFlag || f.Name == "addr"
		c.otlpAddrFlag = c.otlpAddrFlag || f.Name == "otlp-addr"
	})
	if v := getenv(addrEnv); v != "" && !addrFlag {
		c.addr = v
	}
	return c, nil
}

// run serves until SIGINT or SIGTERM and returns the exit status.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	groupingConfig, err := grouping.NewConfig(c.grouping)
	if err != nil {
		logger.Error("bad -grouping-config", "error", err)
		return 2
	}
	var jsonOut io.Writer
	if c.json {
		jsonOut = stdout
	}
	issues := newTracker(groupingConfig, jsonOut)
	var opts []option
	if c.natsURL != "" {
		q, err := dialQueue(context.Background(), c.natsURL, logger)
		if err != nil {
			logger.Error("cannot queue to NATS", "error", err)
			return 1
		}
		defer q.close()
		c.limits = q.limit(c.limits)
		opts = append(opts, withQueue(q))
	} else {
		opts = append(opts, withTracker(issues))
	}
	opts = append(opts, withEnvelopeOptions(envelope.WithLimits(c.limits)))
	if c.dumpDir != "" {
		if err := os.MkdirAll(c.dumpDir, 0o755); err != nil {
			logger.Error("cannot create the dump directory", "error", err)
			return 1
		}
		opts = append(opts, withDumpDir(c.dumpDir))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		logger.Error("cannot listen", "error", err)
		return 1
	}
	otlpLn, err := listenOTLP(c.otlpAddr, c.otlpAddrFlag, logger)
	if err != nil {
		ln.Close()
		logger.Error("cannot listen for OTLP", "error", err)
		return 1
	}
	h := newHandler(logger, opts...)
	newServer := func(handler http.Handler) *http.Server {
		return &http.Server{
			Handler: handler,
			// A client that never finishes its headers would otherwise hold a
			// connection forever; SDKs send theirs at once.
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
	}
	servers := []*http.Server{newServer(h)}
	logger.Info("listening", "addr", ln.Addr().String())
	served := make(chan error, 2)
	go func() { served <- servers[0].Serve(ln) }()
	if otlpLn != nil {
		otlpSrv := newServer(h.otlpHandler())
		servers = append(servers, otlpSrv)
		logger.Info("listening for OTLP", "addr", otlpLn.Addr().String())
		go func() { served <- otlpSrv.Serve(otlpLn) }()
	}

	banner := startBanner(ln.Addr(), otlpLn)
	// With -json, stdout carries nothing but the event lines.
	if c.json {
		_, _ = io.WriteString(stderr, banner)
	} else {
		_, _ = io.WriteString(stdout, banner)
	}
	live, stopLive := context.WithCancel(ctx)
	liveDone := make(chan struct{})
	// With -nats the workers group, so there is no table here.
	table := !c.json && c.natsURL == ""
	if table && isTerminal(stdout) {
		go func() { defer close(liveDone); liveSummary(live, issues, stdout, banner, redrawEvery) }()
	} else {
		close(liveDone)
	}

	select {
	case err := <-served:
		stopLive()
		logger.Error("server failed", "error", err)
		return 1
	case <-ctx.Done():
	}
	// From here a second signal kills the process the default way, for
	// when a request hangs and the user insists.
	stop()
	stopLive()
	<-liveDone
	logger.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status := 0
	for _, srv := range servers {
		if err := srv.Shutdown(shutdown); err != nil {
			logger.Error("shutdown", "error", err)
			status = 1
		}
	}
	// The requests under way are finished now, so the final table has
	// them all.
	if table {
		list, counts, _ := issues.snapshot()
		_, _ = io.WriteString(stdout, "\n")
		_ = writeTable(stdout, list, counts, 0)
	}
	return status
}

// listenOTLP listens on OTLP's own address. The default port may well be
// taken, by a collector or another tool, and is only a convenience: then
// the warning says so and the server goes on without it. An address the
// user asked for must work.
func listenOTLP(addr string, explicit bool, logger *slog.Logger) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && !explicit {
		logger.Warn("not serving OTLP on its default port; exporters need an endpoint", "addr", addr, "error", err)
		return nil, nil
	}
	return ln, err
}

// startBanner is what to paste into an SDK or an exporter's settings.
// The DSN names project 1; any project id and key work.
func startBanner(addr net.Addr, otlpLn net.Listener) string {
	var b strings.Builder
	d, err := dsn.Parse("http://" + dsnKey + "@" + dialable(addr) + "/1")
	if err == nil {
		fmt.Fprintf(&b, "DSN:  %s\n", d)
	}
	if otlpLn != nil {
		fmt.Fprintf(&b, "OTLP: http://%s  (OTEL_EXPORTER_OTLP_ENDPOINT; /v1/traces, /v1/logs)\n", dialable(otlpLn.Addr()))
	} else {
		fmt.Fprintf(&b, "OTLP: http://%s  (OTEL_EXPORTER_OTLP_ENDPOINT; /v1/traces, /v1/logs)\n", dialable(addr))
	}
	return b.String()
}

// dialable turns a listening address into one a client can connect to: a
// server listening on all interfaces is reached on the loopback address.
func dialable(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := ta.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}
