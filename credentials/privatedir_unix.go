//go:build unix

package credentials

import (
	"fmt"
	"os"
	"syscall"
)

// FileModesChecked reports whether CheckPrivateDir and the other
// permission checks of this package look at owners and mode bits. True on
// Unix.
const FileModesChecked = true

// CheckPrivateDir returns an error wrapping ErrInsecureDir unless dir is a
// directory (not a symlink to one) owned by the current user and not
// writable by group or others.
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check cache directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache directory %q: %w: not a directory (a symlink?)", dir, ErrInsecureDir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("cache directory %q: %w: owned by uid %d, not %d", dir, ErrInsecureDir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("cache directory %q: %w: mode %04o is writable by group or others", dir, ErrInsecureDir, perm)
	}
	return nil
}
