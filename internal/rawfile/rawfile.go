// Package rawfile opens and reads the files the helper takes as input (a
// certificate, a key, a password file, a CA bundle, a fingerprint file, a
// cache entry) without blocking and without registering them with the Go
// runtime's network poller.
//
// os.Open hands every file it opens to the poller, which the first time in
// a process costs several system calls (on Linux epoll_create1, eventfd2
// and epoll_ctl) although a regular file never blocks. A cache hit of
// credential-process is otherwise only a few system calls, so the files it
// reads (the certificate, the cache entry) are opened here instead, and the
// poller is never started. On Windows the files are opened by os.Open:
// they are not attached to the I/O completion port unless asked for.
//
// Security considerations: a path given to the helper may name a FIFO, a
// device or a socket (by mistake or by someone who wants it to hang or to
// run out of memory: /dev/zero, /dev/stdin, a named pipe nobody writes).
// Open and ReadFile accept regular files only: on Unix the file is opened
// with O_NONBLOCK, so that opening a FIFO does not wait for a writer, and
// checked with fstat on the open descriptor before anything is read;
// anything else fails with ErrNotRegular. ReadFile reads at most the limit
// its caller gives and fails with a *TooLargeError naming it. OpenNoFollow
// also refuses a symbolic link as the last path element (O_NOFOLLOW), for
// files only the user should have made (the cache). Nothing here checks
// the owner or mode; callers that care (the cache, the key file warning)
// check those on the open file. Files are opened close-on-exec so that
// they do not leak into a child process. Errors are *fs.PathError values
// naming the path, never file contents.
package rawfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is the cause (in a *fs.PathError) when a path names
// something other than a regular file: a FIFO, a device, a socket, a
// directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrSymlink is the cause (in a *fs.PathError) when OpenNoFollow is given
// a symbolic link.
var ErrSymlink = errors.New("a symbolic link")

// TooLargeError reports a file that holds more than its reader's limit.
type TooLargeError struct {
	Path  string
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes", e.Path, e.Limit)
}

// Open opens the regular file path read-only, as os.Open does, but without
// blocking on a FIFO and without the network poller (see the package
// comment). A path that is not a regular file fails with a *fs.PathError
// wrapping ErrNotRegular. Reading the returned file blocks the calling
// thread, which for regular files is what os.Open does anyway.
func Open(path string) (*os.File, error) { return open(path, false) }

// OpenNoFollow is Open that also refuses a symbolic link as the last
// element of path (a *fs.PathError wrapping ErrSymlink). On Windows the
// link is looked for with Lstat before the open and the opened file
// compared with it.
func OpenNoFollow(path string) (*os.File, error) { return open(path, true) }

// ReadFile reads the regular file path, opened as Open does, and fails
// with a *TooLargeError when it holds more than limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, limit)
}

// ReadAll reads f to its end, failing with a *TooLargeError (naming
// f.Name()) after limit bytes.
func ReadAll(f *os.File, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: f.Name(), Limit: limit}
	}
	return b, nil
}

// isDirError is the cause for a directory: it says what read(2) says
// ("is a directory", syscall.EISDIR) and is ErrNotRegular too.
type isDirError struct{}

func (isDirError) Error() string { return syscall.EISDIR.Error() }

// Is reports ErrNotRegular and syscall.EISDIR.
func (isDirError) Is(target error) bool { return target == ErrNotRegular || target == syscall.EISDIR }

// notRegular is the error for path of mode m.
func notRegular(path string, m fs.FileMode) error {
	what := "special file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		what = "named pipe"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		what = "device"
	case m&fs.ModeSocket != 0:
		what = "socket"
	case m.IsDir():
		// What reading it would say, as before the check.
		return &fs.PathError{Op: "read", Path: path, Err: isDirError{}}
	case m&fs.ModeSymlink != 0:
		return &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	}
	return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (a %s)", ErrNotRegular, what)}
}
