package fuzz

import (
	"bytes"
	stdgzip "compress/gzip"
	stdzlib "compress/zlib"
	"encoding/base64"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/klauspost/compress/zstd"

	"github.com/sentrywire/sentrywire/internal/httpbody"
)

// httpbodyEncodings lists every Content-Encoding NewReader accepts, the
// identity spellings included.
var httpbodyEncodings = []string{"", "identity", "UTF-8", "gzip", "deflate", "br", "zstd"}

// httpbodySeeds returns one small event compressed with every codec, so the
// fuzzer starts from streams that get past the headers.
func httpbodySeeds(tb testing.TB) [][]byte {
	tb.Helper()
	event := []byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","message":"hello","extra":{"n":[1,2,3]}}`)
	var seeds [][]byte
	add := func(w io.WriteCloser, buf *bytes.Buffer) {
		if _, err := w.Write(event); err != nil {
			tb.Fatal(err)
		}
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, bytes.Clone(buf.Bytes()))
	}
	var b1, b2, b3, b4 bytes.Buffer
	add(stdgzip.NewWriter(&b1), &b1)
	add(stdzlib.NewWriter(&b2), &b2)
	add(brotli.NewWriterLevel(&b3, 4), &b3)
	zw, err := zstd.NewWriter(&b4, zstd.WithEncoderConcurrency(1))
	if err != nil {
		tb.Fatal(err)
	}
	add(zw, &b4)
	return append(seeds, event, nil)
}

// FuzzDecodeBody runs arbitrary bytes through NewReader and ReadAll under
// every accepted Content-Encoding. Decoding must never panic, never return
// more than the limit, and fail only with the documented errors.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range httpbodySeeds(f) {
		f.Add(s, uint16(64))
		f.Add(s, uint16(4096))
	}
	for _, s := range sdkRawBodies() {
		f.Add(s, uint16(math.MaxUint16))
	}
	f.Fuzz(func(t *testing.T, body []byte, limit16 uint16) {
		limit := int64(limit16)
		for _, enc := range httpbodyEncodings {
			rc, err := httpbody.NewReader(bytes.NewReader(body), enc)
			if err != nil {
				t.Fatalf("%q: NewReader rejected an accepted encoding: %v", enc, err)
			}
			out, err := httpbody.ReadAll(rc, limit)
			if int64(len(out)) > limit {
				t.Fatalf("%q: %d bytes returned, limit %d", enc, len(out), limit)
			}
			switch {
			case err == nil:
				if enc == "" || enc == "identity" || enc == "UTF-8" {
					if !bytes.Equal(out, body) {
						t.Fatalf("%q: identity decoding changed the body", enc)
					}
				}
			case errors.Is(err, httpbody.ErrTooLarge):
				var le *httpbody.LimitError
				if !errors.As(err, &le) || le.Limit != limit || out != nil {
					t.Fatalf("%q: bad limit error %v (limit %d, %d bytes)", enc, err, limit, len(out))
				}
			case errors.Is(err, httpbody.ErrCorruptBody):
				var ce *httpbody.CorruptBodyError
				if !errors.As(err, &ce) || ce.Encoding != enc || ce.Err == nil {
					t.Fatalf("%q: bad corrupt-body error %#v", enc, err)
				}
			default:
				t.Fatalf("%q: unexpected error %v", enc, err)
			}
			if err := rc.Close(); err != nil {
				t.Fatalf("%q: Close: %v", enc, err)
			}
		}
	})
}

// FuzzDecodeStore checks DecodeStore on arbitrary bodies: no panic, JSON
// bodies returned untouched, output bounded by the body or maxEventSize,
// errors matching ErrInvalidBody. It also runs the Python JSON repair on
// whatever came out.
func FuzzDecodeStore(f *testing.F) {
	var z bytes.Buffer
	zw := stdzlib.NewWriter(&z)
	zw.Write([]byte(`{"message":"from raven","extra":{"x":NaN,"y":-Infinity}}`))
	zw.Close()
	for _, s := range [][]byte{
		[]byte(`{"message":"plain"}`),
		[]byte(base64.StdEncoding.EncodeToString([]byte(`{"message":"b64"}`))),
		[]byte(base64.StdEncoding.EncodeToString(z.Bytes())),
		[]byte(base64.StdEncoding.EncodeToString(z.Bytes()[:z.Len()/2])),
		[]byte("e30=e30="),
		[]byte("not base64"),
		nil,
	} {
		f.Add(s, uint16(1024))
		f.Add(s, uint16(8))
	}
	for _, s := range sdkStoreBodies() {
		f.Add(s, uint16(math.MaxUint16))
	}
	f.Fuzz(func(t *testing.T, body []byte, max16 uint16) {
		maxEventSize := int(max16)
		out, err := httpbody.DecodeStore(body, maxEventSize)
		if err != nil {
			var se *httpbody.StoreError
			if !errors.Is(err, httpbody.ErrInvalidBody) || !errors.As(err, &se) || se.Err == nil {
				t.Fatalf("unexpected error %#v", err)
			}
			if out != nil {
				t.Fatalf("data returned with error %v", err)
			}
			return
		}
		if len(body) == 0 || body[0] == '{' {
			if len(body) > 0 && &out[0] != &body[0] || len(out) != len(body) {
				t.Fatal("JSON body was not returned as is")
			}
		} else if len(out) > max(maxEventSize, len(body)) {
			t.Fatalf("%d bytes from a %d-byte body with maxEventSize %d", len(out), len(body), maxEventSize)
		}
		checkRepair(t, out)
	})
}

// FuzzRepairPythonJSON checks the invariants of RepairPythonJSON: the input
// is never modified, the length never changes, only '0' and ' ' are
// written, an unchanged result is the input itself, and valid JSON stays
// valid JSON.
func FuzzRepairPythonJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":NaN,"b":[Infinity,-Infinity],"c":"NaN"}`,
		`123456789012345678901234567890`,
		`1.99999999999999999999999e99999999999999999999999`,
		`["\"NaN\\",NaN]`,
		`Nxx aN Infinit y`,
		`{"valid":[1,2,3,true,null,"x"]}`,
	} {
		f.Add([]byte(s))
	}
	for _, s := range sdkStoreBodies() {
		f.Add(s)
	}
	f.Fuzz(checkRepair)
}

func checkRepair(t *testing.T, in []byte) {
	orig := bytes.Clone(in)
	out := httpbody.RepairPythonJSON(in)
	if !bytes.Equal(in, orig) {
		t.Fatal("input modified")
	}
	if len(out) != len(in) {
		t.Fatalf("length changed from %d to %d", len(in), len(out))
	}
	if bytes.Equal(out, in) {
		if len(in) > 0 && &out[0] != &in[0] {
			t.Fatal("unchanged result was copied")
		}
		return
	}
	for i := range in {
		if out[i] != in[i] && out[i] != '0' && out[i] != ' ' {
			t.Fatalf("byte %d rewritten to %q", i, out[i])
		}
	}
	if jsontext.Value(in).IsValid() && !jsontext.Value(out).IsValid() {
		t.Fatalf("valid JSON became invalid: %q -> %q", in, out)
	}
}
