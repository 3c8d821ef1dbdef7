package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

// memoryTest is envelope's test that streams a 1 GiB envelope of 100 MiB
// attachments through NewReader and fails if the heap grows with it.
const memoryTest = "^TestStreamBoundedMemory$"

// memoryLimitMiB is the bound on the peak heap while streaming.
const memoryLimitMiB = 8

var memoryLine = regexp.MustCompile(`streamed (\d+) items, (\d+) MiB of payload in (\S+) \((\d+) MB/s\); allocated (\d+) KiB; peak heap in use ([0-9.]+) MiB`)

// A Memory is the figure TestStreamBoundedMemory logs.
type Memory struct {
	Items, PayloadMiB int
	Elapsed           string
	MBPerSec          int
	AllocatedKiB      int
	PeakHeapMiB       float64
	Passed            bool
}

// Bounded reports whether the test passed and the heap stayed under the
// limit. The test's sampled peak can miss a short run (it samples every
// 20 ms), so the total allocated while streaming counts too: the heap
// cannot grow by more than was allocated.
func (m Memory) Bounded() bool {
	return m.Passed && m.PeakHeapMiB < memoryLimitMiB && m.AllocatedKiB < memoryLimitMiB<<10
}

func (m Memory) String() string {
	verdict := "NOT met"
	if m.Bounded() {
		verdict = "met"
	}
	return fmt.Sprintf("NewReader streamed %d MiB of payload (%d items) at %d MB/s: allocated %d KiB in all, sampled peak heap %.1f MiB (target < %d MiB): %s",
		m.PayloadMiB, m.Items, m.MBPerSec, m.AllocatedKiB, m.PeakHeapMiB, memoryLimitMiB, verdict)
}

// errNoMemoryLine means the test ran without logging its figure, as when
// it is skipped or renamed.
var errNoMemoryLine = errors.New("bench: TestStreamBoundedMemory logged no peak heap")

// parseMemory reads the figure from the test's -v output.
func parseMemory(out []byte) (Memory, error) {
	m := memoryLine.FindSubmatch(out)
	if m == nil {
		return Memory{}, errNoMemoryLine
	}
	atoi := func(b []byte) int { n, _ := strconv.Atoi(string(b)); return n }
	peak, _ := strconv.ParseFloat(string(m[6]), 64)
	return Memory{
		Items: atoi(m[1]), PayloadMiB: atoi(m[2]), Elapsed: string(m[3]), MBPerSec: atoi(m[4]),
		AllocatedKiB: atoi(m[5]), PeakHeapMiB: peak,
		Passed: bytes.Contains(out, []byte("--- PASS: TestStreamBoundedMemory")),
	}, nil
}

// memory runs the test in dir, the repository root.
func memory(ctx context.Context, dir string) (Memory, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", memoryTest, "-count", "1", "-v", "./envelope")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput() // a failing test still logs its figure
	m, err := parseMemory(out)
	if err != nil {
		return m, fmt.Errorf("%w:\n%s", err, out)
	}
	return m, nil
}
