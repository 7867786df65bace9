//go:build darwin || ios || freebsd || netbsd

package credentials

import "syscall"

// changeTime is the inode change time (st_ctimespec on the BSDs and
// macOS).
func changeTime(st *syscall.Stat_t) (sec, nsec int64) {
	return int64(st.Ctimespec.Sec), int64(st.Ctimespec.Nsec)
}
