package envelope

import (
	"bytes"
	"io"
)

// A Reader reads an envelope from a stream, one item at a time, in bounded
// memory: a payload is never buffered whole, so a 200 MB attachment passes
// through a small buffer on its way to wherever the caller copies it.
//
// Next advances to the next item and returns its header; the Reader itself
// then reads that item's payload, as an archive/tar.Reader reads a file:
//
//	r := envelope.NewReader(body)
//	for {
//		h, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		io.Copy(dst, r) // the payload of h
//	}
//
// A Reader frames exactly as Parse does and reports the same errors with the
// same item indexes and offsets; it reports some later, as it gets to them
// (a payload that ends too soon, say, when its bytes run out). Limits are
// checked as items arrive; an item of implicit length is cut off with a
// *LimitError as soon as it is longer than its type allows.
//
// That is the one way a Reader can differ from Parse: Parse, like Relay,
// frames the whole envelope before it checks sizes, so an envelope that is
// both malformed and over a limit is a *SyntaxError for Parse, while a
// Reader, which cannot see the malformation yet, reports the *LimitError it
// meets first. Likewise Parse checks MaxEnvelopeSize before it frames, and
// a Reader when the input grows past it.
type Reader struct {
	src io.Reader
	p   parser

	buf      []byte // buffered input is buf[pos:end]
	pos, end int
	base     int64 // input offset of buf[0]
	eof      bool  // src is exhausted
	srcErr   error // a read error from src, reported once the buffer is drained
	read     int64 // bytes read from src

	err       error // sticky: once framing failed, every call fails
	started   bool
	hdr       EnvelopeHeader
	hdrBuf    []byte
	item      ItemHeader
	itemBuf   []byte
	index     int   // index of the current item; -1 before the first
	inPayload bool  // the current item's payload is not read to its end
	remaining int64 // explicit length: payload bytes left; implicit: -1
	size      int64 // payload bytes read so far
	limit     int64 // implicit length: largest payload allowed, or -1
	itemOff   int64 // input offset of the current item's header
}

const readerBufSize = 32 << 10

// NewReader returns a Reader that reads an envelope from r.
func NewReader(r io.Reader, opts ...Option) *Reader {
	rd := &Reader{src: r, index: -1}
	rd.p.opts = buildOptions(opts)
	rd.p.budget.limits = &rd.p.opts.limits
	rd.buf = make([]byte, readerBufSize)
	return rd
}

// Reset makes r read a new envelope from src with the same options, reusing
// its buffers. A server that pools Readers allocates nothing per request.
func (r *Reader) Reset(src io.Reader) {
	// Field by field, to keep the buffers and the parser's warm decoder.
	r.src, r.pos, r.end, r.base, r.eof, r.srcErr, r.read = src, 0, 0, 0, false, nil, 0
	r.err, r.started, r.index, r.inPayload = nil, false, -1, false
	r.hdr, r.hdrBuf = EnvelopeHeader{}, r.hdrBuf[:0]
	r.item, r.itemBuf = ItemHeader{}, r.itemBuf[:0]
	r.remaining, r.size, r.limit, r.itemOff = 0, 0, 0, 0
	r.p.budget = budget{limits: &r.p.opts.limits}
}

// Header reads the envelope header, if Next has not already, and returns it.
// It is valid for the life of the Reader.
func (r *Reader) Header() (*EnvelopeHeader, error) {
	if r.started {
		return &r.hdr, nil
	}
	if r.err != nil {
		return nil, r.err
	}
	for {
		b := r.buf[r.pos:r.end]
		start, end, err := r.p.envelopeHeader(b, r.eof, r.base+int64(r.pos), &r.hdr)
		if err == errShort {
			if err := r.more(start); err != nil {
				return nil, r.fail(err)
			}
			continue
		}
		if err != nil {
			return nil, r.fail(err)
		}
		r.hdrBuf = append(r.hdrBuf[:0], b[start:end]...)
		r.hdr.Header = Header{raw: r.hdrBuf}
		r.pos += end
		if r.pos < r.end {
			r.pos++ // the newline
		}
		r.started = true
		return &r.hdr, nil
	}
}

