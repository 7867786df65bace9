//go:build unix

package credentials

import (
	"fmt"
	"io/fs"
	"strconv"
	"syscall"
)

// FileIdentity changes when the file is replaced or rewritten: its size,
// modification time and, on Unix, device, inode and change time (a new
// file renamed over the old one has another inode; a rewrite in place a
// later change time). path is not read on Unix: everything comes from fi,
// which must be path's os.Stat result. The format is part of the cache
// key: changing it makes every existing cache entry miss once.
func FileIdentity(path string, fi fs.FileInfo) string {
	id := strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		sec, nsec := changeTime(st)
		id += fmt.Sprintf(":%d:%d:%d.%d", uint64(st.Dev), uint64(st.Ino), sec, nsec)
	}
	return id
}
