package main

// suite names the benchmarks the targets are measured on, one
// regular expression for go test's -bench over the packages below. Each
// benchmark runs its baselines as sub-benchmarks (impl=...) in the same
// process, so the ratios survive a noisy machine.
var suite = struct {
	packages []string
	bench    string
}{
	packages: []string{
		"./envelope",          // BenchmarkFraming: Parse, Reader (streaming) and the baselines; BenchmarkEncode
		"./envelope/protocol", // BenchmarkDecodeEvent: typed event decode
		"./grouping",          // BenchmarkGroup: decode + group
		"./otlp",              // BenchmarkTraces, BenchmarkLogs: protobuf and JSON
		"./internal/httpbody", // BenchmarkDecode: gzip, deflate, br, zstd
	},
	bench: `^Benchmark(Framing|Encode|DecodeEvent|Group|Traces|Logs|Decode)$`,
}

// targets are the ratios, one per implementation and baseline. A
// Min of 0 marks a ratio that is reported without a target.
var targets = []Target{
	{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "stdjson-lines", Min: 50},
	{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "IndexByte", Min: 0.2},
	{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "stdjson-headers"},
	{Pkg: "envelope", Bench: "Framing", Impl: "Reader", Baseline: "stdjson-lines"},
	{Pkg: "envelope", Bench: "Framing", Impl: "Reader", Baseline: "IndexByte"},
	{Pkg: "envelope", Bench: "Encode", Impl: "WriteTo", Baseline: "stdjson-lines"},
	{Pkg: "envelope", Bench: "Encode", Impl: "WriteTo", Baseline: "copy"},
	{Pkg: "envelope", Bench: "Encode", Impl: "WriteTo-edited", Baseline: "stdjson-lines"},
	{Pkg: "envelope/protocol", Bench: "DecodeEvent", Impl: "DecodeEvent", Baseline: "encoding-json-v1", Min: 3},
	{Pkg: "envelope/protocol", Bench: "DecodeEvent", Impl: "DecodeEvent+Lazy", Baseline: "encoding-json-v1"},
	{Pkg: "grouping", Bench: "Group", Impl: "sentrywire", Baseline: "baseline", Min: 20},
	{Pkg: "otlp", Bench: "Traces/encoding=protobuf", Impl: "sentrywire", Baseline: "proto.Unmarshal", Min: 2},
	{Pkg: "otlp", Bench: "Traces/encoding=protobuf", Impl: "sentrywire-direct", Baseline: "proto.Unmarshal", Min: 2},
	{Pkg: "otlp", Bench: "Traces/encoding=json", Impl: "sentrywire", Baseline: "protojson.Unmarshal"},
	{Pkg: "otlp", Bench: "Logs/encoding=protobuf", Impl: "sentrywire", Baseline: "proto.Unmarshal", Min: 2},
	{Pkg: "otlp", Bench: "Logs/encoding=protobuf", Impl: "sentrywire-direct", Baseline: "proto.Unmarshal", Min: 2},
	{Pkg: "otlp", Bench: "Logs/encoding=json", Impl: "sentrywire", Baseline: "protojson.Unmarshal"},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=stdlib-gzip", Impl: "httpbody", Baseline: "stdlib", Min: 1.3},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=klauspost-gzip", Impl: "httpbody", Baseline: "stdlib", Min: 1.3},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=stdlib-zlib", Impl: "httpbody", Baseline: "stdlib"},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=klauspost-zlib", Impl: "httpbody", Baseline: "stdlib"},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=zstd", Impl: "httpbody"},
	{Pkg: "internal/httpbody", Bench: "Decode/producer=brotli", Impl: "httpbody"},
}
