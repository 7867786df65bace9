package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	for _, perm := range []fs.FileMode{0o600, 0o644} {
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, []byte("old"), 0o666); err != nil {
			t.Fatal(err)
		}
		var during []byte
		err := Write(p, []byte("new"), perm, func() {
			// Between write and rename the old file is still there, and
			// the temporary file already has its final mode.
			during, _ = os.ReadFile(p)
			temps, _ := filepath.Glob(filepath.Join(dir, TempPrefix(p)+"*"))
			if len(temps) != 1 {
				t.Errorf("got temp files %v, want one", temps)
				return
			}
			if fi, err := os.Stat(temps[0]); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != perm {
				t.Errorf("temp file %v, %v: want mode %04o", fi.Mode(), err, perm)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if string(during) != "old" {
			t.Errorf("before the rename: got %q, want the old content", during)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != "new" {
			t.Errorf("got %q, %v; want new", got, err)
		}
		if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != perm {
			t.Errorf("got mode %04o, want %04o", fi.Mode().Perm(), perm)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("left %d files in the directory, want 1", len(ents))
		}
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the rename fails.
	p := filepath.Join(dir, "d")
	if err := os.MkdirAll(filepath.Join(p, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("secret-data"), 0o600, nil)
	if err == nil {
		t.Fatal("rename over a non-empty directory succeeded")
	}
	if !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "secret-data") {
		t.Errorf("error %q: want the path, never the data", err)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, TempPrefix(p)+"*")); len(temps) != 0 {
		t.Errorf("temp files left: %v", temps)
	}
	err = Write(filepath.Join(dir, "missing", "f"), nil, 0o600, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: got %v, want fs.ErrNotExist", err)
	}
}
