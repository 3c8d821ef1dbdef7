// Command sentrywire inspects Sentry wire-protocol data from the command
// line: envelopes captured from an SDK, legacy /store/ bodies and DSNs. It is
// a thin shell over the sentrywire library, so what it accepts and rejects is
// exactly what the library (and therefore Relay, Sentry's ingestion server)
// accepts and rejects.
//
// Usage:
//
//	sentrywire <command> [flags] [arguments]
//
// The commands are:
//
//	parse [-encoding E] [-store [-client NAME]] [-decode] FILE|-
//	    Read an envelope from FILE, or from standard input for "-", undo the
//	    HTTP Content-Encoding E (gzip, deflate, br, zstd or identity), frame it
//	    as Relay does and print its structure as JSON:
//
//	        {"header": {...}, "items": [{"header": {...}, "payload_size": N}, ...]}
//
//	    The headers are printed as they were sent, with every key, unknown
//	    ones included, in their original order. With -store the input is the
//	    body of a legacy /api/<project>/store/ request (JSON, base64 of JSON,
//	    or base64 of zlib-compressed JSON) and the output is the one-item
//	    envelope Relay turns it into; -client gives the request's
//	    sentry_client, which decides whether the NaN and Infinity tokens of
//	    old Python SDKs are repaired. With -decode each item also carries
//	    its payload decoded as the library's typed value ("decoded"), the
//	    values Relay would drop with a remark ("warnings"), or why it does
//	    not decode ("decode_error", and exit status 1).
//
//	group [-config ID] [-enhancements FILE] [-fingerprinting FILE] [-explain] FILE|-
//	    Read an event (an event item's payload, or the body of a /store/
//	    request) and compute its group hashes as Sentry's server does under
//	    the grouping config ID, newstyle:2023-01-11 (the default, that of
//	    existing projects) or newstyle:2026-01-20 (that of new projects, and
//	    the library's grouping.DefaultConfig). -enhancements and -fingerprinting
//	    add a project's stack trace rules and server-side fingerprinting
//	    rules, in Sentry's text syntax. It prints
//
//	        {"config": ID, "hashes": [...], "variants": {NAME: {"hash", "contributes", "hint", "component", ...}}}
//
//	    with the hashes in Sentry's order and Sentry's variant names (app,
//	    system, default, custom_client_fingerprint, built_in_fingerprint,
//	    fallback, ...). With -explain it prints the variants and their
//	    component trees as Sentry's grouping snapshots do instead.
//
//	otlp [-json|-protobuf] [-logs] [-encoding E] [-transactions] [-errors] FILE|-
//	    Read an OTLP/HTTP request body (an ExportTraceServiceRequest, or with
//	    -logs an ExportLogsServiceRequest), undo the Content-Encoding E,
//	    decode it as JSON or protobuf (by default JSON if its first
//	    non-space byte is '{', else protobuf), convert it as Relay converts
//	    OTLP and print
//
//	        {"spans": [...], "transactions": [...], "errors": [...], "logs": [...], "rejected": [...]}
//
//	    where spans are span v2 records, logs Sentry log records and
//	    rejected the spans or records that could not be converted, each
//	    with its "path" in the request and its "error". Every array is
//	    present, [] when empty. -transactions also builds a transaction
//	    event from each complete span tree (its spans then leave "spans"),
//	    and -errors an error event from each "exception" span event;
//	    Relay does neither.
//
//	dsn DSN
//	    Parse a DSN and print its parts and the endpoint URLs an SDK derives
//	    from it, as JSON with the keys scheme, public_key, secret_key, host,
//	    port (the port to connect to), path, project_id (a string, as Sentry
//	    treats it), org_id (a number for sentry.io ingest hosts, else null),
//	    envelope_url, store_url and otlp_traces_url.
//
// Flags go before the arguments, and may be written with one dash or two.
//
// The exit status is 0 on success, 1 when the input is invalid or cannot be
// read, and 2 for a usage error. An invalid input is reported as one line on standard
// error,
//
//	error: <what is wrong>: <where>
//
// where <what is wrong> is the text of Relay's error, the same string Relay
// puts in the "causes" of its answer to an SDK, such as "missing newline
// after header or payload" or "invalid item header". Size limits are named
// as in Relay's configuration ("envelope exceeded size limits:
// max_event_size"), and the fixed limits of one item per envelope by what
// they count ("envelope exceeded size limits: event items"). <where> gives
// the item index, byte offset, header field and underlying cause, as far as
// they are known. Here item 0
// declares a payload longer than what is left of the input:
//
//	$ printf '{}\n{"type":"event","length":10}\n{}\n' | sentrywire parse -
//	error: unexpected end of file: item 0 at byte 35
//
// To look at what an SDK sends, point its DSN at the ingest example
// (go run ./examples/ingest -dump DIR) and run sentrywire parse on the files
// it writes to DIR.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// A command is one subcommand. Adding a subcommand means adding an entry to
// commands; run takes care of flags, usage and exit statuses, so a command
// only declares its flags and does its work.
type command struct {
	name     string
	synopsis string // flags and arguments, as shown after the command name
	summary  string // one line for the list of commands
	// setup declares the command's flags on fs and returns the function
	// that runs the command with the arguments left after the flags.
	// Returning a closure lets the flag values stay local to the command.
	setup func(fs *flag.FlagSet) func(args []string, s streams) error
}

