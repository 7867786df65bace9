//go:build !windows

package totp

import (
	"fmt"
	"io/fs"
)

// ModeChecked reports whether CheckSecretFile, ReadKeyFile and LoadSeedDB
// check who may read and write a secret file. True here: the Unix mode
// bits say it.
const ModeChecked = true

func checkMode(path string, fi fs.FileInfo) (othersCanRead bool, err error) {
	if fi.IsDir() {
		return false, fmt.Errorf("%q is a directory, want a file", path)
	}
	m := fi.Mode().Perm()
	if m&0o022 != 0 {
		return false, &PermissionError{Path: path, Mode: m}
	}
	return m&0o044 != 0, nil
}
