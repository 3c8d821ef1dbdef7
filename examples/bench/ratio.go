package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// A Target is one of the ratios: how many times faster than
// Baseline the implementation Impl must be in the benchmark Bench of the
// package Pkg (module-relative). Bench is the benchmark's name without the
// "Benchmark" prefix and without its impl= part, such as
// "Traces/encoding=protobuf". A Min of 0 reports the ratio without a
// target; an empty Baseline reports the implementation alone.
type Target struct {
	Pkg, Bench, Impl, Baseline string
	Min                        float64
}

// A Row is a Target measured at one GOMAXPROCS.
type Row struct {
	Target
	Procs int // GOMAXPROCS of both runs, from the name's -N suffix (1 without one)

	// Impl's and Baseline's medians; a zero Sec means the run is missing.
	Impl, Base Median
}

// A Median holds the medians of one sub-benchmark's runs.
type Median struct {
	Runs        int
	Sec         float64 // seconds per op
	BytesPerSec float64 // 0 unless the benchmark called SetBytes
	AllocsPerOp float64
}

// Ratio is how many times faster Impl ran than Baseline: the baseline's
// median time per op over the implementation's. It is 0 when either is
// missing.
func (r Row) Ratio() float64 {
	if r.Impl.Sec == 0 || r.Base.Sec == 0 {
		return 0
	}
	return r.Base.Sec / r.Impl.Sec
}

// Verdict says "met" or "NOT met" against the target, "reported" for a
// ratio without one, and "missing" when a run is absent from the output.
func (r Row) Verdict() string {
	switch {
	case r.Impl.Runs == 0 || r.Baseline != "" && r.Base.Runs == 0:
		return "missing"
	case r.Min == 0:
		return "reported"
	case r.Ratio() >= r.Min:
		return "met"
	}
	return "NOT met"
}

// key identifies one sub-benchmark's runs.
type key struct {
	pkg, bench, impl string
	procs            int
}

// Results holds the benchmark runs read from go test output.
type Results struct {
	runs  map[key][]*benchfmt.Result
	procs []int             // every GOMAXPROCS seen, ascending
	impls []key             // every sub-benchmark but for GOMAXPROCS, as first run
	pkgs  map[string]string // module-relative package → its import path
}

// ReadResults parses go test -bench output. module is the module path
// that the pkg: lines start with, so that targets can name packages
// relative to it.
func ReadResults(r io.Reader, name, module string) (*Results, error) {
	res := &Results{runs: make(map[key][]*benchfmt.Result), pkgs: make(map[string]string)}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		rec, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // unit metadata; syntax errors are the test's own output
		}
		k := splitName(rec.Name)
		pkg := rec.GetConfig("pkg")
		k.pkg = strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		res.pkgs[k.pkg] = pkg
		if _, seen := res.runs[k]; !seen {
			if !slices.Contains(res.procs, k.procs) {
				res.procs = append(res.procs, k.procs)
				slices.Sort(res.procs)
			}
			if impl := (key{k.pkg, k.bench, k.impl, 0}); !slices.Contains(res.impls, impl) {
				res.impls = append(res.impls, impl)
			}
		}
		res.runs[k] = append(res.runs[k], rec.Clone())
	}
	return res, br.Err()
}

// splitName takes a benchmark name apart into its impl= part, its
// GOMAXPROCS suffix and the rest.
func splitName(n benchfmt.Name) key {
	base, parts := n.Parts()
	k := key{bench: string(base), procs: 1}
	for _, p := range parts {
		switch {
		case bytes.HasPrefix(p, []byte("/impl=")):
			k.impl = string(p[len("/impl="):])
		case len(p) > 1 && p[0] == '-':
			if n, err := strconv.Atoi(string(p[1:])); err == nil {
				k.procs = n
			}
		default:
			k.bench += string(p)
		}
	}
	return k
}

// median summarizes one sub-benchmark's runs by the median of each unit,
// the statistic benchstat reports and the one a noisy machine leaves
// meaningful.
func (res *Results) median(k key) Median {
	runs := res.runs[k]
	m := Median{Runs: len(runs)}
	if len(runs) == 0 {
		return m
	}
	of := func(unit string) float64 {
		var vs []float64
		for _, r := range runs {
			if v, ok := r.Value(unit); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return 0
		}
		s := benchmath.NewSample(vs, &benchmath.DefaultThresholds)
		return benchmath.AssumeNothing.Summary(s, 0.95).Center
	}
	m.Sec = of("sec/op")
	m.BytesPerSec = of("B/s")
	m.AllocsPerOp = of("allocs/op")
	return m
}

