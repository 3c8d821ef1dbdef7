package otlp

import (
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The benchmarks decode the same payload with our decoder (default
// limits, through the public API) and with proto.Unmarshal into the
// generated types, the baseline.

func BenchmarkDecodeTracesProtobuf(b *testing.B) {
	data, err := proto.Marshal(benchTraceRequest())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=sentrywire", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeTraces(data, Protobuf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=proto.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var req coltracepb.ExportTraceServiceRequest
			if err := proto.Unmarshal(data, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeLogsProtobuf(b *testing.B) {
	data, err := proto.Marshal(benchLogsRequest())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=sentrywire", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeLogs(data, Protobuf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=proto.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var req collogspb.ExportLogsServiceRequest
			if err := proto.Unmarshal(data, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
