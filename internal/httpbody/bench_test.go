package httpbody

import (
	"bytes"
	stdgzip "compress/gzip"
	stdzlib "compress/zlib"
	"io"
	"testing"
)

// BenchmarkDecode measures decoding a 64 KiB event's body, reporting
// decoded MB/s, for the output of every producer: impl=httpbody is
// NewReader (klauspost/compress for gzip, deflate and zstd, brotli for br)
// and ReadAll, what ReadRequest does; impl=stdlib decodes the same gzip
// and deflate bytes with the standard library alone, compress/gzip or
// compress/zlib (one reader reused through Reset, as a careful host would)
// and io.ReadAll. The ratio is what the package buys a host over the
// standard library, for the whole step from body to bytes.
func BenchmarkDecode(b *testing.B) {
	event := eventJSON(64 << 10)
	run := func(b *testing.B, body []byte, open func(io.Reader) (io.ReadCloser, error), readAll func(io.Reader) ([]byte, error)) {
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		r := bytes.NewReader(body)
		for b.Loop() {
			r.Reset(body)
			rc, err := open(r)
			if err != nil {
				b.Fatal(err)
			}
			got, err := readAll(rc)
			if err != nil || len(got) != len(event) {
				b.Fatal(err, len(got))
			}
			rc.Close()
		}
		b.ReportMetric(float64(len(body)), "compressed-bytes")
	}
	limited := func(r io.Reader) ([]byte, error) { return ReadAll(r, 1<<20) }
	for _, p := range producers {
		compressed := compress(b, p, event)
		b.Run("producer="+p.name+"/impl=httpbody", func(b *testing.B) {
			run(b, compressed, func(r io.Reader) (io.ReadCloser, error) { return NewReader(r, p.encoding) }, limited)
		})
		if open := stdlibDecoder(p.encoding); open != nil {
			b.Run("producer="+p.name+"/impl=stdlib", func(b *testing.B) { run(b, compressed, open, io.ReadAll) })
		}
	}
	b.Run("producer=identity/impl=httpbody", func(b *testing.B) {
		run(b, event, func(r io.Reader) (io.ReadCloser, error) { return NewReader(r, "") }, limited)
	})
}

// stdlibDecoder returns an opener that decodes encoding with the standard
// library, reusing one reader across calls, or nil where the standard
// library has no decoder (br, zstd).
func stdlibDecoder(encoding string) func(io.Reader) (io.ReadCloser, error) {
	switch encoding {
	case "gzip":
		var zr *stdgzip.Reader
		return func(r io.Reader) (io.ReadCloser, error) {
			if zr == nil {
				var err error
				zr, err = stdgzip.NewReader(r)
				return zr, err
			}
			return zr, zr.Reset(r)
		}
	case "deflate":
		var zr io.ReadCloser
		return func(r io.Reader) (io.ReadCloser, error) {
			if zr == nil {
				var err error
				zr, err = stdzlib.NewReader(r)
				return zr, err
			}
			return zr, zr.(stdzlib.Resetter).Reset(r, nil)
		}
	}
	return nil
}

func BenchmarkDecompressionBomb(b *testing.B) {
	const limit = 20 << 20
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		bomb := bombFor(b, enc)
		b.Run(enc, func(b *testing.B) {
			b.SetBytes(limit)
			b.ReportAllocs()
			for b.Loop() {
				rc, _ := NewReader(bytes.NewReader(bomb), enc)
				if _, err := ReadAll(rc, limit); err == nil {
					b.Fatal("bomb not stopped")
				}
				rc.Close()
			}
		})
	}
}

func BenchmarkDecodeStore(b *testing.B) {
	event := eventJSON(64 << 10)
	cases := map[string][]byte{
		"plain-json":  event,
		"base64":      b64(event),
		"base64-zlib": b64(zlibBytes(b, event)),
	}
	for name, body := range cases {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(event)))
			b.ReportAllocs()
			for b.Loop() {
				got, err := DecodeStore(body, 1<<20)
				if err != nil || len(got) != len(event) {
					b.Fatal(err, len(got))
				}
			}
		})
	}
}

func BenchmarkRepairPythonJSON(b *testing.B) {
	clean := eventJSON(64 << 10)
	dirty := bytes.ReplaceAll(clean, []byte(`"status_code":200`), []byte(`"status_code":NaN`))
	for name, body := range map[string][]byte{"clean": clean, "with-NaN": dirty} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				RepairPythonJSON(body)
			}
		})
	}
}
