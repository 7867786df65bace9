//go:build windows

package rawfile

import (
	"io/fs"
	"os"
)

// open is os.Open after a look at what path names: on Windows os.Open
// opens files without FILE_FLAG_OVERLAPPED and so does not attach them to
// the runtime's I/O completion port. There is no O_NONBLOCK: a path that
// is not a regular file is refused from its Lstat/Stat before the open,
// and the opened file is checked again.
func open(path string, noFollow bool) (*os.File, error) {
	stat := os.Stat
	if noFollow {
		stat = os.Lstat
	}
	before, err := stat(path)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, notRegular(path, before.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !after.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path, after.Mode())
	}
	if noFollow && !os.SameFile(before, after) {
		// Replaced between the Lstat and the open: by a link, maybe.
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	return f, nil
}
