package otlp

import (
	"testing"

	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The JSON decoders against protojson.Unmarshal into the generated types,
// on the same request: OTLP JSON (hex ids) for ours, protojson's own
// encoding (base64 ids) for protojson, which cannot read hex ids.

func BenchmarkDecodeTracesJSON(b *testing.B) {
	req := benchTraceRequest()
	benchmarkJSON(b, req, func() proto.Message { return new(coltracepb.ExportTraceServiceRequest) },
		func(data []byte) error { _, err := decodeTracesJSON(data, new(DefaultLimits())); return err })
}

func BenchmarkDecodeLogsJSON(b *testing.B) {
	req := benchLogsRequest()
	benchmarkJSON(b, req, func() proto.Message { return new(collogspb.ExportLogsServiceRequest) },
		func(data []byte) error { _, err := decodeLogsJSON(data, new(DefaultLimits())); return err })
}

func benchmarkJSON(b *testing.B, req proto.Message, empty func() proto.Message, decode func([]byte) error) {
	ours := otlpJSON(b, req, nil)
	theirs, err := protojson.Marshal(req)
	require.NoError(b, err)
	b.Run("impl=sentrywire", func(b *testing.B) {
		b.SetBytes(int64(len(ours)))
		b.ReportAllocs()
		for b.Loop() {
			if err := decode(ours); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=protojson.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(theirs)))
		b.ReportAllocs()
		for b.Loop() {
			if err := protojson.Unmarshal(theirs, empty()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
