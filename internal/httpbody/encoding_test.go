package httpbody

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewReaderRoundTrip(t *testing.T) {
	payloads := map[string][]byte{
		"empty-payload": {},
		"one-byte":      []byte("{"),
		"small-event":   eventJSON(300),
		"64KiB-event":   eventJSON(64 << 10),
		"1MiB-event":    eventJSON(1 << 20),
	}
	for _, p := range producers {
		for name, payload := range payloads {
			t.Run(p.name+"/"+name, func(t *testing.T) {
				compressed := compress(t, p, payload)
				// OneByteReader makes the codecs cope with minimal reads from
				// the network as well as with large ones.
				for _, src := range []io.Reader{bytes.NewReader(compressed), iotest.OneByteReader(bytes.NewReader(compressed))} {
					rc, err := NewReader(src, p.encoding)
					require.NoError(t, err)
					got, err := ReadAll(rc, 2<<20)
					require.NoError(t, err)
					assert.Equal(t, payload, got)
					require.NoError(t, rc.Close())
				}
			})
		}
	}
}

func TestNewReaderIdentity(t *testing.T) {
	payload := []byte(`{"message":"hello"}`)
	for _, value := range []string{"", "identity", "UTF-8", "utf-8", "Utf-8", "uTF-8"} {
		t.Run(value, func(t *testing.T) {
			rc, err := NewReader(bytes.NewReader(payload), value)
			require.NoError(t, err)
			got, err := io.ReadAll(rc)
			require.NoError(t, err)
			assert.Equal(t, payload, got)
			assert.NoError(t, rc.Close())
		})
	}
}

func TestNewReaderUnsupported(t *testing.T) {
	values := []string{
		"GZIP", "Gzip", "x-gzip", "gzip, br", "gzip,br", "br, gzip", " gzip", "gzip ",
		"Deflate", "DEFLATE", "x-deflate", "BR", "Br", "brotli", "ZSTD", "zst",
		"Identity", "IDENTITY", "compress", "x-compress", "*", "chunked",
		"UTF8", "utf-16", "UTF-8 ", "gzip\x00", "identity, gzip",
	}
	for _, value := range values {
		t.Run(value, func(t *testing.T) {
			rc, err := NewReader(bytes.NewReader(nil), value)
			require.Error(t, err)
			assert.Nil(t, rc)
			assert.ErrorIs(t, err, ErrUnsupportedEncoding)
			assert.NotErrorIs(t, err, ErrCorruptBody)
			var ue *UnsupportedEncodingError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, value, ue.Value)
			assert.Contains(t, err.Error(), "unsupported Content-Encoding")
		})
	}
}

func TestNewReaderEmptyBody(t *testing.T) {
	for _, enc := range []string{"", "identity", "UTF-8", "gzip", "deflate", "br", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			rc, err := NewReader(bytes.NewReader(nil), enc)
			require.NoError(t, err)
			got, err := ReadAll(rc, 100)
			require.NoError(t, err)
			assert.Empty(t, got)
			require.NoError(t, rc.Close())
		})
	}
}

// zstdFrame returns a one-block zstd frame holding content whose header
// demands a window of 1<<windowLog bytes. Encoders shrink the window to fit
// small inputs, so the header is written by hand: magic number, a frame
// header descriptor with no content size and no checksum, the window
// descriptor (exponent windowLog-10, mantissa 0), then one raw last block.
func zstdFrame(windowLog int, content string) []byte {
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, byte(windowLog-10) << 3}
	h := 1 | len(content)<<3 // last block, raw, size
	b = append(b, byte(h), byte(h>>8), byte(h>>16))
	return append(b, content...)
}

func TestNewReaderZstdWindow(t *testing.T) {
	for _, tc := range []struct {
		windowLog int
		ok        bool
	}{{10, true}, {20, true}, {23, true}, {24, false}, {27, false}, {31, false}} {
		rc, err := NewReader(bytes.NewReader(zstdFrame(tc.windowLog, `{"a":1}`)), "zstd")
		require.NoError(t, err)
		got, err := ReadAll(rc, 1<<20)
		if tc.ok {
			require.NoError(t, err, "window 1<<%d", tc.windowLog)
			assert.Equal(t, `{"a":1}`, string(got))
		} else {
			assert.ErrorIs(t, err, ErrCorruptBody, "window 1<<%d", tc.windowLog)
		}
	}
}

