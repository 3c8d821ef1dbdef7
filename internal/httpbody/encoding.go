package httpbody

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// AcceptEncoding is the value of the Accept-Encoding response header that
// should accompany a 415 Unsupported Media Type answer to a request whose
// Content-Encoding [NewReader] rejected. It is byte-for-byte what Relay sends
// (its HTTP stack lists the codecs it was built with in this order, without
// spaces). "identity" is accepted as well but, as in Relay, not advertised.
const AcceptEncoding = "zstd,gzip,deflate,br"

// MaxZstdWindow is the largest zstd window (history size) [NewReader]
// accepts. A zstd frame declares the window its decoder must keep in memory,
// so without a cap a 20-byte hostile frame could demand gigabytes before a
// single output byte is produced. 8 MiB is the bound RFC 9659 sets for the
// "zstd" HTTP content coding and covers every standard compression level
// (levels 1-19 use windows of at most 8 MiB). Frames made with --long or
// --ultra settings that need a larger window fail with [ErrCorruptBody];
// Relay, whose zstd library allows 128 MiB, would accept them.
const MaxZstdWindow = 8 << 20

// ErrUnsupportedEncoding is matched (via [errors.Is]) by the error
// [NewReader] returns for a Content-Encoding value Relay does not accept.
// Relay answers such requests with 415 Unsupported Media Type and an
// Accept-Encoding header set to [AcceptEncoding].
var ErrUnsupportedEncoding = errors.New("unsupported Content-Encoding")

// ErrCorruptBody is matched (via [errors.Is]) by the error a reader from
// [NewReader] returns when the compressed data cannot be decoded: a bad
// header, an invalid stream, a checksum mismatch or a stream that ends too
// early. Relay answers 400 Bad Request in that case.
var ErrCorruptBody = errors.New("corrupt compressed body")

// ErrClosed is returned by Read on a reader from [NewReader] after Close.
var ErrClosed = errors.New("read after Close")

// UnsupportedEncodingError reports a Content-Encoding value that
// [NewReader] does not accept. It matches [ErrUnsupportedEncoding].
type UnsupportedEncodingError struct {
	// Value is the Content-Encoding header value as received.
	Value string
}

// Error names the rejected value and the values that are accepted.
func (e *UnsupportedEncodingError) Error() string {
	return fmt.Sprintf("unsupported Content-Encoding %q (accepted: gzip, deflate, br, zstd, identity; matched exactly and case-sensitively)", e.Value)
}

// Is reports whether target is [ErrUnsupportedEncoding].
func (e *UnsupportedEncodingError) Is(target error) bool { return target == ErrUnsupportedEncoding }

// CorruptBodyError reports compressed data that failed to decode. It
// matches [ErrCorruptBody] and unwraps to the codec's own error, which may be
// [io.ErrUnexpectedEOF] for a truncated stream.
type CorruptBodyError struct {
	// Encoding is the Content-Encoding that was being decoded ("gzip",
	// "deflate", "br" or "zstd").
	Encoding string
	// Offset is the number of decoded bytes successfully returned to the
	// caller before the failure.
	Offset int64
	// Err is the error reported by the codec.
	Err error
}

// Error names the encoding, how far decoding got and the codec's reason.
func (e *CorruptBodyError) Error() string {
	return fmt.Sprintf("corrupt %s body after %d decoded bytes: %v", e.Encoding, e.Offset, e.Err)
}

// Is reports whether target is [ErrCorruptBody].
func (e *CorruptBodyError) Is(target error) bool { return target == ErrCorruptBody }

// Unwrap returns the codec's error.
func (e *CorruptBodyError) Unwrap() error { return e.Err }

// codec identifies one of the accepted compressed encodings.
type codec int

const (
	codecGzip codec = iota
	codecDeflate
	codecBrotli
	codecZstd
	numCodecs
)

var codecNames = [numCodecs]string{"gzip", "deflate", "br", "zstd"}

// pools holds idle decoders per codec. Decoder state is large compared with
// a typical event (a zstd decoder or a brotli ring buffer is hundreds of
// kilobytes once used), so reusing it across requests removes most of the
// per-request allocation. Only decoders that finished without error are
// pooled, so a codec never sees state left behind by a failed stream.
var pools [numCodecs]sync.Pool

// NewReader returns a reader that yields the decoded body of an HTTP request
// read from r, given the request's Content-Encoding header value.
//
// The accepted values follow Relay exactly:
//
//   - "" and "UTF-8" (in any letter case) are treated as no encoding. Relay
//     deletes both before decoding because sentry-ruby 5.x sends an empty
//     value and sentry.java.android 2.0.0 sends "UTF-8".
//   - "identity" means no encoding.
//   - "gzip" (RFC 1952; concatenated members are decoded in sequence),
//     "deflate" (the zlib format of RFC 1950, which is what HTTP means by
//     deflate; raw RFC 1951 data is rejected as corrupt), "br" (Brotli) and
//     "zstd" (Zstandard, window at most [MaxZstdWindow]).
//
// The match is exact and case-sensitive, so "GZIP", "x-gzip" and lists such
// as "gzip, br" fail with an [*UnsupportedEncodingError] matching
// [ErrUnsupportedEncoding]; the caller should answer 415 with an
// Accept-Encoding header of [AcceptEncoding]. That is the only error
// NewReader returns, and it does no I/O: problems with the data surface from
// Read as a [*CorruptBodyError] matching [ErrCorruptBody]. Errors from r
// itself (a broken connection, an exceeded transport limit) are passed
// through unchanged so they are not mistaken for a client's bad data.
//
// The returned reader does not limit the decoded size; wrap it in
// [LimitReader] or read it with [ReadAll]. An empty r decodes to an empty
// body for every encoding, so the caller's empty-body check reports it.
// Close releases the decoder for reuse and does not close r; the reader
// must not be used after Close, and Close must not be called concurrently
// with Read.
func NewReader(r io.Reader, contentEncoding string) (io.ReadCloser, error) {
	var c codec
	switch contentEncoding {
	case "", "identity":
		return io.NopCloser(r), nil
	case "gzip":
		c = codecGzip
	case "deflate":
		c = codecDeflate
	case "br":
		c = codecBrotli
	case "zstd":
		c = codecZstd
	default:
		if strings.EqualFold(contentEncoding, "UTF-8") {
			return io.NopCloser(r), nil
		}
		return nil, &UnsupportedEncodingError{Value: contentEncoding}
	}
	d, _ := pools[c].Get().(*decoder)
	if d == nil {
		d = &decoder{codec: c}
		d.buf = bufio.NewReaderSize(&d.src, 4096)
	}
	d.src.r = r
	return &body{d: d}, nil
}

