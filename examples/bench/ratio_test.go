package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"
)

func readCanned(t *testing.T) *Results {
	t.Helper()
	f, err := os.Open("testdata/canned.txt")
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadResults(f, "canned.txt", module)
	require.NoError(t, err)
	return res
}

func TestRows(t *testing.T) {
	res := readCanned(t)
	rows := res.Rows([]Target{
		{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "stdjson-lines", Min: 50},
		{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "IndexByte", Min: 0.2},
		{Pkg: "otlp", Bench: "Traces/encoding=protobuf", Impl: "sentrywire", Baseline: "proto.Unmarshal", Min: 2},
		{Pkg: "otlp", Bench: "Traces/encoding=json", Impl: "sentrywire", Baseline: "protojson.Unmarshal"},
		{Pkg: "otlp", Bench: "Traces/encoding=protobuf", Impl: "sentrywire"},
		{Pkg: "grouping", Bench: "Group", Impl: "sentrywire", Baseline: "baseline", Min: 20},
	})
	type want struct {
		bench, baseline string
		procs, runs     int
		implNs, baseNs  float64
		ratio           float64
		verdict         string
	}
	wants := []want{
		// Medians of three: 50000 vs 2500000, whatever the order of runs.
		{"Framing", "stdjson-lines", 1, 3, 50000, 2500000, 50, "met"},
		{"Framing", "stdjson-lines", 2, 1, 50000, 2000000, 40, "NOT met"},
		{"Framing", "IndexByte", 1, 3, 50000, 9000, 0.18, "NOT met"},
		{"Framing", "IndexByte", 2, 1, 50000, 0, 0, "missing"},
		{"Traces/encoding=protobuf", "proto.Unmarshal", 1, 1, 1e6, 1.5e6, 1.5, "NOT met"},
		// The baseline failed: no ratio rather than a wrong one.
		{"Traces/encoding=json", "protojson.Unmarshal", 1, 1, 2e6, 0, 0, "missing"},
		{"Traces/encoding=protobuf", "", 1, 1, 1e6, 0, 0, "reported"},
		{"Group", "baseline", 1, 0, 0, 0, 0, "missing"},
	}
	require.Len(t, rows, len(wants))
	for i, w := range wants {
		r := rows[i]
		assert.Equal(t, w.bench, r.Bench, "row %d", i)
		assert.Equal(t, w.baseline, r.Baseline, "row %d", i)
		assert.Equal(t, w.procs, r.Procs, "row %d", i)
		assert.Equal(t, w.runs, r.Impl.Runs, "row %d", i)
		assert.InDelta(t, w.implNs, r.Impl.Sec*1e9, 1e-3, "row %d", i)
		assert.InDelta(t, w.baseNs, r.Base.Sec*1e9, 1e-3, "row %d", i)
		assert.InDelta(t, w.ratio, r.Ratio(), 1e-9, "row %d", i)
		assert.Equal(t, w.verdict, r.Verdict(), "row %d", i)
	}
	// Throughput and allocations are medians too.
	assert.InDelta(t, 1200e6, rows[0].Impl.BytesPerSec, 1)
	assert.Equal(t, 15000.0, rows[0].Base.AllocsPerOp)
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		name string
		want key
	}{
		{"Framing/impl=Parse", key{bench: "Framing", impl: "Parse", procs: 1}},
		{"Framing/impl=Parse-2", key{bench: "Framing", impl: "Parse", procs: 2}},
		{"Traces/encoding=json/impl=protojson.Unmarshal-16", key{bench: "Traces/encoding=json", impl: "protojson.Unmarshal", procs: 16}},
		{"DecodeEvent/impl=DecodeEvent+Lazy", key{bench: "DecodeEvent", impl: "DecodeEvent+Lazy", procs: 1}},
		{"Decode/producer=stdlib-gzip/impl=stdlib-2", key{bench: "Decode/producer=stdlib-gzip", impl: "stdlib", procs: 2}},
		{"ParseStore-2", key{bench: "ParseStore", procs: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, splitName(benchfmt.Name(tt.name)))
		})
	}
}

func TestWriteRatioTable(t *testing.T) {
	res := readCanned(t)
	var b strings.Builder
	require.NoError(t, WriteRatioTable(&b, res.Rows([]Target{
		{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "stdjson-lines", Min: 50},
	})))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 1+2+4, b.String()) // header, the target at two GOMAXPROCS, the four runs it does not name
	assert.Equal(t, []string{"envelope", "Framing", "1", "Parse", "50000", "1200.0", "0", "stdjson-lines", "2500000", "50.0x", ">=", "50.0x", "met"}, strings.Fields(lines[1]))
	assert.Equal(t, []string{"envelope", "Framing", "2", "Parse", "50000", "1200.0", "0", "stdjson-lines", "2000000", "40.0x", ">=", "50.0x", "NOT", "met"}, strings.Fields(lines[2]))
	assert.Equal(t, []string{"envelope", "Framing", "1", "IndexByte", "9000", "6666.0", "0", "-", "-", "-", "-", "reported"}, strings.Fields(lines[3]))
	assert.Equal(t, []string{"otlp", "Traces/encoding=json", "1", "sentrywire", "2000000", "25.0", "1400", "-", "-", "-", "-", "reported"}, strings.Fields(lines[6]))
}

func TestFamilies(t *testing.T) {
	res := readCanned(t)
	fams := res.families([]Target{
		{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "stdjson-lines"},
		{Pkg: "envelope", Bench: "Framing", Impl: "Parse", Baseline: "IndexByte"},
		{Pkg: "otlp", Bench: "Traces/encoding=protobuf", Impl: "sentrywire", Baseline: "proto.Unmarshal"},
		{Pkg: "grouping", Bench: "Group", Impl: "sentrywire", Baseline: "baseline"}, // not run: no table
	})
	require.Len(t, fams, 2)
	// Baselines first, in the targets' order, so benchstat's deltas are
	// against them; then the rest as they ran.
	assert.Equal(t, family{pkg: module + "/envelope", name: "Framing", impls: []string{"stdjson-lines", "IndexByte", "Parse"}}, fams[0])
	assert.Equal(t, []string{"proto.Unmarshal", "sentrywire"}, fams[1].impls) // protojson.Unmarshal failed
	assert.Equal(t, []string{
		"-filter", `pkg:"github.com/sentrywire/sentrywire/otlp" .name:"Traces"`,
		"-col", `/impl@("proto.Unmarshal" "sentrywire")`, "x.txt",
	}, fams[1].args("x.txt"))
}
