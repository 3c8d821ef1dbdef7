package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// envelopeSummary is what parse prints. The headers are the raw JSON the
// envelope was read with, not a re-encoding of decoded values, so that keys
// Sentry does not define, key order and number spellings show as sent.
type envelopeSummary struct {
	Header jsontext.Value `json:"header"`
	Items  []itemSummary  `json:"items"`
}

type itemSummary struct {
	Header      jsontext.Value `json:"header"`
	PayloadSize int            `json:"payload_size"`
	// With --decode: the typed payload, or why it did not decode.
	Decoded     any      `json:"decoded,omitzero"`
	Warnings    []string `json:"warnings,omitzero"`
	DecodeError string   `json:"decode_error,omitzero"`
}

func setupParse(fs *flag.FlagSet) func([]string, streams) error {
	encoding := fs.String("encoding", "", "undo this HTTP Content-Encoding first: gzip, deflate, br, zstd or identity")
	store := fs.Bool("store", false, "read the body of a legacy /store/ request (JSON or base64) instead of an envelope")
	client := fs.String("client", "", "with -store, the request's sentry_client (such as sentry.python/0.10.0), for the NaN repair of old Python SDKs")
	decodeItems := fs.Bool("decode", false, "also decode each item's payload (events, transactions, sessions, check-ins, logs, spans, ...) and print it typed")
	return func(args []string, s streams) error {
		if err := exactArgs(args, 1, "one FILE, or - for standard input"); err != nil {
			return err
		}
		if *client != "" && !*store {
			return usageError("-client applies only with -store")
		}
		in, err := readInput(args[0], s.stdin)
		if err != nil {
			return err
		}
		defer in.Close()
		// The whole envelope limit, as ReadRequest applies it to an
		// envelope request; ParseStore then enforces the smaller event
		// limit on a store body itself.
		body, err := envelope.ReadBody(in, *encoding, envelope.DefaultLimits().MaxEnvelopeSize)
		if err != nil {
			return err
		}
		var env *envelope.Envelope
		if *store {
			env, err = envelope.ParseStore(body, *client)
		} else {
			env, err = envelope.Parse(body)
		}
		if err != nil {
			return err
		}
		sum := summarize(env)
		if !*decodeItems {
			return writeJSON(s.stdout, sum)
		}
		failed := decodeAll(env, &sum)
		if err := writeJSON(s.stdout, sum); err != nil {
			return err
		}
		return failed
	}
}

// decodeAll adds the typed payload of every item to sum. It returns the
// first decoding error, after decoding the rest: a person debugging traffic
// wants to see every item.
func decodeAll(env *envelope.Envelope, sum *envelopeSummary) error {
	var first error
	for i, it := range env.Items {
		v, warnings, err := protocol.DecodeItem(it)
		switch {
		case errors.Is(err, protocol.ErrNotDecodable):
			continue
		case err != nil:
			sum.Items[i].DecodeError = err.Error()
			if first == nil {
				first = fmt.Errorf("item %d: %w", i, err)
			}
			continue
		}
		sum.Items[i].Decoded = v
		for _, w := range warnings {
			sum.Items[i].Warnings = append(sum.Items[i].Warnings, w.Error())
		}
	}
	return first
}

func summarize(env *envelope.Envelope) envelopeSummary {
	out := envelopeSummary{Header: env.Raw(), Items: make([]itemSummary, len(env.Items))}
	for i, it := range env.Items {
		out.Items[i] = itemSummary{Header: it.Raw(), PayloadSize: len(it.Payload())}
	}
	return out
}

// bodyErrors are the errors of reading an HTTP body that have no error type
// of their own in the envelope package: describe names them by their text.
var bodyErrors = []error{
	envelope.ErrEmptyBody,
	envelope.ErrUnsupportedEncoding,
	envelope.ErrCorruptBody,
	envelope.ErrBodyTooLarge,
	envelope.ErrInvalidBody,
}

// describe splits err into the name of what went wrong, which for the
// library's errors is Relay's own text, and a detail that says where. Other
// errors (a file that cannot be opened, a DSN that does not parse) are named
// by their whole text and have no separate detail.
func describe(err error) (name, detail string) {
	var se *envelope.SyntaxError
	if errors.As(err, &se) {
		return se.Err.Error(), syntaxDetail(se)
	}
	var le *envelope.LimitError
	if errors.As(err, &le) {
		return envelope.ErrLimitExceeded.Error() + ": " + le.Limit, limitDetail(le)
	}
	for _, sentinel := range bodyErrors {
		if errors.Is(err, sentinel) {
			return sentinel.Error(), trimSentinel(err.Error(), sentinel.Error())
		}
	}
	return err.Error(), ""
}

// syntaxDetail says where a framing error is, in the terms of the envelope
// rather than of the SyntaxError type.
func syntaxDetail(se *envelope.SyntaxError) string {
	var b strings.Builder
	if se.Item < 0 {
		b.WriteString("envelope header")
	} else {
		fmt.Fprintf(&b, "item %d", se.Item)
	}
	fmt.Fprintf(&b, " at byte %d", se.Offset)
	if se.Field != "" {
		fmt.Fprintf(&b, ", field %q", se.Field)
	}
	if se.Cause != nil {
		b.WriteString(": ")
		b.WriteString(se.Cause.Error())
	}
	return b.String()
}

func limitDetail(le *envelope.LimitError) string {
	where := fmt.Sprintf("at byte %d", le.Offset)
	if le.Item >= 0 {
		where = fmt.Sprintf("item %d (%s) %s", le.Item, le.Type, where)
	}
	return fmt.Sprintf("%s: got %d, max %d", where, le.Value, le.Max)
}

// trimSentinel returns the part of msg that the sentinel's text does not
// already say: body errors write their detail after the sentinel's text
// ("invalid request body: base64: ...").
func trimSentinel(msg, sentinel string) string {
	if rest, ok := strings.CutPrefix(msg, sentinel); ok {
		return strings.TrimLeft(rest, ": ")
	}
	return msg
}
