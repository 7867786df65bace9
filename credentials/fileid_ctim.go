//go:build unix && !(darwin || ios || freebsd || netbsd)

package credentials

import "syscall"

// changeTime is the inode change time (st_ctim).
func changeTime(st *syscall.Stat_t) (sec, nsec int64) {
	return int64(st.Ctim.Sec), int64(st.Ctim.Nsec)
}
