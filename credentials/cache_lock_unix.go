//go:build unix

package credentials

import (
	"os"
	"syscall"
)

// oCloexec keeps the lock file out of child processes.
const oCloexec = syscall.O_CLOEXEC

// tryLock takes an exclusive flock on f without waiting.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// waitLock takes an exclusive flock on f, waiting for it.
func waitLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
