//go:build windows

package rawfile

import "os"

// open is os.Open: on Windows it opens files without FILE_FLAG_OVERLAPPED
// and so does not attach them to the runtime's I/O completion port.
func open(path string) (*os.File, error) { return os.Open(path) }
