package rawfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "content\n" {
		t.Errorf("got %q, want %q", b, "content\n")
	}
	if f.Name() != p {
		t.Errorf("Name() = %q, want %q", f.Name(), p)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("write to a file opened read-only: no error")
	}
}

func TestOpenMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing")
	_, err := Open(p)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != p || pe.Op != "open" {
		t.Fatalf("got %v, want a *fs.PathError for open %q", err, p)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want fs.ErrNotExist", err)
	}
}

func ExampleOpen() {
	f, err := Open("testdata/hello.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	io.Copy(os.Stdout, f)
	// Output: hello
}
