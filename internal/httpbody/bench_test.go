package httpbody

import (
	"bytes"
	"testing"
)

// BenchmarkDecode measures NewReader+ReadAll on a 64 KiB event, reporting
// decoded MB/s.
func BenchmarkDecode(b *testing.B) {
	event := eventJSON(64 << 10)
	for _, p := range producers {
		compressed := compress(b, p, event)
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(event)))
			b.ReportAllocs()
			r := bytes.NewReader(compressed)
			for b.Loop() {
				r.Reset(compressed)
				rc, err := NewReader(r, p.encoding)
				if err != nil {
					b.Fatal(err)
				}
				got, err := ReadAll(rc, 1<<20)
				if err != nil || len(got) != len(event) {
					b.Fatal(err, len(got))
				}
				rc.Close()
			}
			b.ReportMetric(float64(len(compressed)), "compressed-bytes")
		})
	}
	b.Run("identity", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		r := bytes.NewReader(event)
		for b.Loop() {
			r.Reset(event)
			rc, _ := NewReader(r, "")
			if _, err := ReadAll(rc, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
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
