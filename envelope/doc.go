// Package envelope reads and writes Sentry envelopes, the format in which
// every Sentry SDK sends events, transactions, sessions, attachments, logs
// and spans to Sentry's ingest service, Relay.
//
// An envelope is a JSON header line followed by items; each item is a JSON
// header line and a payload:
//
//	{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2024-05-06T07:08:09Z"}
//	{"type":"event","length":19}
//	{"message":"hello"}
//	{"type":"attachment","length":5,"filename":"a.txt"}
//	hello
//
// A payload either has an explicit "length" or runs to the next newline.
//
// # Framing as Relay frames
//
// Parse and Reader accept and reject exactly what Relay does, including its
// quirks: whitespace between items is skipped but not after the last one, a
// byte other than "\n" after a header or an explicit-length payload is
// ErrMissingNewline (CRLF framing fails), headers may span lines, keys are
// case-sensitive, and a field Relay declares ("event_id", "length", ...) may
// not appear twice, while other keys may (the last one counts). Errors are *SyntaxError
// values that name Relay's error (ErrMissingHeader, ErrInvalidHeader,
// ErrMissingNewline, ErrUnexpectedEOF, ErrInvalidItemHeader), the item and
// the byte offset; envelopes over their Limits give a *LimitError. As in
// Relay, Parse frames the whole envelope before it checks the limits, so a
// malformed envelope is reported as malformed even when it is also too big. Relay
// changed how it reads item headers over the years: by default an item
// header must be an object with a string "type" and a valid "length", as
// Relay required until 2025; WithLenientItemHeaders reads them as the newest
// Relay does.
//
// # Zero copy, bounded memory
//
// Parse works on a []byte and allocates nothing per item: headers and
// payloads are sub-slices of the input. Reader works on an io.Reader and
// never holds a whole payload: it hands each payload to the caller as a
// stream, so a 100 MB attachment passes through a 32 KiB buffer.
//
// # Lossless
//
// Headers are kept as the JSON they were sent as (see Header). An envelope
// that was parsed and not changed is written back byte for byte by WriteTo.
// After changes — items dropped, added or reordered, headers set, payloads
// replaced — WriteTo writes valid framing with correct lengths, and keeps
// every header key it did not change.
//
// # HTTP
//
// ReadRequest does what Relay's envelope and store endpoints do with a
// request: it checks credentials (package dsn), undoes the Content-Encoding
// (gzip, deflate, br, zstd) with the decoded size limited, turns legacy
// /store/ bodies into envelopes, and parses. WriteError answers errors with
// Relay's status codes and error bodies.
package envelope
