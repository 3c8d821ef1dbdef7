package envelope

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// An Option changes how Parse and NewReader read an envelope.
type Option func(*options)

type options struct {
	limits             Limits
	lenientItemHeaders bool
	trailingSpace      bool
	emptyEventID       bool
}

var defaultOptions = options{limits: DefaultLimits()}

func buildOptions(opts []Option) options {
	var o options
	o.set(opts)
	return o
}

// set makes o the defaults changed by opts. An Option is a func that
// escapes what it is given, so the pooled parser's options are set in
// place: building them on the stack would allocate for every envelope.
func (o *options) set(opts []Option) {
	*o = defaultOptions
	for _, opt := range opts {
		opt(o)
	}
}

// WithLimits replaces DefaultLimits. Limits{} turns every limit off but
// MaxHeaderSize.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// WithLenientItemHeaders makes item headers as lenient as the newest Relay,
// which keeps an item header as raw JSON and reads fields only when needed:
// a header without "type", or that is not an object, is an item of unknown
// (empty) type; a "length" that is not a non-negative integer means the
// payload runs to the next newline; a length of 2^32 or more wraps around as
// Relay's 32-bit length does; duplicate keys are allowed (the last wins);
// and known fields of the wrong type are ignored.
//
// By default item headers are read as Relay did until 2025 and as
// sentry-types does: all of the above is ErrInvalidItemHeader.
func WithLenientItemHeaders(on bool) Option {
	return func(o *options) { o.lenientItemHeaders = on }
}

// WithTrailingWhitespace accepts whitespace after the last item (a blank
// line at the end, say), which Relay rejects with ErrUnexpectedEOF. The
// whitespace is kept and written back, so what WriteTo writes then needs
// this option too.
func WithTrailingWhitespace(on bool) Option {
	return func(o *options) { o.trailingSpace = on }
}

// WithEmptyEventID treats "event_id": "" in the envelope header as absent.
// sentry-go writes it on envelopes that carry only client reports; Relay
// rejects it with ErrInvalidHeader.
func WithEmptyEventID(on bool) Option {
	return func(o *options) { o.emptyEventID = on }
}

// errShort says a header needs more input than the buffer holds.
var errShort = errors.New("envelope: short buffer")

// Duplicate names are checked by the callers, for the top-level fields
// Relay declares: Relay keeps other keys in a map where the last one wins,
// and nested objects are free-form JSON.
var allowDup = []jsontext.Options{jsontext.AllowDuplicateNames(true)}

// defaultMaxHeaderSize bounds a header when Limits.MaxHeaderSize is zero:
// the streaming Reader has to buffer a whole header, so it cannot be
// unlimited.
const defaultMaxHeaderSize = 1 << 20

// framer finds headers. An object, which every valid header is, is checked
// by scanObject (jsonscan.go); anything else, and any header scanObject
// does not accept, by a reused jsontext.Decoder, which reports the error.
// Reading from a bytes.Buffer, the decoder parses the caller's bytes in
// place, so finding a header allocates nothing either way.
type framer struct {
	opts options
	buf  bytes.Buffer
	dec  jsontext.Decoder
	// members are the members of the object scan found last; the buffer
	// is reused from header to header, unless a header had very many.
	members []memberSpan
}

// maxKeptMembers bounds the members buffer a framer keeps between headers:
// a header of a megabyte of one-byte keys must not pin tens of megabytes.
const maxKeptMembers = 256

// scan finds the JSON value that starts after the whitespace at the front
// of b. It returns the offsets of the value and whether a "\n" ends it.
//
// atEOF tells whether b holds all remaining input. When it does not and the
// answer depends on bytes beyond b, scan returns errShort; a reader then
// reads more and calls scan again with the longer buffer. When only
// whitespace is found, scan returns io.EOF (with start = len(b)).
//
// The value must fit in MaxHeaderSize bytes. Parse applies the same window
// as Reader, so both decide every input alike.
func (f *framer) scan(b []byte, atEOF bool) (start, end int, err error) {
	start = skipSpace(b, 0)
	if start == len(b) {
		if !atEOF {
			return start, 0, errShort
		}
		return start, 0, io.EOF
	}
	// Headers are objects: check them with scanObject, which gives
	// jsontext's verdict faster. Anything else, and every error, is left
	// to jsontext, so errors stay jsontext's.
	if cap(f.members) > maxKeptMembers {
		f.members = nil
	}
	if b[start] == '{' {
		window, _ := f.window(b[start:])
		n, ms, v := scanObject(window, f.members[:0])
		f.members = ms
		if v == scanValid {
			end = start + n
			if end == len(b) && !atEOF {
				return start, end, errShort
			}
			return start, end, nil
		}
	}
	return f.scanJSONText(b, start, atEOF)
}

// window returns the bytes a header may take: MaxHeaderSize of them. It
// reports whether that is fewer than there are.
func (f *framer) window(b []byte) (_ []byte, capped bool) {
	if m := f.maxHeaderSize(); int64(len(b)) > m {
		return b[:m], true
	}
	return b, false
}

// scanJSONText is scan done by a jsontext.Decoder from b[start], which is
// not whitespace: the reference scanObject is fuzzed against, and the
// source of every error.
func (f *framer) scanJSONText(b []byte, start int, atEOF bool) (_, end int, err error) {
	window, capped := f.window(b[start:])
	f.buf = *bytes.NewBuffer(window)
	f.dec.Reset(&f.buf, allowDup...)
	v, err := f.dec.ReadValue()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			switch {
			case capped:
				return start, 0, errHeaderSize
			case !atEOF:
				return start, 0, errShort
			}
		}
		return start, 0, err
	}
	end = start + int(f.dec.InputOffset())
	if end == len(b) && !atEOF {
		return start, end, errShort // the terminator is not here yet
	}
	// Like serde_json, a bare number or literal must end at whitespace or
	// a delimiter: "1x" is a syntax error, not a header "1" followed by junk.
	if k := v.Kind(); k != '{' && k != '[' && k != '"' && end < len(b) && !isDelimiter(b[end]) {
		return start, end, &trailingError{off: int64(end - start)}
	}
	f.members = appendMembers(f.members[:0], v)
	return start, end, nil
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '"', '[', ']', '{', '}', ',', ':':
		return true
	}
	return false
}

