package audit

import (
	"fmt"
	"io/fs"
)

// checkDBMode cannot check who may write the seed database on Windows: Go's
// mode bits there reflect only the read-only attribute, not the file's ACL.
// It says so in a warning instead of passing silently.
func checkDBMode(path string, fi fs.FileInfo) (warnings []string, err error) {
	return []string{fmt.Sprintf("seed database %q: its permissions are not checked on Windows; make sure only its owner can change it (its seeds are secrets)", path)}, nil
}