func TestNewReaderCorrupt(t *testing.T) {
	event := eventJSON(8 << 10)
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0xff
		return b
	}
	var rawDeflate bytes.Buffer
	fw, err := flate.NewWriter(&rawDeflate, flate.BestCompression)
	require.NoError(t, err)
	_, err = fw.Write(event)
	require.NoError(t, err)
	require.NoError(t, fw.Close())

	gz := compress(t, producerFor(t, "gzip"), event)
	zl := compress(t, producerFor(t, "deflate"), event)
	br := compress(t, producerFor(t, "br"), event)
	zs := compress(t, producerFor(t, "zstd"), event)

	cases := []struct {
		name     string
		encoding string
		body     []byte
	}{
		{"gzip/not-compressed", "gzip", event},
		{"gzip/truncated-half", "gzip", gz[:len(gz)/2]},
		{"gzip/truncated-trailer", "gzip", gz[:len(gz)-1]},
		{"gzip/header-only", "gzip", gz[:10]},
		{"gzip/bad-crc", "gzip", flip(gz, len(gz)-6)},
		{"gzip/bad-size", "gzip", flip(gz, len(gz)-2)},
		{"gzip/trailing-garbage", "gzip", append(bytes.Clone(gz), "garbage"...)},
		{"gzip/one-byte", "gzip", []byte{0x1f}},
		{"deflate/not-compressed", "deflate", event},
		{"deflate/raw-rfc1951", "deflate", rawDeflate.Bytes()},
		{"deflate/gzip-data", "deflate", gz},
		{"deflate/truncated-half", "deflate", zl[:len(zl)/2]},
		{"deflate/truncated-checksum", "deflate", zl[:len(zl)-2]},
		{"deflate/bad-checksum", "deflate", flip(zl, len(zl)-1)},
		{"deflate/one-byte", "deflate", []byte{0x78}},
		{"br/not-compressed", "br", event},
		{"br/truncated-half", "br", br[:len(br)/2]},
		{"br/garbage-after-end", "br", append(bytes.Clone(br), 0xff, 0xff, 0xff)},
		{"zstd/not-compressed", "zstd", event},
		{"zstd/truncated-half", "zstd", zs[:len(zs)/2]},
		{"zstd/bad-magic", "zstd", flip(zs, 0)},
		{"zstd/bad-checksum", "zstd", flip(zs, len(zs)-1)},
		{"zstd/window-too-large", "zstd", zstdFrame(24, "{}")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := NewReader(bytes.NewReader(tc.body), tc.encoding)
			require.NoError(t, err, "NewReader must not read the body")
			got, err := ReadAll(rc, 1<<20)
			require.Error(t, err, "decoded %d bytes", len(got))
			assert.ErrorIs(t, err, ErrCorruptBody)
			assert.NotErrorIs(t, err, ErrTooLarge)
			var ce *CorruptBodyError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.encoding, ce.Encoding)
			assert.Equal(t, int64(len(got)), ce.Offset, "offset counts the decoded bytes delivered")
			assert.NotNil(t, errors.Unwrap(err), "the codec's error is kept as the cause")
			assert.Contains(t, err.Error(), "corrupt "+tc.encoding+" body")

			// The error is sticky.
			_, err2 := rc.Read(make([]byte, 10))
			assert.Equal(t, err, err2)
			require.NoError(t, rc.Close())
		})
	}
}

func TestNewReaderTruncatedIsUnexpectedEOF(t *testing.T) {
	gz := compress(t, producerFor(t, "gzip"), eventJSON(4096))
	rc, err := NewReader(bytes.NewReader(gz[:len(gz)-4]), "gzip")
	require.NoError(t, err)
	_, err = ReadAll(rc, 1<<20)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorIs(t, err, ErrCorruptBody)
}

