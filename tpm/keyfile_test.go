package tpm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestParseKeyType(t *testing.T) {
	for _, kt := range KeyTypes() {
		if got, ok := ParseKeyType(string(kt)); !ok || got != kt {
			t.Errorf("ParseKeyType(%q) = %q, %v", kt, got, ok)
		}
	}
	if _, ok := ParseKeyType("rsa1024"); ok {
		t.Error("rsa1024 is known")
	}
}

func TestWriteKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k.pem")
	if err := WriteKeyFile(p, []byte("blob")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", st.Mode().Perm())
	}
	if err := WriteKeyFile(p, []byte("other")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second write: got %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "blob" {
		t.Errorf("file overwritten: %q", b)
	}
}

func TestReadMissingFiles(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := ReadKey(missing, KeyOptions{Device: "unix:/nonexistent"})
	var re *ReadError
	if !errors.As(err, &re) || re.What != WhatKeyFile || re.Path != missing || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadKey: got %v, want a key file ReadError", err)
	}
	_, err = ReadHMACKey(missing, "unix:/nonexistent")
	if !errors.As(err, &re) || re.What != WhatSeedBlob || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadHMACKey: got %v, want a seed blob ReadError", err)
	}
	if err.Error() != re.Err.Error() {
		t.Errorf("text %q, want the cause's %q", err, re.Err)
	}
}
