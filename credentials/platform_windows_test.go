//go:build windows

package credentials

import (
	"os"
	"syscall"
)

// killed reports whether the process ended by killSelf: os.Process.Kill
// is TerminateProcess with exit code 1.
func killed(ps *os.ProcessState) bool { return ps.ExitCode() == 1 }

func getsockoptInt(fd uintptr, level, opt int) (int, error) {
	return syscall.GetsockoptInt(syscall.Handle(fd), level, opt)
}
