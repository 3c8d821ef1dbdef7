// Bench runs sentrywire's performance suite and prints, for each
// benchmark, how its implementations compare with the baselines that ran
// next to them in the same process: benchstat's tables, then a ratio table
// against the targets of the performance issue, and the bounded-memory
// figure of the streaming reader.
//
// Usage, from the repository root:
//
//	go run ./examples/bench [-count 6] [-cpu 1,2] [-benchtime 1s] [-o file] [-in file]
//
// The raw go test output is saved (-o, a temporary file by default) so a
// run can be printed again with -in without rerunning it, or compared with
// another run by benchstat. Ratios are of medians: the machine this runs on
// is noisy, and the baseline running in the same process is what makes a
// ratio hold where absolute ns/op do not.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

const module = "github.com/sentrywire/sentrywire"

func main() {
	count := flag.Int("count", 6, "runs of each benchmark (go test -count)")
	cpu := flag.String("cpu", "1,2", "GOMAXPROCS values (go test -cpu)")
	benchtime := flag.String("benchtime", "", "go test -benchtime (default go test's)")
	out := flag.String("o", "", "save the raw go test output to `file` (default a temporary file)")
	in := flag.String("in", "", "print the tables of a saved `file` instead of running the suite")
	mem := flag.Bool("memory", true, "run the bounded-memory streaming test and report its peak heap")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *count, *cpu, *benchtime, *out, *in, *mem); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, count int, cpu, benchtime, out, in string, mem bool) error {
	root, err := moduleDir(ctx, module)
	if err != nil {
		return err
	}
	examples, err := moduleDir(ctx, module+"/examples")
	if err != nil {
		return err
	}
	host := machine(ctx)
	fmt.Println("machine:", host)

	var testErr error
	file := cmp.Or(in, out, filepath.Join(os.TempDir(), "sentrywire-bench-"+time.Now().Format("20060102-150405")+".txt"))
	if file, err = filepath.Abs(file); err != nil { // benchstat runs in another directory
		return err
	}
	if in == "" {
		testErr = runSuite(ctx, root, file, count, cpu, benchtime)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Println("raw output:", file)
	}

	f, err := os.Open(file)
	if err != nil {
		return err
	}
	res, err := ReadResults(f, file, module)
	f.Close()
	if err != nil {
		return err
	}
	if err := benchstat(ctx, examples, file, res.families(targets)); err != nil {
		return fmt.Errorf("benchstat: %w", err)
	}

	var memLine string
	var memErr error
	if mem {
		m, err := memory(ctx, root)
		memLine, memErr = m.String(), err
	}

	fmt.Printf("\n## Ratios (medians of %s)\n\n", runsOf(res))
	fmt.Println("machine:", host)
	fmt.Println()
	rows := res.Rows(targets)
	if err := WriteRatioTable(os.Stdout, rows); err != nil {
		return err
	}
	if mem && memErr == nil {
		fmt.Println("\nmemory:", memLine)
	}
	return errors.Join(testErr, memErr)
}

// runSuite runs the benchmarks in root count times, teeing go test's
// output into file and, as progress, to stderr. It runs go test -count 1
// count times rather than go test -count once: go test repeats each
// sub-benchmark back to back, so a burst of load on a shared machine lands
// on one implementation's runs and skews its ratio, while rounds of every
// implementation spread the load over all of them alike.
func runSuite(ctx context.Context, root, file string, count int, cpu, benchtime string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	args := []string{"test", "-run", "^$", "-bench", suite.bench, "-benchmem", "-count", "1", "-cpu", cpu}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, suite.packages...)
	var errs []error
	for round := range count {
		fmt.Fprintf(os.Stderr, "round %d/%d: go %s\n", round+1, count, strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		cmd.Stdout = io.MultiWriter(f, os.Stderr)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A package that fails still leaves the others' results:
			// report what ran and fail at the end.
			errs = append(errs, fmt.Errorf("go test, round %d: %w", round+1, err))
		}
	}
	return errors.Join(append(errs, f.Close())...)
}

// moduleDir is where the workspace has module path.
func moduleDir(ctx context.Context, path string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil {
		return "", fmt.Errorf("locating %s (run from the repository): %w", path, err)
	}
	return strings.TrimSpace(string(out)), nil
}
