package httpbody

import (
	"bytes"
	stdgzip "compress/gzip"
	stdzlib "compress/zlib"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

// producer compresses data the way one real client library would.
type producer struct {
	name     string
	encoding string // Content-Encoding value the output is sent with
	writer   func(w io.Writer) (io.WriteCloser, error)
}

// producers covers every accepted encoding, with the standard library as a
// second, independent producer for gzip and deflate.
var producers = []producer{
	{"klauspost-gzip", "gzip", func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	}},
	{"stdlib-gzip", "gzip", func(w io.Writer) (io.WriteCloser, error) {
		return stdgzip.NewWriterLevel(w, stdgzip.DefaultCompression)
	}},
	{"klauspost-zlib", "deflate", func(w io.Writer) (io.WriteCloser, error) {
		return zlib.NewWriterLevel(w, zlib.BestSpeed)
	}},
	{"stdlib-zlib", "deflate", func(w io.Writer) (io.WriteCloser, error) {
		return stdzlib.NewWriterLevel(w, stdzlib.BestCompression)
	}},
	{"brotli", "br", func(w io.Writer) (io.WriteCloser, error) {
		return brotli.NewWriterLevel(w, 4), nil
	}},
	{"zstd", "zstd", func(w io.Writer) (io.WriteCloser, error) {
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	}},
}

func compress(t testing.TB, p producer, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := p.writer(&buf)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func producerFor(t testing.TB, encoding string) producer {
	t.Helper()
	for _, p := range producers {
		if p.encoding == encoding {
			return p
		}
	}
	t.Fatalf("no producer for %q", encoding)
	return producer{}
}

// eventJSON returns a JSON-ish event body of about size bytes, with enough
// variety that compressors do real work.
func eventJSON(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","platform":"python","breadcrumbs":[`)
	for i := 0; b.Len() < size-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timestamp":%d.%03d,"category":"http","data":{"url":"https://example.com/api/%d","status_code":%d}}`,
			1700000000+i*7, i%1000, i*31%977, 200+i%5)
	}
	b.WriteString(`],"level":"error"}`)
	return []byte(b.String())
}

// failingReader returns data and then err instead of io.EOF, like a
// connection that breaks mid-body.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}
