package totp

import (
	"fmt"
	"io/fs"
)

// ModeChecked reports whether CheckSecretFile, ReadKeyFile and LoadSeedDB
// check who may read and write a secret file. False on Windows: Go's mode
// bits there only reflect the read-only attribute, not the file's ACL, so
// callers say that the check was not made instead of passing silently.
const ModeChecked = false

func checkMode(path string, fi fs.FileInfo) (othersCanRead bool, err error) {
	if fi.IsDir() {
		return false, fmt.Errorf("%q is a directory, want a file", path)
	}
	return false, nil
}
