package httpbody

import (
	"bytes"
	"errors"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readerKinds wraps a body in readers with different read patterns: one
// that reports its length (ReadAll sizes its buffer once), one that does not
// and returns one byte per call, and one that returns data with io.EOF.
var readerKinds = map[string]func([]byte) io.Reader{
	"bytes.Reader": func(b []byte) io.Reader { return bytes.NewReader(b) },
	"one-byte":     func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
	"data-eof":     func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	"half":         func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
}

var limitCases = []struct {
	name    string
	size    int
	limit   int64
	tooBig  bool
	wantLen int // bytes returned (by LimitReader also before its error)
}{
	{"empty/limit-0", 0, 0, false, 0},
	{"one-byte/limit-0", 1, 0, true, 0},
	{"empty/negative-limit", 0, -5, false, 0},
	{"one-byte/negative-limit", 1, -5, true, 0},
	{"below-limit", 99, 100, false, 99},
	{"exactly-limit", 100, 100, false, 100},
	{"one-over-limit", 101, 100, true, 100},
	{"far-over-limit", 10000, 100, true, 100},
	{"exactly-limit/large", 3 << 20, 3 << 20, false, 3 << 20},
	{"one-over-limit/large", 3<<20 + 1, 3 << 20, true, 3 << 20},
	{"exactly-first-buffer", firstReadSize, firstReadSize, false, firstReadSize},
	{"one-over-first-buffer", firstReadSize + 1, firstReadSize, true, firstReadSize},
}

func TestReadAll(t *testing.T) {
	for _, tc := range limitCases {
		for kind, wrap := range readerKinds {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				data := bytes.Repeat([]byte("x"), tc.size)
				got, err := ReadAll(wrap(data), tc.limit)
				if tc.tooBig {
					require.ErrorIs(t, err, ErrTooLarge)
					var le *LimitError
					require.ErrorAs(t, err, &le)
					assert.Equal(t, max(tc.limit, 0), le.Limit)
					assert.Contains(t, err.Error(), "exceeds the limit")
					assert.Nil(t, got)
				} else {
					require.NoError(t, err)
					assert.Equal(t, data[:tc.wantLen], got)
					// Only a body that fit in the first chunk keeps that chunk's
					// spare capacity; longer ones are copied to an exact fit.
					assert.LessOrEqual(t, cap(got), max(len(got)+1, firstReadSize))
				}
			})
		}
	}
}

func TestReadAllPassesErrorsThrough(t *testing.T) {
	errNet := errors.New("network down")
	got, err := ReadAll(&failingReader{data: []byte("abc"), err: errNet}, 10)
	assert.Equal(t, errNet, err)
	assert.Equal(t, "abc", string(got))
}

func TestLimitReader(t *testing.T) {
	for _, tc := range limitCases {
		for kind, wrap := range readerKinds {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				data := bytes.Repeat([]byte("y"), tc.size)
				lr := LimitReader(wrap(data), tc.limit)
				got, err := io.ReadAll(lr)
				if tc.tooBig {
					require.ErrorIs(t, err, ErrTooLarge)
					var le *LimitError
					require.ErrorAs(t, err, &le)
					assert.Equal(t, max(tc.limit, 0), le.Limit)
					// Once over the limit the reader keeps failing.
					n, err2 := lr.Read(make([]byte, 8))
					assert.Zero(t, n)
					assert.Equal(t, err, err2)
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, data[:tc.wantLen], got)
			})
		}
	}
}

func TestHugeLimits(t *testing.T) {
	data := []byte("some body")
	for _, limit := range []int64{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt32, 1 << 40} {
		got, err := ReadAll(bytes.NewReader(data), limit)
		require.NoError(t, err)
		assert.Equal(t, data, got)
		got, err = ReadAll(iotest.OneByteReader(bytes.NewReader(data)), limit)
		require.NoError(t, err)
		assert.Equal(t, data, got)
		got, err = io.ReadAll(LimitReader(bytes.NewReader(data), limit))
		require.NoError(t, err)
		assert.Equal(t, data, got)
	}
}

