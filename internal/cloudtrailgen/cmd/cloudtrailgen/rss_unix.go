//go:build !windows

package main

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSKB is the peak resident set size of a finished process in
// kilobytes (getrusage's ru_maxrss: kilobytes on Linux, bytes on macOS).
func peakRSSKB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	kb := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" {
		kb /= 1024
	}
	return kb, true
}
