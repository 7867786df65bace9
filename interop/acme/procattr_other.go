//go:build !linux

package acme

import "syscall"

// procAttr puts a server in its own process group (Stop kills the group).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
