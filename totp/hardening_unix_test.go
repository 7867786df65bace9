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

// TestSecretFileHardening: a seed file or seeds database that is a FIFO,
// a device, a directory or too large fails at once with an error naming
// the file; before, os.Open blocked on a FIFO and the seeds database was
// read whole whatever its size.
func TestSecretFileHardening(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxKeyFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"fifo", fifo, "not a regular file (a named pipe)"},
		{"dev zero", "/dev/zero", "not a regular file (a device)"},
		{"directory", dir, "is a directory, want a file"},
	} {
		for _, read := range []struct {
			what string
			fn   func(string) error
		}{
			{"seed file", func(p string) error { _, _, err := ReadKeyFile(p); return err }},
			{"seeds database", func(p string) error { _, _, err := LoadSeedDB(p); return err }},
		} {
			t.Run(tc.name+"/"+read.what, func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- read.fn(tc.path) }()
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), read.what) {
						t.Fatalf("got %v, want an error saying %s, %q and naming %s", err, read.what, tc.want, tc.path)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("still reading after 5s")
				}
			})
		}
	}
	t.Run("too large/seed file", func(t *testing.T) {
		_, _, err := ReadKeyFile(big)
		if err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("got %v, want a too-large error naming %s", err, big)
		}
	})
}
