package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the figures came from, as one line: the CPU
// model, the cores the scheduler sees and the Go toolchain that built the
// benchmarks. Ratios travel between machines far better than ns/op, but
// neither means anything without this line.
func machine(ctx context.Context) string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	goVersion := runtime.Version()
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	return model + ", " + strconv.Itoa(runtime.NumCPU()) + " cores, " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