// streams are the command's standard input and output. Standard error
// belongs to run, which owns the error format.
type streams struct {
	stdin  io.Reader
	stdout io.Writer
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{
		name:     "parse",
		synopsis: "[-encoding E] [-store [-client NAME]] [-decode] FILE|-",
		summary:  "frame an envelope and print its headers and payload sizes as JSON",
		setup:    setupParse,
	},
	{
		name:     "group",
		synopsis: "[-config ID] [-enhancements FILE] [-fingerprinting FILE] [-explain] FILE|-",
		summary:  "compute an event's group hashes as Sentry does and print its variants as JSON",
		setup:    setupGroup,
	},
	{
		name:     "otlp",
		synopsis: "[-json|-protobuf] [-logs] [-encoding E] [-transactions] [-errors] FILE|-",
		summary:  "convert an OTLP/HTTP traces or logs body as Relay does and print the Sentry data as JSON",
		setup:    setupOTLP,
	},
	{
		name:     "dsn",
		synopsis: "DSN",
		summary:  "print the parts and endpoint URLs of a DSN as JSON",
		setup:    setupDSN,
	},
}

// A usageError is an invocation the command cannot make sense of. run
// answers it with the command's usage and exit status 2 rather than an
// "error:" line, which is reserved for bad input data.
type usageError string

func (e usageError) Error() string { return string(e) }

// run runs the command line args (without the program name) and returns the
// exit status. Tests call it directly, with buffers for the streams.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return 0
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == args[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "sentrywire: unknown command %q\n", args[0])
		printUsage(stderr)
		return 2
	}

	fs := flag.NewFlagSet("sentrywire "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sentrywire %s %s\n\n%s\n", cmd.name, cmd.synopsis, cmd.summary)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	exec := cmd.setup(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed the problem and the usage
	}

	err := exec(fs.Args(), streams{stdin: stdin, stdout: stdout})
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "sentrywire %s: %s\n", cmd.name, usage)
		fs.Usage()
		return 2
	default:
		fmt.Fprintln(stderr, errorLine(err))
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: sentrywire <command> [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-6s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"sentrywire <command> -h\" for the command's flags and arguments.")
}

// writeJSON prints v indented, with a final newline. Duplicate object keys
// are allowed through because the headers are printed as they were received,
// and the tool must not fail on the input it is meant to show.
func writeJSON(w io.Writer, v any) error {
	enc := jsontext.NewEncoder(w, jsontext.WithIndent("  "), jsontext.AllowDuplicateNames(true))
	return json.MarshalEncode(enc, v)
}

// exactArgs returns a usageError unless args has n elements.
func exactArgs(args []string, n int, what string) error {
	if len(args) != n {
		return usageError(fmt.Sprintf("want %s, got %d arguments", what, len(args)))
	}
	return nil
}

// errorLine formats err as the single "error: ..." line the command prints
// on standard error. The line break matters to scripts that read one error
// per line, so any newline in an underlying cause is flattened.
func errorLine(err error) string {
	name, detail := describe(err)
	line := "error: " + name
	if detail != "" {
		line += ": " + detail
	}
	return strings.ReplaceAll(line, "\n", " ")
}

// readInput opens the FILE|- argument of a command.
func readInput(arg string, stdin io.Reader) (io.ReadCloser, error) {
	if arg == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(arg)
}
