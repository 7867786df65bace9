//go:build unix

package credentials

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// checkEntryOwnerAndMode: a cache entry belongs to the current user and
// has no group or other permission bits (write makes them 0600).
func checkEntryOwnerAndMode(fi fs.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: owned by uid %d, not %d", ErrEntryNotPrivate, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: mode %04o", ErrEntryNotPrivate, perm)
	}
	return nil
}

// checkParents: every directory above dir (and above the directory it
// resolves to) belongs to the current user or root and is not writable by
// others, unless sticky (/tmp): otherwise someone else could rename dir
// away and put theirs in its place.
func checkParents(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("check cache directory: %w", err)
	}
	if err := checkChain(dir, abs); err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		return checkChain(dir, real)
	}
	return nil
}

// checkChain checks the ancestors of p (not p itself) for checkParents.
// Symbolic links among them are skipped: their own parents are checked,
// and so are the directories they lead to (the resolved chain).
func checkChain(dir, p string) error {
	for a := filepath.Dir(p); ; a = filepath.Dir(a) {
		fi, err := os.Lstat(a)
		if err != nil {
			return fmt.Errorf("check cache directory %q: %w", dir, err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
				return fmt.Errorf("cache directory %q: %w: parent %q is owned by uid %d, not %d or root", dir, ErrInsecureDir, a, st.Uid, os.Geteuid())
			}
			if perm := fi.Mode(); perm.Perm()&0o002 != 0 && perm&os.ModeSticky == 0 {
				return fmt.Errorf("cache directory %q: %w: parent %q (mode %04o) is writable by others", dir, ErrInsecureDir, a, perm.Perm())
			}
		}
		if next := filepath.Dir(a); next == a {
			return nil
		}
	}
}
