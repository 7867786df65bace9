//go:build unix

package credentials

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// FileModesChecked reports whether CheckPrivateDir and the other
// permission checks of this package look at owners and mode bits. True on
// Unix.
const FileModesChecked = true

// checkOwnerAndMode: dir is owned by the current user and not writable by
// group or others.
func checkOwnerAndMode(dir string, fi fs.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("cache directory %q: %w: owned by uid %d, not %d", dir, ErrInsecureDir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("cache directory %q: %w: mode %04o is writable by group or others", dir, ErrInsecureDir, perm)
	}
	return nil
}
