package credentials

import (
	"context"
	"fmt"
	"os"
)

// lockFile takes an exclusive lock on path (created 0600), waiting until it
// is free or ctx is done: flock(2) on Unix, LockFileEx on Windows
// (cache_lock_unix.go, cache_lock_windows.go). The lock dies with the
// process, so a crashed holder never blocks the others.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("open lock file %q: %w", path, err)
	}
	if err := tryLock(f); err == nil {
		return func() { f.Close() }, nil
	}
	// Held by someone else: wait in a goroutine so that ctx can end the
	// wait. Closing the file on cancellation releases a lock acquired
	// late.
	done := make(chan error, 1)
	go func() { done <- waitLock(f) }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %q: %w", path, err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		go func() { <-done; f.Close() }()
		return nil, fmt.Errorf("wait for lock %q: %w", path, ctx.Err())
	}
}

// openLockFile opens (creating, 0600) the file lockFile locks.
func openLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|oCloexec, 0o600)
}
