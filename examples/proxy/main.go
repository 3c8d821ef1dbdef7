// Command proxy is a filtering forwarder to put in front of any
// Sentry-compatible upstream (sentry.io, a self-hosted Sentry, Relay, or
// examples/ingest): SDKs send to it, it drops what nobody wants to pay for
// and forwards the rest.
//
// It serves the endpoints SDKs use,
//
//	POST /api/{project_id}/envelope/
//	POST /api/{project_id}/store/
//	GET  /api/{project_id}/store/?sentry_data=...
//	POST /api/store/
//
// and reads every request with envelope.ReadRequest, so that credentials,
// Content-Encoding and Relay's size limits are checked as Relay checks
// them, and a bad request gets Relay's status and error body without
// bothering the upstream. Then, item by item, it
//
//   - strips the items of the types given to -strip (say, "profile,replay_video");
//   - drops the events that match a rule of the -rules file (see below), or
//     the -drop-disallowed-host rule, with their attachments and user reports;
//   - with -dedupe WINDOW, drops an event whose first group hash (package
//     grouping, the config of a new project) was forwarded less than WINDOW
//     ago, per project.
//
// What is left goes to the -upstream base URL on the same path, with the
// same query and headers (the credentials among them). When nothing was
// removed, the body is the one the SDK sent, byte for byte, with its
// Content-Encoding. When items were removed, the envelope is re-framed with
// correct lengths and sent uncompressed. When everything was removed, the
// SDK is answered 200 with the event id, as Relay answers a filtered event,
// and the upstream hears nothing.
//
// The SDK gets the upstream's status, headers (rate limits among them) and
// body. When the upstream cannot be reached the answer is 502, when it does
// not answer within -timeout 504, each with Relay's error body
// {"detail":...,"causes":[...]}, so that SDKs retry or back off as they do
// against Relay. Nothing is lost silently: every item dropped, refused by
// the upstream or not delivered is logged on its own line with the reason,
// and the totals by outcome are logged at shutdown.
//
// # Rules
//
// A rules file has one rule per line; a rule is one or more conditions
// joined by " && ", each a field, "=" (the whole value) or "~" (a glob: *
// any run of characters, ? one character) and a value:
//
//	# Django's DisallowedHost flood: scanners trying Host headers.
//	exception.type = DisallowedHost
//	logger = django.security.DisallowedHost && message ~ *Invalid HTTP_HOST*
//	transaction ~ /healthz*
//	tag:environment = staging
//	sdk ~ sentry.javascript.* && level = info
//
// Fields: exception.type, exception.module, message (the log message or any
// exception's value), logger, transaction, level, tag:KEY, sdk. An event is
// dropped when any rule matches. -drop-disallowed-host adds the first rule
// above and "logger = django.security.DisallowedHost": the flood the Django
// error-tracking guide warns about, an error event per request with a Host
// header not in ALLOWED_HOSTS, which carries the exception on newer Django
// and only the logged message on Django 3.2.
//
// Usage:
//
//	go run ./examples/proxy -upstream URL [-addr HOST:PORT] [-rules FILE]
//	    [-drop-disallowed-host] [-dedupe DURATION] [-strip TYPE,...] [-timeout DURATION]
//	    [-max-envelope-size BYTES]
//
// For example, in front of examples/ingest:
//
//	go run ./examples/ingest &
//	go run ./examples/proxy -addr 127.0.0.1:9000 -upstream http://127.0.0.1:8000 -drop-disallowed-host
//
// and the DSN http://0123456789abcdef0123456789abcdef@127.0.0.1:9000/42 in
// the SDK. The server stops gracefully on SIGINT or SIGTERM.
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
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/grouping"
)

const defaultAddr = "127.0.0.1:9000"

