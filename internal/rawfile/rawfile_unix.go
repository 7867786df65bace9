//go:build unix

package rawfile

import (
	"io/fs"
	"os"
	"syscall"
)

func open(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		// A blocking descriptor: os.NewFile does not register it with the
		// poller.
		return os.NewFile(uintptr(fd), path), nil
	}
}
