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
// SDK envelopes.
//
// Usage:
//
//	go run ./examples/ingest [-addr HOST:PORT] [-dump DIR]
//
// The address is 127.0.0.1:8000 unless the -addr flag or, failing that, the
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
	"syscall"
	"time"
)

const (
	defaultAddr = "127.0.0.1:8000"
	addrEnv     = "SENTRYWIRE_ADDR"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stderr))
}

// config is the command line, resolved.
type config struct {
	addr    string
	dumpDir string
}

// parseConfig reads the flags and the environment. A flag given on the
// command line beats the environment, which beats the default: the
// environment suits a setup, the flag a single run.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: ingest [-addr HOST:PORT] [-dump DIR]")
		fs.PrintDefaults()
	}
	var c config
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on (default from $"+addrEnv+" if set)")
	fs.StringVar(&c.dumpDir, "dump", "", "write every accepted envelope to a file in `DIR`")
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
	fs.Visit(func(f *flag.Flag) { addrFlag = addrFlag || f.Name == "addr" })
	if v := getenv(addrEnv); v != "" && !addrFlag {
		c.addr = v
	}
	return c, nil
}

// run serves until SIGINT or SIGTERM and returns the exit status.
func run(args []string, getenv func(string) string, stderr io.Writer) int {
	c, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	var opts []option
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
	srv := &http.Server{
		Handler: newHandler(logger, opts...),
		// A client that never finishes its headers would otherwise hold a
		// connection forever; SDKs send theirs at once.
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		logger.Error("server failed", "error", err)
		return 1
	case <-ctx.Done():
	}
	// From here a second signal kills the process the default way, for
	// when a request hangs and the user insists.
	stop()
	logger.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		logger.Error("shutdown", "error", err)
		return 1
	}
	return 0
}
