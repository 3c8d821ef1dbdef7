package main

import (
	"bytes"
	"flag"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/otlp"
)

// otlpSummary is what otlp prints. Every array is written, empty or not,
// so that a script can index any of them without checking first.
type otlpSummary struct {
	Spans        []protocol.SpanV2 `json:"spans"`
	Transactions []*protocol.Event `json:"transactions"`
	Errors       []*protocol.Event `json:"errors"`
	Logs         []protocol.Log    `json:"logs"`
	Rejected     []rejection       `json:"rejected"`
}

type rejection struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

func setupOTLP(fs *flag.FlagSet) func([]string, streams) error {
	asJSON := fs.Bool("json", false, "the input is OTLP JSON (default: JSON if it starts with '{', else protobuf)")
	asProtobuf := fs.Bool("protobuf", false, "the input is binary OTLP protobuf")
	logs := fs.Bool("logs", false, "the input is an ExportLogsServiceRequest rather than an ExportTraceServiceRequest")
	encoding := fs.String("encoding", "", "undo this HTTP Content-Encoding first: gzip, deflate, br, zstd or identity")
	transactions := fs.Bool("transactions", false, "build a transaction event from each complete span tree")
	errorEvents := fs.Bool("errors", false, `turn "exception" span events into error events`)
	return func(args []string, s streams) error {
		if err := exactArgs(args, 1, "one FILE, or - for standard input"); err != nil {
			return err
		}
		if *asJSON && *asProtobuf {
			return usageError("-json and -protobuf exclude each other")
		}
		if *logs && (*transactions || *errorEvents) {
			return usageError("-transactions and -errors apply to traces, not -logs")
		}
		in, err := readInput(args[0], s.stdin)
		if err != nil {
			return err
		}
		defer in.Close()
		body, err := envelope.ReadBody(in, *encoding, otlp.DefaultLimits().MaxBodySize)
		if err != nil {
			return err
		}
		enc := sniffEncoding(body)
		switch {
		case *asJSON:
			enc = otlp.JSON
		case *asProtobuf:
			enc = otlp.Protobuf
		}

		var res *otlp.Result
		if *logs {
			l, err := otlp.DecodeLogs(body, enc)
			if err != nil {
				return err
			}
			res = otlp.ConvertLogs(l)
		} else {
			t, err := otlp.DecodeTraces(body, enc)
			if err != nil {
				return err
			}
			res = otlp.ConvertTraces(t, otlp.WithTransactions(*transactions), otlp.WithErrorEvents(*errorEvents))
		}
		return writeJSON(s.stdout, summarizeOTLP(res))
	}
}

// sniffEncoding tells the two encodings apart by the first byte that is
// not white space: a JSON request is an object, and a protobuf request
// cannot start with '{', which would be field 15 of wire type 3, a group
// that OTLP does not use. Empty input is an empty protobuf request.
func sniffEncoding(body []byte) otlp.Encoding {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return otlp.JSON
	}
	return otlp.Protobuf
}

// summarizeOTLP flattens a Result for printing. Nil slices print as [],
// which the JSON package does by default.
func summarizeOTLP(res *otlp.Result) otlpSummary {
	out := otlpSummary{
		Spans:        res.Spans,
		Transactions: res.Transactions,
		Errors:       res.Errors,
		Logs:         res.Logs,
		Rejected:     make([]rejection, 0, len(res.Rejected)),
	}
	for _, r := range res.Rejected {
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
		}
		out.Rejected = append(out.Rejected, rejection{Path: r.Path, Error: msg})
	}
	return out
}