func TestLimitReaderZeroLengthRead(t *testing.T) {
	lr := LimitReader(bytes.NewReader([]byte("abc")), 1)
	n, err := lr.Read(nil)
	assert.Zero(t, n)
	assert.NoError(t, err)
}

func TestLimitReaderPassesErrorsThrough(t *testing.T) {
	errNet := errors.New("network down")
	lr := LimitReader(&failingReader{data: []byte("abc"), err: errNet}, 10)
	got, err := io.ReadAll(lr)
	assert.Equal(t, errNet, err)
	assert.Equal(t, "abc", string(got))
}

// bombSize is the decoded size of the decompression bombs: 1 GiB, or
// 64 MiB under the race detector (still over three times the limit the
// tests use, so the decoder cannot tell the difference before it stops).
var bombSize = func() int {
	if raceEnabled {
		return 64 << 20
	}
	return 1 << 30
}()

var (
	bombsOnce sync.Once
	bombs     map[string][]byte // Content-Encoding -> compressed bomb
)

// bombFor returns a compressed body that decodes to bombSize zero bytes.
// It is built once, streaming 1 MiB of zeros at a time into the fastest
// compressor settings, so the decoded bomb never exists in memory.
func bombFor(t testing.TB, encoding string) []byte {
	t.Helper()
	bombsOnce.Do(func() {
		bombs = make(map[string][]byte)
		zeros := make([]byte, 1<<20)
		fast := map[string]func(io.Writer) (io.WriteCloser, error){
			"gzip":    func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, gzip.BestSpeed) },
			"deflate": func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriterLevel(w, zlib.BestSpeed) },
			"br":      func(w io.Writer) (io.WriteCloser, error) { return brotli.NewWriterLevel(w, 1), nil },
			"zstd": func(w io.Writer) (io.WriteCloser, error) {
				return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
			},
		}
		for enc, newWriter := range fast {
			var buf bytes.Buffer
			w, err := newWriter(&buf)
			if err != nil {
				panic(err)
			}
			for range bombSize / len(zeros) {
				if _, err := w.Write(zeros); err != nil {
					panic(err)
				}
			}
			if err := w.Close(); err != nil {
				panic(err)
			}
			bombs[enc] = buf.Bytes()
		}
	})
	return bombs[encoding]
}

// TestDecompressionBomb feeds zero bombs through NewReader and ReadAll with
// a 20 MiB limit and checks that decoding stops at the limit with a bounded
// heap.
func TestDecompressionBomb(t *testing.T) {
	const limit = 20 << 20
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			bomb := bombFor(t, enc)

			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			var peak atomic.Uint64
			done := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > peak.Load() {
						peak.Store(ms.HeapAlloc)
					}
					select {
					case <-done:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()

			start := time.Now()
			rc, err := NewReader(bytes.NewReader(bomb), enc)
			require.NoError(t, err)
			got, err := ReadAll(rc, limit)
			elapsed := time.Since(start)
			close(done)
			<-sampled
			var after runtime.MemStats
			runtime.ReadMemStats(&after)

			require.ErrorIs(t, err, ErrTooLarge)
			assert.Nil(t, got)
			allocated := after.TotalAlloc - before.TotalAlloc
			peakGrowth := peak.Load() - min(peak.Load(), before.HeapAlloc)
			t.Logf("%s bomb (%d KiB -> %d MiB): stopped at %d MiB after %v; allocated %.1f MiB in total, peak heap growth %.1f MiB",
				enc, len(bomb)>>10, bombSize>>20, limit>>20, elapsed.Round(time.Millisecond),
				float64(allocated)/(1<<20), float64(peakGrowth)/(1<<20))
			// ReadAll's chunks add up to at most limit+1 bytes. The codec's own
			// state (up to a 16 MiB Brotli ring buffer or an 8 MiB zstd
			// window) and not yet collected garbage come on top.
			const codecSlack = 12 << 20
			assert.Less(t, allocated, uint64(limit+1+codecSlack))
			assert.Less(t, peakGrowth, uint64(limit+1+codecSlack))
			require.NoError(t, rc.Close())
		})
	}
}
