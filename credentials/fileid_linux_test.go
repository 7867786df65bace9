package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestFileIdentityFormat: on Linux the identity is, byte for byte, what
// package main's fileIdentity made before it moved here (size, mtime,
// dev, inode, st_ctim), so that cache keys of existing entries keep
// matching.
func TestFileIdentityFormat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(p, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	want := strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) +
		fmt.Sprintf(":%d:%d:%d.%d", uint64(st.Dev), uint64(st.Ino), int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
	if got := FileIdentity(p, fi); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
