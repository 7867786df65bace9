//go:build !linux && !windows

package acme

import (
	"os"
	"syscall"
)

// procAttr puts a server in its own process group (Stop kills the group).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group p leads (the negative pid names it).
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
