//go:build windows

package credentials

import (
	"os"

	"golang.org/x/sys/windows"
)

// oCloexec: Go opens files on Windows without inheritable handles already.
const oCloexec = 0

// lockRange is the byte range locked: the whole file, as far as it may
// grow (the lock file stays empty; only the range matters).
const lockRange = ^uint32(0)

// tryLock takes an exclusive LockFileEx lock on f without waiting.
func tryLock(f *os.File) error {
	return lockEx(f, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY)
}

// waitLock takes an exclusive LockFileEx lock on f, waiting for it.
func waitLock(f *os.File) error {
	return lockEx(f, windows.LOCKFILE_EXCLUSIVE_LOCK)
}

func lockEx(f *os.File, flags uint32) error {
	// A zero Overlapped: the range starts at offset 0. The handle is
	// synchronous (os.OpenFile), so LockFileEx returns once it has the
	// lock. Windows releases the lock when the handle is closed or the
	// process ends.
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, lockRange, lockRange, &ol)
}
