//go:build unix

package rawfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenHardening: the red-team inputs of issue 13 (point 3) fail at
// once, without blocking, reading or allocating: a FIFO nobody writes, an
// endless device, a directory, a symbolic link for OpenNoFollow, and a
// file over the limit.
func TestOpenHardening(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 1025), 0o600); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, make([]byte, 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("small", link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		noFollow   bool
		want       error
	}{
		{"fifo", fifo, false, ErrNotRegular},
		{"fifo no follow", fifo, true, ErrNotRegular},
		{"dev zero", "/dev/zero", false, ErrNotRegular},
		{"dev null", "/dev/null", false, ErrNotRegular},
		{"directory", dir, false, ErrNotRegular},
		{"symlink no follow", link, true, ErrSymlink},
		{"too large", big, false, &TooLargeError{}},
		{"symlink followed", link, false, nil},
		{"at the limit", small, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				f, err := open(tc.path, tc.noFollow)
				if err == nil {
					_, err = ReadAll(f, 1024)
					f.Close()
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("open %s: still blocked after 5s", tc.path)
			}
			var tl *TooLargeError
			switch want := tc.want.(type) {
			case nil:
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
			case *TooLargeError:
				if !errors.As(err, &tl) || tl.Limit != 1024 || tl.Path != tc.path {
					t.Fatalf("got %v, want a *TooLargeError for %s, limit 1024", err, tc.path)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
			}
		})
	}
}

func TestReadFileLimitNamed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(p, 4)
	if err == nil || err.Error() != p+": larger than 4 bytes" {
		t.Fatalf("got %v, want %q", err, p+": larger than 4 bytes")
	}
	if b, err := ReadFile(p, 5); err != nil || string(b) != "12345" {
		t.Fatalf("got %q, %v", b, err)
	}
}
