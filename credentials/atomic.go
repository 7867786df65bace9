package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPattern names the temp files writeAtomic makes next to path: hidden,
// recognisable, so that leftovers of a killed writer can be removed.
func tempPrefix(path string) string {
	return "." + filepath.Base(path) + ".tmp-"
}

// writeAtomic replaces path with data: a 0600 temp file in the same
// directory, fsync, rename, fsync of the directory. Readers see the old file
// or the new one, never a part. beforeRename, when set, runs between the
// write and the rename (a test hook that kills the process there).
func writeAtomic(path string, data []byte, beforeRename func()) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*")
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
	// CreateTemp makes 0600 already; be explicit in case of an odd umask
	// or platform.
	if err := f.Chmod(0o600); err != nil {
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

// removeStaleTemps deletes temp files a killed writer left next to path.
// Call it only while holding the lock that writers of path take.
func removeStaleTemps(path string) {
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	p := tempPrefix(path)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), p) && e.Type().IsRegular() {
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}
