//go:build !windows

package audit

import (
	"fmt"
	"io/fs"
)

// checkDBMode refuses a seed database group or others may write (they could
// add a seed and pass as legit) and warns about a world-readable one.
func checkDBMode(path string, fi fs.FileInfo) (warnings []string, err error) {
	perm := fi.Mode().Perm()
	if perm&0o022 != 0 {
		return nil, ErrDBWritable
	}
	if perm&0o004 != 0 {
		warnings = append(warnings, fmt.Sprintf("seed database %q is world-readable (mode %04o): its seeds are secrets; chmod o-r it", path, perm))
	}
	return warnings, nil
}