// trailingError reports characters right after a bare number or literal.
type trailingError struct{ off int64 }

func (e *trailingError) Error() string { return "trailing characters after a JSON value" }

func (f *framer) maxHeaderSize() int64 {
	if m := f.opts.limits.MaxHeaderSize; m > 0 {
		return m
	}
	return defaultMaxHeaderSize
}

var errHeaderSize = errors.New("header over max_header_size")

// syntaxOffset returns the offset within a header of a jsontext error.
func syntaxOffset(err error) int64 {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return se.ByteOffset
	}
	var te *trailingError
	if errors.As(err, &te) {
		return te.off
	}
	return 0
}

// itemInfo is what framing needs from an item header.
type itemInfo struct {
	typ       ItemType
	length    int64 // -1: implicit
	itemCount int64 // -1: absent
}

// readItemHeader reads the fields of an item header that framing and limits
// need, and checks the types of the fields Relay's typed header declares.
// On error it returns the offending field and its offset within raw.
//
// ms are the members of raw, from scan or appendMembers.
func readItemHeader(raw []byte, ms []memberSpan, lenient bool) (info itemInfo, contentType []byte, field string, off int, err error) {
	info = itemInfo{length: -1, itemCount: -1}
	if raw[0] != '{' {
		if lenient {
			return info, contentType, "", 0, nil
		}
		return info, contentType, "", 0, errNotObject
	}
	hasType := false
	var seen uint32
	for _, s := range ms {
		m := s.member(raw)
		k := m.key[1 : len(m.key)-1]
		if bytes.IndexByte(k, '\\') >= 0 {
			k = []byte(m.name())
		}
		if bit := itemField(k); bit != 0 && !lenient {
			if seen&bit != 0 {
				return info, contentType, string(k), m.keyOff, errDuplicate
			}
			seen |= bit
		}
		v := m.value
		var bad bool
		switch string(k) {
		case "type":
			s, ok := rawString(v)
			if !ok {
				bad = true
				break
			}
			hasType = true
			info.typ = internType(s)
		case "length":
			n, ok := parseLength(v, lenient)
			if !ok {
				bad = true
				break
			}
			info.length = n
		case "item_count":
			if v[0] == 'n' {
				break
			}
			n, ok := parseUint(v, 1<<32-1)
			if !ok {
				bad = true
				break
			}
			info.itemCount = n
		case "content_type":
			if v[0] == 'n' {
				break
			}
			s, ok := rawString(v)
			if !ok {
				bad = true
				break
			}
			contentType = s
		case "filename", "attachment_type", "platform":
			if v[0] == 'n' {
				break
			}
			_, bad = rawString(v)
			bad = !bad
		}
		if bad && !lenient {
			return info, contentType, string(k), m.off, errFieldType
		}
	}
	if !hasType && !lenient {
		return info, contentType, "type", 0, errNoType
	}
	return info, contentType, "", 0, nil
}

// itemField returns a bit for each field of Relay's typed item header,
// which serde rejects when it appears twice, and 0 for other keys.
func itemField(k []byte) uint32 {
	switch string(k) {
	case "type":
		return 1 << 0
	case "length":
		return 1 << 1
	case "content_type":
		return 1 << 2
	case "filename":
		return 1 << 3
	case "attachment_type":
		return 1 << 4
	case "item_count":
		return 1 << 5
	case "platform":
		return 1 << 6
	case "meta_length":
		return 1 << 7
	case "span_id":
		return 1 << 8
	case "span_count":
		return 1 << 9
	case "routing_hint":
		return 1 << 10
	case "sampled":
		return 1 << 11
	case "metrics_extracted":
		return 1 << 12
	case "spans_extracted":
		return 1 << 13
	case "fully_normalized":
		return 1 << 14
	case "attachment_length":
		return 1 << 15
	}
	return 0
}

var (
	errDuplicate = errors.New("duplicate field")
	errNotObject = errors.New("not a JSON object")
	errNoType    = errors.New("missing field type")
	errFieldType = errors.New("wrong type of value")
)

// rawString returns the contents of a JSON string, unescaped only when it
// has escapes.
func rawString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' {
		return nil, false
	}
	in := v[1 : len(v)-1]
	if bytes.IndexByte(in, '\\') < 0 {
		return in, true
	}
	out, err := jsontext.AppendUnquote(nil, v)
	return out, err == nil
}

// parseLength reads "length". Strictly (Relay until 2025, sentry-types) it
// is an unsigned 32-bit integer or null. Leniently (newest Relay) anything
// else means an implicit length, and big values wrap around to 32 bits.
func parseLength(v []byte, lenient bool) (int64, bool) {
	if v[0] == 'n' {
		return -1, true
	}
	if lenient {
		n, ok := parseUint(v, 1<<64-1)
		if !ok {
			return -1, true
		}
		return n & (1<<32 - 1), true
	}
	return parseUint(v, 1<<32-1)
}

// parseUint parses a JSON number that is a non-negative integer no greater
// than max.
func parseUint(v []byte, max uint64) (int64, bool) {
	if len(v) == 0 || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false // a fraction, an exponent, or a sign
		}
		d := uint64(c - '0')
		if n > (max-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return int64(n), true
}
