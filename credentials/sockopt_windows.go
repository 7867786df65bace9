//go:build windows

package credentials

import "syscall"

// setsockoptInt sets an integer socket option on a socket handle
// (Winsock's IP_TTL and IPV6_UNICAST_HOPS mean what they mean on Unix).
func setsockoptInt(fd uintptr, level, opt, value int) error {
	return syscall.SetsockoptInt(syscall.Handle(fd), level, opt, value)
}