func TestNewReaderGzipMultistream(t *testing.T) {
	p := producerFor(t, "gzip")
	first, second := []byte(`{"a":`), []byte(`1}`)
	body := append(compress(t, p, first), compress(t, p, second)...)
	rc, err := NewReader(bytes.NewReader(body), "gzip")
	require.NoError(t, err)
	got, err := ReadAll(rc, 100)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(got))
}

// TestNewReaderSourceErrors checks that transport failures are reported as
// themselves, not as corrupt data, whatever the codec does with them.
func TestNewReaderSourceErrors(t *testing.T) {
	errNet := errors.New("connection reset by peer")
	event := eventJSON(32 << 10)
	for _, enc := range []string{"", "gzip", "deflate", "br", "zstd"} {
		for _, cut := range []string{"before-any-byte", "mid-stream"} {
			t.Run(enc+"/"+cut, func(t *testing.T) {
				body := event
				if enc != "" {
					body = compress(t, producerFor(t, enc), event)
				}
				data := body[:len(body)/2]
				if cut == "before-any-byte" {
					data = nil
				}
				rc, err := NewReader(&failingReader{data: data, err: errNet}, enc)
				require.NoError(t, err)
				_, err = ReadAll(rc, 1<<20)
				require.ErrorIs(t, err, errNet)
				assert.NotErrorIs(t, err, ErrCorruptBody)
				require.NoError(t, rc.Close())
			})
		}
	}
}

func TestNewReaderClose(t *testing.T) {
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			p := producerFor(t, enc)
			for i := range 3 {
				// Repeated use exercises decoders coming back from the pool,
				// including one closed half-way through its body.
				payload := eventJSON(1000 * (i + 1))
				rc, err := NewReader(bytes.NewReader(compress(t, p, payload)), enc)
				require.NoError(t, err)
				if i == 1 {
					_, err = rc.Read(make([]byte, 10))
					require.NoError(t, err)
				} else {
					got, err := ReadAll(rc, 1<<20)
					require.NoError(t, err)
					require.Equal(t, payload, got)
				}
				require.NoError(t, rc.Close())
				require.NoError(t, rc.Close(), "Close is idempotent")
				n, err := rc.Read(make([]byte, 10))
				assert.Zero(t, n)
				assert.ErrorIs(t, err, ErrClosed)
			}
		})
	}
}

func TestNewReaderConcurrent(t *testing.T) {
	type job struct {
		enc        string
		compressed []byte
		want       []byte
	}
	var jobs []job
	for _, p := range producers {
		for i := range 4 {
			payload := eventJSON(2000 + 5000*i)
			jobs = append(jobs, job{p.encoding, compress(t, p, payload), payload})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(jobs))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				j := jobs[(i+g)%len(jobs)]
				rc, err := NewReader(bytes.NewReader(j.compressed), j.enc)
				if err != nil {
					errs <- err
					return
				}
				got, err := ReadAll(rc, 1<<20)
				_ = rc.Close()
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, j.want) {
					errs <- errors.New("decoded body differs for " + j.enc)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestNewReaderDoesNoIO makes sure the 415 decision is made from the header
// alone: NewReader must not touch the body.
func TestNewReaderDoesNoIO(t *testing.T) {
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		rc, err := NewReader(iotest.ErrReader(errors.New("must not be read")), enc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	}
}

func TestGzipWriterLevels(t *testing.T) {
	// sentry-python uses gzip level 9; make sure every level decodes.
	payload := eventJSON(10 << 10)
	for level := gzip.HuffmanOnly; level <= gzip.BestCompression; level++ {
		var buf bytes.Buffer
		w, err := gzip.NewWriterLevel(&buf, level)
		require.NoError(t, err)
		_, err = w.Write(payload)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		rc, err := NewReader(&buf, "gzip")
		require.NoError(t, err)
		got, err := ReadAll(rc, 1<<20)
		require.NoError(t, err, "level %d", level)
		assert.Equal(t, payload, got, "level %d", level)
	}
}
