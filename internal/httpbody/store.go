package httpbody

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// ErrInvalidBody is matched (via [errors.Is]) by the [*StoreError] that
// [DecodeStore] returns for a body that is neither JSON nor valid base64 or
// base64+zlib. Relay answers such requests with 400 and the detail
// "invalid request body".
var ErrInvalidBody = errors.New("invalid request body")

// StoreError reports a legacy /store/ body that could not be decoded. It
// matches [ErrInvalidBody] and unwraps to the underlying decoder error.
type StoreError struct {
	// Stage is the decoding step that failed: "base64" or "zlib".
	Stage string
	// Err describes the failure and where it happened: for base64 a
	// [base64.CorruptInputError] holding the offset of the offending byte in
	// the body, or an error about the body's length; for zlib the
	// decompressor's error (a bad header, corrupt data at a given input
	// offset, a checksum mismatch).
	Err error
}

// Error names the failed stage and its reason.
func (e *StoreError) Error() string {
	return fmt.Sprintf("invalid request body: %s: %v", e.Stage, e.Err)
}

// Is reports whether target is [ErrInvalidBody].
func (e *StoreError) Is(target error) bool { return target == ErrInvalidBody }

// Unwrap returns the decoder error.
func (e *StoreError) Unwrap() error { return e.Err }

// DecodeStore decodes the body of a legacy /store/ request (or the
// sentry_data query value of a GET /store/ request) into event JSON,
// accepting the three forms Relay accepts:
//
//  1. An empty body, or one whose first byte is '{', is JSON already and is
//     returned as is (the same slice, not a copy). An empty result is for
//     the caller to reject.
//  2. Anything else must be standard padded base64 (RFC 4648 section 4,
//     alphabet A-Z a-z 0-9 + /). Decoding is as strict as Relay's: the
//     length must be a multiple of 4, no whitespace or line breaks are
//     allowed anywhere, unused bits in the last symbol of a padded group
//     must be zero, and the URL-safe alphabet is rejected. Like Relay,
//     several padded groups may follow each other ("Zm8=YmFy" decodes to
//     "fobar"), which is what concatenated base64 strings look like.
//  3. If the decoded bytes start with '{' they are returned. Otherwise they
//     must be a zlib stream (RFC 1950), whose output is cut off after
//     maxEventSize bytes without an error, exactly as Relay does; the
//     truncated JSON then normally fails the caller's JSON check.
//
// A zlib stream whose input simply ends early is, as in Relay, not an
// error: the bytes inflated so far are returned. Corrupt zlib data, a bad
// header, a preset dictionary or a checksum mismatch fail. Failures are
// [*StoreError] values matching [ErrInvalidBody].
//
// A non-positive maxEventSize makes every zlib body decode to nothing.
func DecodeStore(body []byte, maxEventSize int) ([]byte, error) {
	if len(body) == 0 || body[0] == '{' {
		return body, nil
	}
	decoded, err := decodeBase64(body)
	if err != nil {
		return nil, &StoreError{Stage: "base64", Err: err}
	}
	if len(decoded) > 0 && decoded[0] == '{' {
		return decoded, nil
	}
	out, err := inflateTruncated(decoded, max(maxEventSize, 0))
	if err != nil {
		return nil, &StoreError{Stage: "zlib", Err: err}
	}
	return out, nil
}

// decodeBase64 decodes with the rules of the data_encoding crate's BASE64
// encoding, which Relay uses. Go's StdEncoding.Strict differs in two ways
// that are corrected here: it skips CR and LF, and it stops at the first
// padded group instead of continuing with the next one.
func decodeBase64(src []byte) ([]byte, error) {
	if len(src)%4 != 0 {
		return nil, fmt.Errorf("length %d is not a multiple of 4", len(src))
	}
	if i := bytes.IndexAny(src, "\r\n"); i >= 0 {
		return nil, base64.CorruptInputError(i)
	}
	enc := base64.StdEncoding.Strict()
	dst := make([]byte, len(src)/4*3)
	written, offset := 0, 0
	for offset < len(src) {
		seg := src[offset:]
		if i := bytes.IndexByte(seg, '='); i >= 0 {
			// Cut after the 4-byte group holding the first padding byte; the
			// group is complete because the length is a multiple of 4.
			seg = seg[:(i/4+1)*4]
		}
		n, err := enc.Decode(dst[written:], seg)
		if err != nil {
			var cie base64.CorruptInputError
			if errors.As(err, &cie) {
				return nil, base64.CorruptInputError(int64(offset) + int64(cie))
			}
			return nil, err
		}
		written += n
		offset += len(seg)
	}
	return dst[:written], nil
}

// zlibReaders pools zlib decompressors for DecodeStore; each one carries
// tens of kilobytes of Huffman tables and window.
var zlibReaders sync.Pool

// inflateTruncated inflates a zlib stream, returning at most limit bytes.
func inflateTruncated(data []byte, limit int) ([]byte, error) {
	src := bytes.NewReader(data)
	var zr io.ReadCloser
	var err error
	if pooled, ok := zlibReaders.Get().(io.ReadCloser); ok {
		zr = pooled
		err = zr.(zlib.Resetter).Reset(src, nil)
	} else {
		zr, err = zlib.NewReader(src)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// The input ended inside the two-byte header. Relay's inflater
			// reports end of data rather than an error here.
			return data[:0], nil
		}
		return nil, err
	}
	// Grow from a guess of a typical compression ratio instead of from a
	// tiny buffer; ReadAll caps the growth at the limit.
	out, err := ReadAll(&sizedReader{r: io.LimitReader(zr, int64(limit)), n: min(4*len(data), limit)}, int64(limit))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	// Either the stream ended (cleanly, or early, which Relay treats as the
	// end of data) or the limit was reached; in both cases the state can be
	// reused because Reset reinitialises it completely.
	zlibReaders.Put(zr)
	return out, nil
}

// sizedReader advertises a size hint through Len so ReadAll allocates its
// buffer once in the common case.
type sizedReader struct {
	r io.Reader
	n int
}

func (s *sizedReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// Len returns the size hint.
func (s *sizedReader) Len() int { return s.n }