// Rows measures every target at every GOMAXPROCS the output holds. A
// target none of whose runs are in the output still gets a row, so that
// it shows as missing rather than vanishing from the table.
func (res *Results) Rows(targets []Target) []Row {
	var rows []Row
	for _, t := range targets {
		n := len(rows)
		for _, p := range res.procs {
			r := Row{Target: t, Procs: p}
			r.Impl = res.median(key{t.Pkg, t.Bench, t.Impl, p})
			if t.Baseline != "" {
				r.Base = res.median(key{t.Pkg, t.Bench, t.Baseline, p})
			}
			if r.Impl.Runs > 0 || r.Base.Runs > 0 {
				rows = append(rows, r)
			}
		}
		if len(rows) == n {
			r := Row{Target: t, Procs: 1}
			if len(res.procs) > 0 {
				r.Procs = res.procs[0] // sorted
			}
			rows = append(rows, r)
		}
	}
	return append(rows, res.untargeted(targets)...)
}

// untargeted reports the runs no target names, as an implementation
// alone, so that a benchmark added to the suite shows up before it has a
// target.
func (res *Results) untargeted(targets []Target) []Row {
	named := func(pkg, bench, impl string) bool {
		return slices.ContainsFunc(targets, func(t Target) bool {
			return t.Pkg == pkg && t.Bench == bench && (t.Impl == impl || t.Baseline == impl)
		})
	}
	var rows []Row
	for _, k := range res.impls {
		if named(k.pkg, k.bench, k.impl) {
			continue
		}
		t := Target{Pkg: k.pkg, Bench: k.bench, Impl: k.impl}
		for _, p := range res.procs {
			k.procs = p
			if m := res.median(k); m.Runs > 0 {
				rows = append(rows, Row{Target: t, Procs: p, Impl: m})
			}
		}
	}
	return rows
}

// WriteRatioTable prints rows as an aligned table: the implementation's
// and the baseline's median ns/op (and MB/s, allocs/op for the
// implementation), the ratio, the target and the verdict.
func WriteRatioTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tbenchmark\tprocs\timpl\tns/op\tMB/s\tallocs/op\tbaseline\tns/op\tratio\ttarget\tverdict\t")
	for _, r := range rows {
		target, ratio := "-", "-"
		if r.Min > 0 {
			target = ">= " + formatRatio(r.Min)
		}
		if x := r.Ratio(); x > 0 {
			ratio = formatRatio(x)
		}
		base := cmp.Or(r.Baseline, "-")
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Pkg, r.Bench, r.Procs, r.Target.Impl, r.Impl.ns(), r.Impl.mbs(), r.Impl.allocs(),
			base, r.Base.ns(), ratio, target, r.Verdict())
	}
	return tw.Flush()
}

func (m Median) ns() string {
	if m.Runs == 0 {
		return "-"
	}
	return strconv.FormatFloat(m.Sec*1e9, 'f', 0, 64)
}

func (m Median) mbs() string {
	if m.BytesPerSec == 0 {
		return "-"
	}
	return strconv.FormatFloat(m.BytesPerSec/1e6, 'f', 1, 64)
}

func (m Median) allocs() string {
	if m.Runs == 0 {
		return "-"
	}
	return strconv.FormatFloat(m.AllocsPerOp, 'f', 0, 64)
}

// formatRatio prints a ratio with two significant decimals below 10 and
// one above, as "57.3x" or "0.12x".
func formatRatio(x float64) string {
	if x >= 10 {
		return strconv.FormatFloat(x, 'f', 1, 64) + "x"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "x"
}

// runsOf describes how many runs each median is of, such as "6 runs", or
// "4-6 runs" when some sub-benchmarks ran fewer times.
func runsOf(res *Results) string {
	lo, hi := 0, 0
	for _, rs := range res.runs {
		if lo == 0 || len(rs) < lo {
			lo = len(rs)
		}
		hi = max(hi, len(rs))
	}
	if lo == hi {
		return strconv.Itoa(hi) + " runs"
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi) + " runs"
}
