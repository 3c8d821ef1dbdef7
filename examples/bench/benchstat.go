package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// A family is one benchmark function of one package, which benchstat
// shows as one table: a row per configuration, a column per impl, with
// the baseline as the first column so benchstat's deltas are against it.
type family struct {
	pkg, name string   // import path, benchmark name without "Benchmark"
	impls     []string // column order, baselines first
}

// families groups the runs by benchmark function, in the order of the
// targets, ordering each one's impls with its targets' baselines first.
func (res *Results) families(targets []Target) []family {
	var fams []family
	index := map[[2]string]int{}
	for _, t := range targets {
		name, _, _ := strings.Cut(t.Bench, "/")
		k := [2]string{t.Pkg, name}
		i, ok := index[k]
		if !ok {
			i = len(fams)
			index[k] = i
			fams = append(fams, family{pkg: res.pkgs[t.Pkg], name: name})
		}
		if t.Baseline != "" && !slices.Contains(fams[i].impls, t.Baseline) {
			fams[i].impls = append(fams[i].impls, t.Baseline)
		}
	}
	for _, k := range res.impls {
		name, _, _ := strings.Cut(k.bench, "/")
		if i, ok := index[[2]string{k.pkg, name}]; ok && k.impl != "" && !slices.Contains(fams[i].impls, k.impl) {
			fams[i].impls = append(fams[i].impls, k.impl)
		}
	}
	return slices.DeleteFunc(fams, func(f family) bool { return f.pkg == "" })
}

// args are benchstat's arguments for the family's table of file.
func (f family) args(file string) []string {
	filter := "pkg:" + strconv.Quote(f.pkg) + " .name:" + strconv.Quote(f.name)
	col := "/impl"
	if len(f.impls) > 0 {
		quoted := make([]string, len(f.impls))
		for i, s := range f.impls {
			quoted[i] = strconv.Quote(s)
		}
		col += "@(" + strings.Join(quoted, " ") + ")"
	}
	return []string{"-filter", filter, "-col", col, file}
}

// benchstat prints benchstat's tables of file, one per family. benchstat
// runs as the tool pinned in examples/go.mod (go tool benchstat), from dir.
func benchstat(ctx context.Context, dir, file string, fams []family) error {
	for _, f := range fams {
		os.Stdout.WriteString("\n## " + f.pkg + " Benchmark" + f.name + "\n\n")
		cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "benchstat"}, f.args(file)...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	return nil
}
