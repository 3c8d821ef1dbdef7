package otlp

import (
	"testing"

	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// BenchmarkTraces measures what a host pays per request, decoding and
// converting it into Sentry spans, against decoding alone into the
// generated types (the baseline every Go OTLP receiver pays before it
// converts anything), on the same request in the same run. The direct
// impl decodes and writes the span container payload with AppendSpans
// into a buffer it reuses, as a server with pooled buffers does.
func BenchmarkTraces(b *testing.B) {
	req := benchTraceRequest()
	var buf []byte
	benchmarkRequest(b, req, func() proto.Message { return new(coltracepb.ExportTraceServiceRequest) },
		func(data []byte, enc Encoding) int {
			t, err := DecodeTraces(data, enc)
			if err != nil {
				b.Fatal(err)
			}
			return len(ConvertTraces(t).Spans)
		},
		func(data []byte) int {
			t, err := DecodeTraces(data, Protobuf)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			buf, n, _ = AppendSpans(buf[:0], t)
			return n
		})
}

// BenchmarkLogs is BenchmarkTraces for logs.
func BenchmarkLogs(b *testing.B) {
	req := benchLogsRequest()
	var buf []byte
	benchmarkRequest(b, req, func() proto.Message { return new(collogspb.ExportLogsServiceRequest) },
		func(data []byte, enc Encoding) int {
			l, err := DecodeLogs(data, enc)
			if err != nil {
				b.Fatal(err)
			}
			return len(ConvertLogs(l).Logs)
		},
		func(data []byte) int {
			l, err := DecodeLogs(data, Protobuf)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			buf, n = AppendLogs(buf[:0], l)
			return n
		})
}

func benchmarkRequest(b *testing.B, req proto.Message, empty func() proto.Message, convert func([]byte, Encoding) int, direct func([]byte) int) {
	pb, err := proto.Marshal(req)
	require.NoError(b, err)
	ours := otlpJSON(b, req, nil) // OTLP JSON: hex ids
	theirs, err := protojson.Marshal(req)
	require.NoError(b, err)
	require.NotZero(b, convert(pb, Protobuf))
	require.Equal(b, convert(pb, Protobuf), convert(ours, JSON))
	require.Equal(b, convert(pb, Protobuf), direct(pb))

	run := func(name string, data []byte, f func()) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				f()
			}
			// On a shared machine wall time stretches with the load;
			// CPU time per op (GC included) much less so.
			if cpu := processCPU() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			}
		})
	}
	run("encoding=protobuf/impl=sentrywire", pb, func() { convert(pb, Protobuf) })
	run("encoding=protobuf/impl=sentrywire-direct", pb, func() { direct(pb) })
	run("encoding=protobuf/impl=proto.Unmarshal", pb, func() {
		if err := proto.Unmarshal(pb, empty()); err != nil {
			b.Fatal(err)
		}
	})
	run("encoding=json/impl=sentrywire", ours, func() { convert(ours, JSON) })
	run("encoding=json/impl=protojson.Unmarshal", theirs, func() {
		if err := protojson.Unmarshal(theirs, empty()); err != nil {
			b.Fatal(err)
		}
	})
}