// disallowedHostRules are what -drop-disallowed-host adds. Django logs a
// bad Host header on django.security.DisallowedHost; newer releases attach
// the exception, so the SDK sends an exception event, while Django 3.2
// (Debian 12's) logs the message alone, so the SDK sends a message event
// with that logger and no exception. One rule for each.
var disallowedHostRules = []string{"exception.type = DisallowedHost", "logger = django.security.DisallowedHost"}

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// config is the command line, resolved.
type config struct {
	addr         string
	upstream     *url.URL
	rulesFile    string
	disallowHost bool
	dedupe       time.Duration
	strip        []envelope.ItemType
	timeout      time.Duration
	limits       envelope.Limits
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: proxy -upstream URL [-addr HOST:PORT] [-rules FILE] [-drop-disallowed-host] [-dedupe DURATION] [-strip TYPE,...] [-timeout DURATION] [-max-envelope-size N]")
		fs.PrintDefaults()
	}
	c := config{limits: envelope.DefaultLimits()}
	var upstream, strip string
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&upstream, "upstream", "", "base `URL` of the Sentry-compatible upstream, such as https://o1.ingest.sentry.io")
	fs.StringVar(&c.rulesFile, "rules", "", "drop the events matching the rules in `FILE`")
	fs.BoolVar(&c.disallowHost, "drop-disallowed-host", false, "drop Django's DisallowedHost events (the rules "+strings.Join(disallowedHostRules, " and ")+")")
	fs.DurationVar(&c.dedupe, "dedupe", 0, "drop an event whose group was forwarded less than `DURATION` ago (0: off)")
	fs.StringVar(&strip, "strip", "", "comma-separated item `TYPES` to remove, such as profile,replay_video")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "how long to wait for the upstream's answer")
	fs.Int64Var(&c.limits.MaxEnvelopeSize, "max-envelope-size", c.limits.MaxEnvelopeSize, "largest envelope accepted, in `bytes`")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	fail := func(err error) (config, error) {
		fmt.Fprintf(fs.Output(), "proxy: %v\n", err)
		fs.Usage()
		return c, err
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	u, err := url.Parse(upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(fmt.Errorf("-upstream %q: want an http or https base URL", upstream))
	}
	c.upstream = u
	for t := range strings.SplitSeq(strip, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.strip = append(c.strip, envelope.ItemType(t))
		}
	}
	if c.dedupe < 0 || c.timeout <= 0 {
		return fail(errors.New("-dedupe must not be negative and -timeout must be positive"))
	}
	return c, nil
}

// build makes the proxy of a config: it reads the rules and compiles the
// grouping config once, before the first request.
func build(c config, logger *slog.Logger) (*proxy, error) {
	p := newProxy(c.upstream, &http.Client{Timeout: c.timeout}, logger)
	p.parseOpts = []envelope.Option{envelope.WithLimits(c.limits)}
	if c.limits.MaxEnvelopeSize > 0 {
		p.maxBody = c.limits.MaxEnvelopeSize
	}
	if c.disallowHost {
		for _, r := range disallowedHostRules {
			ru, err := parseRule(r)
			if err != nil {
				return nil, err
			}
			p.rules = append(p.rules, ru)
		}
	}
	if c.rulesFile != "" {
		f, err := os.Open(c.rulesFile)
		if err != nil {
			return nil, err
		}
		rules, err := parseRules(f, c.rulesFile)
		f.Close()
		if err != nil {
			return nil, err
		}
		p.rules = append(p.rules, rules...)
	}
	for _, t := range c.strip {
		p.strip[t] = true
	}
	if c.dedupe > 0 {
		cfg, err := grouping.NewConfig(grouping.DefaultConfig)
		if err != nil {
			return nil, err
		}
		p.window, p.grouper = c.dedupe, cfg
	}
	return p, nil
}

// run serves until SIGINT or SIGTERM and returns the exit status.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	_ = getenv // the proxy has no environment settings; the signature matches the other examples
	c, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	p, err := build(c, logger)
	if err != nil {
		logger.Error("bad configuration", "error", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		logger.Error("cannot listen", "error", err)
		return 1
	}
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "upstream", c.upstream.String(), "rules", len(p.rules))
	fmt.Fprintf(stdout, "forwarding http://%s -> %s\n", ln.Addr(), c.upstream)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		logger.Error("server failed", "error", err)
		return 1
	case <-ctx.Done():
	}
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), c.timeout+5*time.Second)
	defer cancel()
	status := 0
	if err := srv.Shutdown(shutdown); err != nil {
		logger.Error("shutdown", "error", err)
		status = 1
	}
	logTotals(logger, p.snapshot())
	return status
}

// logTotals logs the item counts by outcome, in a stable order.
func logTotals(logger *slog.Logger, stats map[string]int64) {
	keys := make([]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	attrs := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		attrs = append(attrs, k, stats[k])
	}
	logger.Info("totals", attrs...)
}
