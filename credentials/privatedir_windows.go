//go:build windows

package credentials

import (
	"fmt"
	"os"
)

// FileModesChecked reports whether CheckPrivateDir and the other
// permission checks of this package look at owners and mode bits. False
// on Windows: access is decided by ACLs, which this package does not
// read, and Go reports every writable file as mode 0666 (directories
// 0777). Callers say so (UncheckedModes) instead of passing silently.
const FileModesChecked = false

// CheckPrivateDir returns an error wrapping ErrInsecureDir unless dir is a
// directory (not a symlink or junction to one). On Windows it checks
// neither the owner nor the permissions (see FileModesChecked): a
// directory under %LocalAppData% is private to its user by its ACL.
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check cache directory: %w", err)
	}
	if !fi.IsDir() || fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("cache directory %q: %w: not a directory (a symlink?)", dir, ErrInsecureDir)
	}
	return nil
}
