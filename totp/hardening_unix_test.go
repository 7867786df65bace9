//go:build unix

package totp

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileSourceHardening: a file: fingerprint source that is a FIFO, an
// endless device or too large fails at once with an error naming the
// source (issue 13, point 3); before, the FIFO and /dev/zero hung.
func TestFileSourceHardening(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxFileSourceBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"fifo", fifo, "not a regular file (a named pipe)"},
		{"dev zero", "/dev/zero", "not a regular file (a device)"},
		{"too large", big, "larger than 1048576 bytes"},
		{"directory", dir, "is a directory, want a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := Spec{Kind: KindFile, Arg: tc.path}
			done := make(chan error, 1)
			go func() {
				_, err := (&System{}).digest(sp, sha256.New())
				done <- err
			}()
			select {
			case err := <-done:
				if _, ok := err.(*SourceError); !ok || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
					t.Fatalf("got %v, want a *SourceError naming %s and saying %q", err, tc.path, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still reading after 5s")
			}
		})
	}
}
