package acme

import (
	"os"
	"syscall"
)

// procAttr: Windows has no process groups to kill as one; the servers run
// as plain children.
func procAttr() *syscall.SysProcAttr { return nil }

// killGroup kills p itself (Windows has no process group signal).
func killGroup(p *os.Process) { _ = p.Kill() }
