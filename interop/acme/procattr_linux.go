package acme

import (
	"os"
	"syscall"
)

// procAttr puts a server in its own process group (Stop kills the group)
// and has the kernel kill it when the test binary dies without running
// Stop (a panic, or go test's timeout), so no pebble outlives its test.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group p leads (the negative pid names it).
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
