package credentials

import (
	"fmt"
	"os"
)

// CheckPrivateDir returns an error wrapping ErrInsecureDir unless dir is a
// directory (not a symlink to one) that, where FileModesChecked, is owned
// by the current user and not writable by group or others, below
// directories owned by the user or root and not writable by others
// (sticky ones such as /tmp excepted). On Windows the owner and mode are
// not checked (privatedir_windows.go; UncheckedModes says so).
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check cache directory: %w", err)
	}
	if !fi.IsDir() || fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("cache directory %q: %w: not a directory (a symlink?)", dir, ErrInsecureDir)
	}
	if err := checkOwnerAndMode(dir, fi); err != nil {
		return err
	}
	return checkParents(dir)
}

// UncheckedModes is what a caller says about path where a permission
// check (an owner, a 0600 or 0700 mode) was skipped because it means
// nothing on this platform; "" where FileModesChecked is true.
func UncheckedModes(path string) string {
	if FileModesChecked {
		return ""
	}
	return "permissions of " + path + " not checked: on this platform ACLs, not file modes, decide who can read it"
}
