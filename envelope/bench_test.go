package envelope

import (
	"bytes"
	stdjson "encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sdkEnvelopes returns the decompressed envelope captures, concatenated per
// SDK into one benchmark input each is not meaningful, so they are kept
// apart and the benchmark walks all of them.
func sdkEnvelopes(b testing.TB) [][]byte {
	var out [][]byte
	for _, c := range loadCaptures(b) {
		if !c.IsStore() {
			out = append(out, c.Body)
		}
	}
	return out
}

func totalLen(bs [][]byte) int64 {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return int64(n)
}

// BenchmarkFraming frames every real SDK envelope in testdata/sdk once per
// iteration, with Parse, with Reader, and with three baselines:
//
//   - impl=IndexByte finds every newline with bytes.IndexByte and nothing
//     else: the ceiling for framing, which has to look at least that far;
//   - impl=stdjson-lines is what a plain line-splitting reader does: split the
//     body on newlines and json.Unmarshal every line into an interface{},
//     falling back to raw bytes for lines that are not JSON;
//   - impl=stdjson-headers does only the framing work: json.Unmarshal each
//     header into a map and take the payload by "length" or to the newline.
func BenchmarkFraming(b *testing.B) {
	envs := sdkEnvelopes(b)
	items := 0
	for _, e := range envs {
		env, err := Parse(e)
		require.NoError(b, err)
		items += len(env.Items)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*items), "ns/item")
	}
	b.Run("impl=Parse", func(b *testing.B) {
		b.SetBytes(totalLen(envs))
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range envs {
				if _, err := Parse(e); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
	b.Run("impl=Reader", func(b *testing.B) {
		b.SetBytes(totalLen(envs))
		b.ReportAllocs()
		var br bytes.Reader
		r := NewReader(&br)
		for b.Loop() {
			for _, e := range envs {
				br.Reset(e)
				r.Reset(&br)
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		report(b)
	})
	b.Run("impl=IndexByte", func(b *testing.B) {
		b.SetBytes(totalLen(envs))
		b.ReportAllocs()
		lines := 0
		for b.Loop() {
			for _, e := range envs {
				for i := 0; ; lines++ {
					n := bytes.IndexByte(e[i:], '\n')
					if n < 0 {
						break
					}
					i += n + 1
				}
			}
		}
		if lines == 0 {
			b.Fatal("no lines")
		}
		report(b)
	})
	b.Run("impl=stdjson-lines", func(b *testing.B) {
		b.SetBytes(totalLen(envs))
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range envs {
				for _, line := range bytes.Split(e, []byte("\n")) {
					var v any
					if stdjson.Unmarshal(line, &v) != nil {
						v = line
					}
				}
			}
		}
		report(b)
	})
	b.Run("impl=stdjson-headers", func(b *testing.B) {
		b.SetBytes(totalLen(envs))
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range envs {
				if err := baselineFrame(e); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
}

// baselineFrame frames an envelope with encoding/json the obvious way.
func baselineFrame(data []byte) error {
	line := func() []byte {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			l := data
			data = nil
			return l
		}
		l := data[:i]
		data = data[i+1:]
		return l
	}
	var h map[string]any
	if err := stdjson.Unmarshal(line(), &h); err != nil {
		return err
	}
	for len(data) > 0 {
		var ih map[string]any
		if err := stdjson.Unmarshal(line(), &ih); err != nil {
			return err
		}
		if n, ok := ih["length"].(float64); ok {
			data = data[min(int(n)+1, len(data)):]
		} else {
			line()
		}
	}
	return nil
}

// TestFramingAllocatesNothingPerItem pins the zero-copy promise: framing an
// envelope of many items allocates no more than framing one of a few.
func TestFramingAllocatesNothingPerItem(t *testing.T) {
	build := func(n int) []byte {
		b := []byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}` + "\n")
		for i := range n {
			b = append(b, `{"type":"session","length":2}`+"\n{}\n"...)
			_ = i
		}
		return b
	}
	few, many := build(3), build(100)
	l := WithLimits(Limits{})
	aFew := testing.AllocsPerRun(50, func() { _, _ = Parse(few, l) })
	aMany := testing.AllocsPerRun(50, func() { _, _ = Parse(many, l) })
	t.Logf("allocs: %v for 3 items, %v for 100 items", aFew, aMany)
	// 100 items outgrow the Envelope's inline arrays: a few doublings of the
	// item and pointer slices, and nothing per item.
	require.LessOrEqual(t, aMany, aFew+12)
}

// bigEnvelope streams an envelope of n attachments of size bytes each and
// one event, without holding it in memory.
type bigEnvelope struct {
	n, size int64
	i       int64 // attachments written
	left    int64 // payload bytes left of the current attachment
	pending []byte
}

func (g *bigEnvelope) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		switch {
		case len(g.pending) > 0:
			n := copy(p, g.pending)
			g.pending = g.pending[n:]
			p, total = p[n:], total+n
		case g.left > 0:
			n := int(min(int64(len(p)), g.left))
			clear(p[:n])
			g.left -= int64(n)
			p, total = p[n:], total+n
			if g.left == 0 {
				g.pending = []byte("\n")
			}
		case g.i == 0 && g.pending == nil:
			g.pending = []byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\"}\n{\"message\":\"big\"}\n")
			g.i = -1
		case g.i < 0 || g.i < g.n:
			if g.i < 0 {
				g.i = 0
			}
			g.i++
			g.pending = []byte("{\"type\":\"attachment\",\"filename\":\"dump" + strconv.FormatInt(g.i, 10) + ".bin\",\"length\":" + strconv.FormatInt(g.size, 10) + "}\n")
			g.left = g.size
		default:
			if total == 0 {
				return 0, io.EOF
			}
			return total, nil
		}
	}
	return total, nil
}

// TestStreamBoundedMemory streams a 1 GiB envelope of 100 MiB attachments
// and checks that the Reader allocates a bounded amount whatever the size.
func TestStreamBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const attachments, size = 10, 100 << 20 // 1000 MiB of payload, 1 GiB with framing
	limits := DefaultLimits()
	limits.MaxEnvelopeSize, limits.MaxAttachmentsSize = 2<<30, 2<<30

	// The heap is sampled from inside the read loop, every 4 MiB and at
	// every item, rather than by a timer: the whole gigabyte streams in
	// tens of milliseconds, between two ticks of any timer worth having.
	// /memory/classes/heap/objects:bytes is the heap the live and not yet
	// swept objects occupy, the figure an unbounded buffer would grow.
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	base := heap()
	peak := base

	start := time.Now()
	r := NewReader(&bigEnvelope{n: attachments, size: size}, WithLimits(limits))
	buf := make([]byte, 64<<10)
	var payload int64
	count := 0
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		peak = max(peak, heap())
		var n int64
		for {
			m, err := r.Read(buf)
			n += int64(m)
			if n%(4<<20) < int64(m) {
				peak = max(peak, heap())
			}
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
		}
		if h.Type() == TypeAttachment {
			require.EqualValues(t, size, n)
		}
		payload += n
		count++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	grown := peak - base
	t.Logf("streamed %d items, %d MiB of payload in %v (%.0f MB/s); allocated %d KiB; peak heap in use %.1f MiB",
		count, payload>>20, elapsed.Round(time.Millisecond), float64(payload)/1e6/elapsed.Seconds(), allocated>>10, float64(grown)/(1<<20))
	require.Equal(t, attachments+1, count)
	require.Less(t, allocated, uint64(8<<20), "streaming must not allocate in proportion to the envelope")
	require.Less(t, grown, uint64(8<<20), "peak heap above what it was before streaming")
}

func BenchmarkStream100MiBAttachment(b *testing.B) {
	limits := DefaultLimits()
	b.SetBytes(100 << 20)
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(&bigEnvelope{n: 1, size: 100 << 20}, WithLimits(limits))
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadRequest replays every real SDK request through ReadRequest:
// auth, Content-Encoding, limits and framing, as an ingest server runs it.
func BenchmarkReadRequest(b *testing.B) {
	reqs := loadCaptures(b)
	mux := http.NewServeMux()
	h := func(w http.ResponseWriter, r *http.Request) {
		if _, err := ReadRequest(r); err != nil {
			b.Fatal(err)
		}
	}
	mux.HandleFunc("POST /api/{project_id}/envelope/", h)
	mux.HandleFunc("POST /api/{project_id}/store/", h)
	var size int64
	for _, c := range reqs {
		size += int64(len(c.Raw))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	w := httptest.NewRecorder()
	for b.Loop() {
		for _, c := range reqs {
			r := httptest.NewRequest(http.MethodPost, c.Target(), bytes.NewReader(c.Raw))
			for k, v := range c.Headers {
				r.Header.Set(k, v)
			}
			mux.ServeHTTP(w, r)
		}
	}
}

// BenchmarkParseStore turns the sentry-python store bodies into envelopes.
func BenchmarkParseStore(b *testing.B) {
	var bodies [][]byte
	for _, c := range loadCaptures(b) {
		if c.IsStore() {
			bodies = append(bodies, c.Body)
		}
	}
	b.SetBytes(totalLen(bodies))
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			if _, err := ParseStore(body, "sentry.python/1.9.10"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEncode writes every real SDK envelope in testdata/sdk once per
// iteration:
//
//   - impl=WriteTo writes the parsed, unchanged envelopes: what a proxy
//     forwards, byte for byte;
//   - impl=WriteTo-edited writes them after one header edit each (a new
//     sent_at), so every envelope header is rewritten and every item
//     re-framed with its length;
//   - impl=copy appends the same bytes to a buffer, the ceiling;
//   - impl=stdjson-lines is the hand-rolled baseline: json.Marshal every
//     header (decoded into a map, as such a host keeps them) and join
//     headers and payloads with newlines.
func BenchmarkEncode(b *testing.B) {
	raw := sdkEnvelopes(b)
	envs := make([]*Envelope, len(raw))
	edited := make([]*Envelope, len(raw))
	type frame struct {
		header   map[string]any
		items    []map[string]any
		payloads [][]byte
	}
	frames := make([]frame, len(raw))
	for i, e := range raw {
		var err error
		envs[i], err = Parse(e)
		require.NoError(b, err)
		edited[i], err = Parse(bytes.Clone(e))
		require.NoError(b, err)
		require.NoError(b, edited[i].Header.Set("sent_at", "2026-12-06T05:00:00.000000Z"))
		for _, it := range edited[i].Items {
			it.Header.Delete("length")
		}
		f := frame{}
		require.NoError(b, stdjson.Unmarshal(envs[i].Header.Raw(), &f.header))
		for _, it := range envs[i].Items {
			var h map[string]any
			require.NoError(b, stdjson.Unmarshal(it.Header.Raw(), &h))
			f.items = append(f.items, h)
			f.payloads = append(f.payloads, it.Payload())
		}
		frames[i] = f
	}
	total := totalLen(raw)
	var buf bytes.Buffer
	run := func(name string, write func(i int) error) {
		b.Run("impl="+name, func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				for i := range raw {
					buf.Reset()
					if err := write(i); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	run("WriteTo", func(i int) error { _, err := envs[i].WriteTo(&buf); return err })
	run("WriteTo-edited", func(i int) error { _, err := edited[i].WriteTo(&buf); return err })
	run("copy", func(i int) error { buf.Write(raw[i]); return nil })
	run("stdjson-lines", func(i int) error {
		f := frames[i]
		h, err := stdjson.Marshal(f.header)
		if err != nil {
			return err
		}
		buf.Write(h)
		for j, ih := range f.items {
			ih["length"] = len(f.payloads[j])
			h, err := stdjson.Marshal(ih)
			if err != nil {
				return err
			}
			buf.WriteByte('\n')
			buf.Write(h)
			buf.WriteByte('\n')
			buf.Write(f.payloads[j])
		}
		buf.WriteByte('\n')
		return nil
	})
}
