package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMemory(t *testing.T) {
	const logged = "=== RUN   TestStreamBoundedMemory\n" +
		"    bench_test.go:265: streamed 11 items, 1000 MiB of payload in 13ms (77854 MB/s); allocated 44 KiB; peak heap in use 0.3 MiB\n"
	tests := []struct {
		name    string
		out     string
		want    Memory
		bounded bool
	}{
		{"pass", logged + "--- PASS: TestStreamBoundedMemory (0.02s)\n",
			Memory{Items: 11, PayloadMiB: 1000, Elapsed: "13ms", MBPerSec: 77854, AllocatedKiB: 44, PeakHeapMiB: 0.3, Passed: true}, true},
		{"fail", logged + "--- FAIL: TestStreamBoundedMemory (0.02s)\n",
			Memory{Items: 11, PayloadMiB: 1000, Elapsed: "13ms", MBPerSec: 77854, AllocatedKiB: 44, PeakHeapMiB: 0.3}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMemory([]byte(tt.out))
			require.NoError(t, err)
			assert.Equal(t, tt.want, m)
			assert.Equal(t, tt.bounded, m.Bounded())
		})
	}
	// Over the limit, by the sample or by the total allocated.
	assert.False(t, Memory{Passed: true, PeakHeapMiB: 9}.Bounded())
	assert.False(t, Memory{Passed: true, AllocatedKiB: 9 << 10}.Bounded())

	_, err := parseMemory([]byte("--- SKIP: TestStreamBoundedMemory\n"))
	assert.ErrorIs(t, err, errNoMemoryLine)
}
