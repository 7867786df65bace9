// Package rawfile opens files for reading without registering them with
// the Go runtime's network poller.
//
// os.Open hands every file it opens to the poller, which the first time in
// a process costs several system calls (on Linux epoll_create1, eventfd2
// and epoll_ctl) although a regular file never blocks. A cache hit of
// credential-process is otherwise only a few system calls, so the files it
// reads (the certificate, the cache entry) are opened here instead, and the
// poller is never started. On Windows Open is os.Open: files opened by it
// are not attached to the I/O completion port unless asked for.
//
// Security considerations: Open follows symbolic links and checks nothing
// about the file's owner or mode; callers that care (the cache, the key
// file warning) check those themselves. The file is opened close-on-exec
// so that it does not leak into a child process. Errors are *fs.PathError
// values naming the path, never file contents.
package rawfile

import "os"

// Open opens path read-only, as os.Open does, but without the network
// poller (see the package comment). Reading the returned file blocks the
// calling thread, which for regular files is what os.Open does anyway.
func Open(path string) (*os.File, error) { return open(path) }
