//go:build unix

package protocol

import "syscall"

// processCPU returns the CPU time the process has used, user and system,
// in nanoseconds. A benchmark that reports it per op measures work rather
// than the wall time a shared machine stretches.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