// Next advances to the next item and returns its header, which is valid
// until the following call to Next. Whatever was left of the previous
// item's payload is skipped. At the end of the envelope Next returns io.EOF.
func (r *Reader) Next() (*ItemHeader, error) {
	if _, err := r.Header(); err != nil {
		return nil, err
	}
	if r.inPayload {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return nil, err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.pos == r.end {
		if err := r.fill(); err != nil {
			return nil, r.fail(err)
		}
		if r.pos == r.end {
			r.err = io.EOF
			return nil, io.EOF
		}
	}
	index := r.index + 1
	for {
		b := r.buf[r.pos:r.end]
		start, end, err := r.p.itemHeader(b, r.eof, r.base+int64(r.pos), index, &r.item)
		if err == errShort {
			if err := r.more(start); err != nil {
				return nil, r.fail(err)
			}
			continue
		}
		if err == io.EOF { // trailing whitespace, and the caller allows it
			r.pos = r.end
			r.err = io.EOF
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.fail(err)
		}
		r.index = index
		r.itemOff = r.base + int64(r.pos+start)
		r.itemBuf = append(r.itemBuf[:0], b[start:end]...)
		r.item.Header = Header{raw: r.itemBuf}
		r.pos += end
		if r.pos < r.end {
			r.pos++ // the newline
		}
		break
	}
	info := r.item.info
	r.inPayload, r.size, r.remaining, r.limit = true, 0, -1, -1
	if info.length >= 0 {
		if err := r.p.budget.charge(info.typ, r.item.bucket, info.itemCount, info.length, r.index, r.itemOff); err != nil {
			return nil, r.fail(err)
		}
		r.remaining = info.length
	} else {
		r.limit = r.p.budget.maxPayload(r.item.bucket, info.itemCount)
	}
	return &r.item, nil
}

// Read reads the payload of the current item. It returns io.EOF at the end
// of the payload, and an error if the framing after it is wrong.
func (r *Reader) Read(p []byte) (int, error) {
	if !r.inPayload {
		if r.err != nil && r.err != io.EOF {
			return 0, r.err
		}
		return 0, io.EOF
	}
	if r.remaining >= 0 {
		return r.readExplicit(p)
	}
	return r.readImplicit(p)
}

func (r *Reader) readExplicit(p []byte) (int, error) {
	if r.remaining == 0 {
		return 0, r.endExplicit()
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	var n int
	if r.pos < r.end {
		n = copy(p, r.buf[r.pos:r.end])
		r.pos += n
	} else if len(p) >= len(r.buf)/2 {
		// Big reads go straight to the caller's buffer.
		var err error
		n, err = r.readSrc(p)
		r.base += int64(r.end) + int64(n)
		r.pos, r.end = 0, 0
		switch {
		case err != nil && err != io.EOF:
			return 0, r.fail(err)
		case n == 0 && err == io.EOF:
			return 0, r.payloadEOF(err)
		}
	} else {
		if err := r.fill(); err != nil {
			return 0, r.fail(err)
		}
		if r.pos == r.end {
			return 0, r.payloadEOF(io.EOF)
		}
		n = copy(p, r.buf[r.pos:r.end])
		r.pos += n
	}
	r.remaining -= int64(n)
	r.size += int64(n)
	return n, nil
}

// payloadEOF turns the end of input inside an explicit payload into the
// error Parse reports.
func (r *Reader) payloadEOF(err error) error {
	if err != io.EOF {
		return r.fail(err)
	}
	return r.fail(&SyntaxError{Err: ErrUnexpectedEOF, Item: r.index, Offset: r.base + int64(r.end)})
}

// endExplicit checks the byte after an explicit payload.
func (r *Reader) endExplicit() error {
	if r.pos == r.end {
		if err := r.fill(); err != nil {
			return r.fail(err)
		}
	}
	r.inPayload = false
	if r.pos < r.end {
		if r.buf[r.pos] != '\n' {
			return r.fail(&SyntaxError{Err: ErrMissingNewline, Item: r.index, Offset: r.base + int64(r.pos)})
		}
		r.pos++
	}
	return io.EOF
}

func (r *Reader) readImplicit(p []byte) (int, error) {
	if r.pos == r.end {
		if err := r.fill(); err != nil {
			return 0, r.fail(err)
		}
		if r.pos == r.end {
			return 0, r.endImplicit()
		}
	}
	b := r.buf[r.pos:r.end]
	nl := bytes.IndexByte(b, '\n')
	if nl >= 0 {
		b = b[:nl]
	}
	n := copy(p, b)
	if r.limit >= 0 && r.size+int64(n) > r.limit {
		return 0, r.fail(r.p.budget.charge(r.item.info.typ, r.item.bucket, r.item.info.itemCount, r.size+int64(n), r.index, r.itemOff))
	}
	r.pos += n
	r.size += int64(n)
	if nl >= 0 && n == nl {
		r.pos++ // the newline ends the payload
		return n, r.endImplicit()
	}
	return n, nil
}

// endImplicit charges the finished payload to its bucket and reports
// io.EOF. With n > 0 bytes also returned, io.EOF is allowed by io.Reader.
func (r *Reader) endImplicit() error {
	r.inPayload = false
	if err := r.p.budget.charge(r.item.info.typ, r.item.bucket, r.item.info.itemCount, r.size, r.index, r.itemOff); err != nil {
		return r.fail(err)
	}
	return io.EOF
}

// more reads more input while a header is incomplete. The whitespace before
// the header (skip bytes) is dropped, so a run of blank lines cannot fill the
// memory. It reads until the buffered header has doubled, so that a header
// that arrives a byte at a time is scanned O(log n) times, not O(n).
func (r *Reader) more(skip int) error {
	r.pos += skip
	want := max(2*(r.end-r.pos), 512)
	for !r.eof && r.end-r.pos < want {
		if r.pos == 0 && r.end == len(r.buf) {
			// The header is bigger than the buffer; scan caps it at
			// MaxHeaderSize, so this growth is bounded.
			nb := make([]byte, 2*len(r.buf))
			r.end = copy(nb, r.buf[:r.end])
			r.buf = nb
		}
		if err := r.fill(); err != nil {
			return err
		}
	}
	return nil
}

// fill moves unread bytes to the front of the buffer and reads more.
func (r *Reader) fill() error {
	if r.eof {
		return r.srcErr
	}
	if r.pos > 0 {
		r.base += int64(r.pos)
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	for i := 0; i < 100; i++ {
		n, err := r.readSrc(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
			return nil
		}
		if err != nil {
			r.eof, r.srcErr = true, err
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// readSrc reads from the source and enforces MaxEnvelopeSize.
func (r *Reader) readSrc(p []byte) (int, error) {
	if r.eof {
		return 0, io.EOF
	}
	n, err := r.src.Read(p)
	r.read += int64(n)
	if m := r.p.opts.limits.MaxEnvelopeSize; m > 0 && r.read > m {
		return n, &LimitError{Limit: "max_envelope_size", Item: -1, Offset: m, Value: r.read, Max: m}
	}
	if err == io.EOF {
		r.eof = true
	}
	return n, err
}

// fail makes err sticky.
func (r *Reader) fail(err error) error {
	if r.err == nil || r.err == io.EOF {
		r.err = err
	}
	r.inPayload = false
	return err
}
