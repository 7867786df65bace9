// Package atomicfile replaces a file so that its readers see the old
// content or the new one, never a part: the data goes to a temporary file
// in the same directory, which is synced and renamed over the target.
//
// Security considerations: the temporary file is created with mode 0600
// (os.CreateTemp) before a byte is written, and gets its final mode before
// the rename, so a file holding secrets (a seeds database, credentials) is
// never readable by others, not even half-written. Write does not create
// or check the directory: callers that write secrets make it 0700 first.
// Errors name the path, never the data.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPrefix is how the temporary files Write makes next to path begin:
// hidden and recognisable, so that the leftovers of a killed writer can be
// found and removed.
func TempPrefix(path string) string {
	return "." + filepath.Base(path) + ".tmp-"
}

// Write replaces path with data, mode perm: a temporary file in the same
// directory, fsync, rename, fsync of the directory. beforeRename, when not
// nil, runs between the write and the rename (a test hook). On error path
// is unchanged and the temporary file removed.
func Write(path string, data []byte, perm fs.FileMode, beforeRename func()) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("write %q: create temp file: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 already; be explicit in case of an odd
	// platform, and set the final mode before the file has a public name.
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %q: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %q: close: %w", path, err)
	}
	if beforeRename != nil {
		beforeRename()
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %q: rename: %w", path, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
