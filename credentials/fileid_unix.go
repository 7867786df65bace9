//go:build unix

package credentials

import (
	"fmt"
	"io/fs"
	"syscall"
)

// platformFileIdentity is ":DEV:INO:CTIME" (changeTime: st_ctim or
// st_ctimespec by OS); path is not used.
func platformFileIdentity(_ string, fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	sec, nsec := changeTime(st)
	return fmt.Sprintf(":%d:%d:%d.%d", uint64(st.Dev), uint64(st.Ino), sec, nsec)
}
