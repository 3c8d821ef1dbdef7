package envelope

import (
	"bytes"
	"io"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// An Envelope is a parsed envelope: a header and a list of items.
//
// An Envelope from Parse aliases the input: its headers and payloads are
// sub-slices of it, so the input must not be modified while the Envelope is
// in use. Written back with WriteTo, an Envelope that was not changed gives
// the input byte for byte. After changes (items removed, added or reordered,
// a header set, a payload replaced) WriteTo writes valid framing: changed
// headers as compact JSON, and an explicit "length" on every changed item.
type Envelope struct {
	EnvelopeHeader

	// Items are the items in order. Remove, add or reorder them freely.
	Items []*Item

	lead      []byte // whitespace before the header
	rawHeader []byte // the header as read, to notice a replaced Header
	headerNL  bool   // a newline followed the header
	tail      []byte // whitespace after the last item (WithTrailingWhitespace)

	// Most envelopes SDKs send have one or two items (an event, and an
	// attachment or a profile); these keep them in the Envelope's own
	// allocation. Two keep an Envelope within 512 bytes, the largest
	// size class the allocator serves without a per-object type header;
	// with four it took 1 KiB, and allocating it was, after the JSON
	// checks, the largest item in Parse's CPU profile.
	itemBuf [2]Item
	ptrBuf  [4]*Item
}

// An Item is one item of an envelope: an item header and a payload.
type Item struct {
	ItemHeader

	payload   []byte
	raw       []byte // the item's bytes as read: whitespace, header, payload, terminator
	rawHeader []byte // the header as read
	hdrNL     bool   // a newline followed the header
	nl        bool   // raw ends with the newline after the payload
}

// New returns an empty envelope with an empty header ("{}").
func New() *Envelope { return &Envelope{} }

// NewItem returns an item of type t carrying payload. Its header is
// {"type":t,"length":len(payload)}; set more fields with Set.
func NewItem(t ItemType, payload []byte) *Item {
	it := &Item{payload: payload}
	it.off = -1
	it.ItemHeader.Header.raw = appendNewItemHeader(nil, t, len(payload))
	it.ItemHeader.Header.edited = true
	it.ItemHeader.info = itemInfo{typ: t, length: int64(len(payload)), itemCount: -1}
	return it
}

func appendNewItemHeader(b []byte, t ItemType, n int) []byte {
	b = append(b, `{"type":`...)
	b, _ = jsontext.AppendQuote(b, string(t))
	b = append(b, `,"length":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '}')
}

// Add appends items to the envelope.
func (e *Envelope) Add(items ...*Item) { e.Items = append(e.Items, items...) }

// Payload returns the item's payload. For a parsed item it aliases the
// input.
func (it *Item) Payload() []byte { return it.payload }

// SetPayload replaces the payload and sets the header's "length" to match.
func (it *Item) SetPayload(p []byte) {
	it.payload = p
	_ = it.Set("length", int64(len(p)))
}

// unchanged reports whether the item can be written as it was read.
func (it *Item) unchanged() bool {
	return it.raw != nil && !it.Header.edited && sameSlice(it.Header.raw, it.rawHeader) &&
		it.payloadUnchanged()
}

func (it *Item) payloadUnchanged() bool {
	// The payload sits between the header's newline and the terminator.
	hdrEnd := len(it.raw) - len(it.payload)
	if it.nl {
		hdrEnd--
	}
	return hdrEnd >= 0 && sameSlice(it.payload, it.raw[hdrEnd:hdrEnd+len(it.payload)])
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Parse parses an envelope from data. It frames the envelope exactly as
// Relay does and checks the Limits (DefaultLimits unless WithLimits says
// otherwise). It does not look at payloads beyond finding where they end.
//
// The Envelope aliases data: payloads and headers are sub-slices of it, and
// framing allocates nothing per item.
//
// Errors are *SyntaxError (wrapping ErrMissingHeader, ErrInvalidHeader,
// ErrMissingNewline, ErrUnexpectedEOF or ErrInvalidItemHeader) or
// *LimitError (wrapping ErrLimitExceeded).
func Parse(data []byte, opts ...Option) (*Envelope, error) {
	p := getParser(opts)
	defer putParser(p)
	if m := p.opts.limits.MaxEnvelopeSize; m > 0 && int64(len(data)) > m {
		return nil, &LimitError{Limit: "max_envelope_size", Item: -1, Offset: m, Value: int64(len(data)), Max: m}
	}
	env := &Envelope{}
	env.Items = env.ptrBuf[:0]
	items := env.itemBuf[:0]

	start, end, err := p.envelopeHeader(data, true, 0, &env.EnvelopeHeader)
	if err != nil {
		return nil, err
	}
	env.lead = data[:start]
	env.rawHeader = env.Header.raw
	off := end
	if off < len(data) {
		env.headerNL = true
		off++
	}
	for off < len(data) {
		if cap(items) == len(items) {
			items = make([]Item, 0, 2*cap(items))
		}
		items = items[:len(items)+1]
		it := &items[len(items)-1]
		n, err := p.item(data[off:], int64(off), len(env.Items), it)
		if err == io.EOF {
			env.tail = data[off:]
			break
		}
		if err != nil {
			return nil, err
		}
		env.Items = append(env.Items, it)
		off += n
	}
	// Relay frames the whole envelope before it checks sizes, so a malformed
	// envelope is a 400 even when it is also too big.
	if err := p.budget.check(env.Items); err != nil {
		return nil, err
	}
	return env, nil
}

// parser holds what Parse and Reader share: the framer and the budget.
type parser struct {
	framer
	budget budget
	// deferLimits charges items to their buckets after framing, as Relay
	// does (Parse); a Reader has to charge them as they come.
	deferLimits bool
	lastDSN     string // the last envelope header DSN that passed
}

// parserPool keeps parsers warm: a pooled parser has the buffer for the
// members of a header, and its jsontext.Decoder the memory it needs, so it
// frames without allocating.
var parserPool = sync.Pool{New: func() any { return new(parser) }}

func getParser(opts []Option) *parser {
	p := parserPool.Get().(*parser)
	p.opts.set(opts)
	p.budget = budget{limits: &p.opts.limits}
	p.deferLimits = true
	return p
}

func putParser(p *parser) {
	if cap(p.members) > maxKeptMembers {
		p.members = nil
	}
	parserPool.Put(p)
}

// envelopeHeader frames and validates the envelope header at the front of b.
func (p *parser) envelopeHeader(b []byte, atEOF bool, base int64, h *EnvelopeHeader) (start, end int, err error) {
	start, end, err = p.scan(b, atEOF)
	switch {
	case err == errShort:
		return start, end, err
	case err == io.EOF:
		return start, end, &SyntaxError{Err: ErrMissingHeader, Item: -1, Offset: base + int64(len(b))}
	case err == errHeaderSize:
		return start, end, &LimitError{Limit: "max_header_size", Item: -1, Offset: base + int64(start), Value: p.maxHeaderSize() + 1, Max: p.maxHeaderSize()}
	case err != nil:
		return start, end, &SyntaxError{Err: ErrInvalidHeader, Item: -1, Offset: base + int64(start) + syntaxOffset(err), Cause: err}
	}
	raw := b[start:end]
	if field, off, err := p.validateEnvelopeHeader(raw); err != nil {
		return start, end, &SyntaxError{Err: ErrInvalidHeader, Item: -1, Offset: base + int64(start+off), Field: field, Cause: err}
	}
	if end < len(b) && b[end] != '\n' {
		return start, end, &SyntaxError{Err: ErrMissingNewline, Item: -1, Offset: base + int64(end)}
	}
	h.Header = Header{raw: raw}
	return start, end, nil
}

// itemHeader frames the item header at the front of b, which starts at
// offset base of the input. It returns io.EOF when only whitespace is left
// and errShort when b is too short to tell.
func (p *parser) itemHeader(b []byte, atEOF bool, base int64, index int, h *ItemHeader) (start, end int, err error) {
	lenient := p.opts.lenientItemHeaders
	start, end, err = p.scan(b, atEOF)
	switch {
	case err == errShort:
		return start, end, err
	case err == io.EOF:
		if p.opts.trailingSpace {
			return start, end, io.EOF
		}
		return start, end, &SyntaxError{Err: ErrUnexpectedEOF, Item: index, Offset: base + int64(len(b))}
	case err == errHeaderSize:
		return start, end, &LimitError{Limit: "max_header_size", Item: index, Offset: base + int64(start), Value: p.maxHeaderSize() + 1, Max: p.maxHeaderSize()}
	case err != nil:
		return start, end, &SyntaxError{Err: ErrInvalidItemHeader, Item: index, Offset: base + int64(start) + syntaxOffset(err), Cause: err}
	}
	raw := b[start:end]
	info, ct, field, foff, err := readItemHeader(raw, p.members, lenient)
	if err != nil {
		return start, end, &SyntaxError{Err: ErrInvalidItemHeader, Item: index, Offset: base + int64(start+foff), Field: field, Cause: err}
	}
	if end < len(b) && b[end] != '\n' {
		return start, end, &SyntaxError{Err: ErrMissingNewline, Item: index, Offset: base + int64(end)}
	}
	h.Header = Header{raw: raw}
	h.info = info
	h.bucket = bucketOf(info.typ, ct)
	h.off = base + int64(start)
	if p.deferLimits {
		return start, end, nil
	}
	if err := p.budget.admit(info.typ, h.bucket, index, h.off); err != nil {
		return start, end, err
	}
	return start, end, nil
}

// item frames one item at the front of b, which starts at offset base of
// the input, and returns the number of bytes it takes, terminator included.
func (p *parser) item(b []byte, base int64, index int, it *Item) (int, error) {
	_, end, err := p.itemHeader(b, true, base, index, &it.ItemHeader)
	if err != nil {
		return 0, err
	}
	it.hdrNL = end < len(b)
	ps := min(end+1, len(b))
	var pe int
	if n := it.info.length; n >= 0 {
		if int64(len(b)-ps) < n {
			return 0, &SyntaxError{Err: ErrUnexpectedEOF, Item: index, Offset: base + int64(len(b))}
		}
		pe = ps + int(n)
		if pe < len(b) && b[pe] != '\n' {
			return 0, &SyntaxError{Err: ErrMissingNewline, Item: index, Offset: base + int64(pe)}
		}
	} else {
		pe = len(b)
		if i := bytes.IndexByte(b[ps:], '\n'); i >= 0 {
			pe = ps + i
		}
	}
	n := pe
	if pe < len(b) {
		n++
		it.nl = true
	}
	it.payload = b[ps:pe]
	it.raw = b[:n]
	it.rawHeader = it.Header.raw
	return n, nil
}

// WriteTo writes the envelope to w. An unchanged parsed envelope is written
// byte for byte as it was read.
func (e *Envelope) WriteTo(w io.Writer) (int64, error) {
	if b := e.asRead(); b != nil {
		// What a proxy forwards most: one write, nothing copied.
		n, err := w.Write(b)
		return int64(n), err
	}
	cw := countWriter{w: w}
	// Headers and separators are gathered in a pooled buffer and written
	// with the payload that follows them, so that a writer that is a
	// connection sees few writes; a buffer on the stack would escape
	// through w.Write and cost an allocation per envelope anyway.
	bp := scratchPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledScratch {
			scratchPool.Put(bp)
		}
	}()
	b := (*bp)[:0]
	defer func() { *bp = b[:0] }()
	b = e.appendHeader(b)
	ended := e.headerNL || !e.Header.unchangedFrom(e.rawHeader)
	for i, it := range e.Items {
		if !ended {
			b = append(b, '\n')
		}
		// An item whose header ended the input has no newline after its
		// header; written before another item it has to be reframed.
		if it.unchanged() && (it.hdrNL || i == len(e.Items)-1) {
			cw.write(b)
			b = b[:0]
			cw.write(it.raw)
			ended = it.nl
			continue
		}
		b = it.appendHeader(b)
		b = append(b, '\n')
		cw.write(b)
		b = b[:0]
		cw.write(it.payload)
		b = append(b, '\n')
		ended = true
	}
	if len(e.tail) > 0 && ended {
		b = append(b, e.tail...)
	}
	cw.write(b)
	return cw.n, cw.err
}

// scratchPool holds WriteTo's buffers for headers and separators.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledScratch keeps a buffer grown by one huge header out of the pool.
const maxPooledScratch = 64 << 10

// asRead returns the input the envelope was parsed from when writing it
// would give exactly those bytes: the header and every item unchanged and
// in their places, so that lead, header, items and tail are one run of
// the input. Otherwise it returns nil.
func (e *Envelope) asRead() []byte {
	if !e.Header.unchangedFrom(e.rawHeader) {
		return nil
	}
	run, ok := join(e.lead, e.rawHeader)
	if !ok {
		return nil
	}
	ended := e.headerNL
	if ended {
		if run, ok = grow(run, 1); !ok {
			return nil
		}
	}
	for i, it := range e.Items {
		// WriteTo reframes an item that follows no newline, or whose
		// header ended the input before other items.
		if !ended || !it.unchanged() || !(it.hdrNL || i == len(e.Items)-1) {
			return nil
		}
		if run, ok = join(run, it.raw); !ok {
			return nil
		}
		ended = it.nl
	}
	if len(e.tail) > 0 && ended {
		if run, ok = join(run, e.tail); !ok {
			return nil
		}
	}
	return run
}

// join returns a and b as one slice when b starts where a ends in the
// same array, as consecutive pieces of a parsed input do.
func join(a, b []byte) ([]byte, bool) {
	switch {
	case len(b) == 0:
		return a, true
	case len(a) == 0:
		return b, true
	case cap(a)-len(a) < len(b) || &a[:len(a)+1][len(a)] != &b[0]:
		return nil, false
	}
	return a[:len(a)+len(b)], true
}

// grow extends a by n bytes of its array.
func grow(a []byte, n int) ([]byte, bool) {
	if cap(a)-len(a) < n {
		return nil, false
	}
	return a[:len(a)+n], true
}

// AppendBinary appends the envelope, as WriteTo writes it, to b.
func (e *Envelope) AppendBinary(b []byte) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	_, err := e.WriteTo(buf)
	return buf.Bytes(), err
}

// MarshalBinary returns the envelope as WriteTo writes it.
func (e *Envelope) MarshalBinary() ([]byte, error) { return e.AppendBinary(nil) }

func (e *Envelope) appendHeader(b []byte) []byte {
	if e.Header.unchangedFrom(e.rawHeader) {
		b = append(b, e.lead...)
		b = append(b, e.rawHeader...)
		if e.headerNL {
			b = append(b, '\n')
		}
		return b
	}
	b = append(b, e.Header.compact()...)
	return append(b, '\n')
}

func (h *Header) unchangedFrom(raw []byte) bool {
	return raw != nil && !h.edited && sameSlice(h.raw, raw)
}

// compact returns the header as single-line JSON.
func (h *Header) compact() []byte {
	if bytes.IndexAny(h.raw, "\n\r\t ") < 0 {
		return h.Raw()
	}
	v := jsontext.Value(bytes.Clone(h.Raw()))
	_ = v.Compact()
	return v
}

// appendHeader appends the item header for writing. A changed item always
// gets an explicit length, so its payload may hold newlines.
func (it *Item) appendHeader(b []byte) []byte {
	if n, ok := it.Header.GetInt("length"); ok && n == int64(len(it.payload)) {
		return append(b, it.Header.compact()...)
	}
	if c := it.Header.compact(); isObject(c) && it.Header.Get("length") == nil {
		// No length to replace: the member goes last, written in place
		// rather than through a rewritten copy of the header. (A lenient
		// parse may have kept a header that is no object; Set rewrites
		// those.)
		b = append(b, c[:len(c)-1]...)
		if len(c) > 2 {
			b = append(b, ',')
		}
		b = append(b, `"length":`...)
		b = strconv.AppendInt(b, int64(len(it.payload)), 10)
		return append(b, '}')
	}
	h := it.Header.Clone()
	_ = h.Set("length", int64(len(it.payload)))
	return append(b, h.raw...)
}

// isObject reports whether compact JSON v is an object.
func isObject(v []byte) bool { return len(v) >= 2 && v[0] == '{' && v[len(v)-1] == '}' }

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) write(b []byte) {
	if c.err != nil || len(b) == 0 {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	c.err = err
}
