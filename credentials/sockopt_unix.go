//go:build unix

package credentials

import "syscall"

// setsockoptInt sets an integer socket option on a socket descriptor.
func setsockoptInt(fd uintptr, level, opt, value int) error {
	return syscall.SetsockoptInt(int(fd), level, opt, value)
}