// body is the handle NewReader returns. It is separate from the pooled
// decoder so that a Read after Close fails cleanly instead of touching a
// decoder that another request may already be using.
type body struct {
	d   *decoder
	err error // set by Close
}

func (b *body) Read(p []byte) (int, error) {
	if b.d == nil {
		return 0, b.err
	}
	return b.d.Read(p)
}

func (b *body) Close() error {
	d := b.d
	if d == nil {
		return nil
	}
	b.d = nil
	b.err = ErrClosed
	d.release()
	return nil
}

// source wraps the caller's reader and remembers the first error other than
// io.EOF it returns. Codecs pass such errors up, sometimes rewrapped; by
// checking source.err the decoder tells a transport failure apart from
// corrupt data.
type source struct {
	r   io.Reader
	err error
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// decoder is the reusable state behind one body: a buffered source, which
// the flate-based codecs use directly as their io.ByteReader, and the codec
// itself, created on first use and reset for every later body.
type decoder struct {
	codec   codec
	src     source
	buf     *bufio.Reader
	gz      *gzip.Reader
	zl      io.ReadCloser
	br      *brotli.Reader
	zs      *zstd.Decoder
	active  io.Reader // the codec reading the current body; nil before the first Read
	started bool
	n       int64 // decoded bytes returned so far
	err     error // sticky result once the body ended or failed
}

func (d *decoder) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if !d.started {
		d.started = true
		if err := d.start(); err != nil {
			d.err = err
			return 0, err
		}
	}
	n, err := d.active.Read(p)
	d.n += int64(n)
	if err != nil {
		if err != io.EOF {
			err = d.classify(err)
		}
		d.err = err
	}
	return n, err
}

// start prepares the codec for the current body. Header parsing happens
// here rather than in NewReader so that NewReader never blocks on I/O.
func (d *decoder) start() error {
	d.buf.Reset(&d.src)
	if _, err := d.buf.Peek(1); err != nil {
		if err == io.EOF {
			// An empty body stays empty whatever its declared encoding.
			return io.EOF
		}
		return d.classify(err)
	}
	var err error
	switch d.codec {
	case codecGzip:
		if d.gz == nil {
			d.gz, err = gzip.NewReader(d.buf)
		} else {
			err = d.gz.Reset(d.buf)
		}
		d.active = d.gz
	case codecDeflate:
		if d.zl == nil {
			d.zl, err = zlib.NewReader(d.buf)
		} else {
			err = d.zl.(zlib.Resetter).Reset(d.buf, nil)
		}
		d.active = d.zl
	case codecBrotli:
		if d.br == nil {
			d.br = brotli.NewReader(d.buf)
		} else {
			err = d.br.Reset(d.buf)
		}
		d.active = d.br
	case codecZstd:
		if d.zs == nil {
			d.zs, err = zstd.NewReader(nil,
				// Concurrency 1 decodes synchronously in the caller's
				// goroutine, so a pooled or abandoned decoder holds no
				// goroutine; low-memory mode and the window cap bound what a
				// hostile frame header can make it allocate.
				zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(MaxZstdWindow),
				zstd.WithDecoderMaxMemory(MaxZstdWindow),
			)
			if err != nil {
				// The options are constants; failure here is a programming error
				// surfaced as an ordinary error rather than a panic.
				return fmt.Errorf("creating zstd decoder: %w", err)
			}
		}
		err = d.zs.Reset(d.buf)
		d.active = d.zs
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return d.classify(err)
	}
	return nil
}

// classify turns a codec error into the error the caller sees: the source's
// own error if reading the source failed, a CorruptBodyError otherwise.
func (d *decoder) classify(err error) error {
	if d.src.err != nil {
		return d.src.err
	}
	return &CorruptBodyError{Encoding: codecNames[d.codec], Offset: d.n, Err: err}
}

// release drops every reference to the finished body and returns the
// decoder to its pool when the codec state is known to be clean.
func (d *decoder) release() {
	reusable := d.err == nil || d.err == io.EOF || !d.started
	var zeroSource source
	d.src = zeroSource
	d.buf.Reset(&d.src)
	if d.zs != nil {
		// Drop the decoder's reference to the finished stream's reader.
		_ = d.zs.Reset(nil)
	}
	d.active = nil
	d.started = false
	d.n = 0
	d.err = nil
	if reusable {
		pools[d.codec].Put(d)
	}
}
