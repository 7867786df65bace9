//go:build unix

package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestCacheEntryHardening: a cache entry that is a symbolic link (to a
// valid entry someone else made), a FIFO, too loose or too large is a
// miss with a warning, never served, and is replaced by the new session
// (issue 13, points 3 and 4).
func TestCacheEntryHardening(t *testing.T) {
	valid := []byte(`{"Version":2,"AccessKeyId":"ASIAPLANTED","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z"}`)
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
		want  error
	}{
		{"symlink to a 0644 file", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "planted.json")
			if err := os.WriteFile(other, valid, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}, rawfile.ErrSymlink},
		{"symlink to a 0600 file", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "planted.json")
			if err := os.WriteFile(other, valid, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}, rawfile.ErrSymlink},
		{"mode 0644", func(t *testing.T, path string) {
			if err := os.WriteFile(path, valid, 0o644); err != nil {
				t.Fatal(err)
			}
		}, ErrEntryNotPrivate},
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, rawfile.ErrNotRegular},
		{"too large", func(t *testing.T, path string) {
			if err := os.WriteFile(path, make([]byte, maxEntrySize+1), 0o600); err != nil {
				t.Fatal(err)
			}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cache{Dir: filepath.Join(t.TempDir(), "cache"), Now: func() time.Time { return t0 }}
			if err := c.prepareDir(); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, c.Path("k"))
			done := make(chan struct{})
			var (
				e        Entry
				ok       bool
				err      error
				cr       signer.Credentials
				src      Source
				fetchErr error
			)
			go func() {
				defer close(done)
				e, ok, err = c.Lookup("k")
				cr, src, fetchErr = c.Get(context.Background(), "k", func(context.Context) (signer.Credentials, error) {
					return creds(1, t0.Add(time.Hour)), nil
				})
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("still blocked after 5s")
			}
			if ok || err != nil {
				t.Fatalf("Lookup: got %+v, %v, %v; want a miss", e, ok, err)
			}
			if src != FromFetch || cr.AccessKeyID != creds(1, t0).AccessKeyID {
				t.Fatalf("Get served %s from %s, want a fetch", cr.AccessKeyID, src)
			}
			var ue *UntrustedEntryError
			if !errors.As(fetchErr, &ue) || ue.Path != c.Path("k") || (tc.want != nil && !errors.Is(fetchErr, tc.want)) {
				t.Fatalf("Get: warning %v, want an *UntrustedEntryError for %s wrapping %v", fetchErr, c.Path("k"), tc.want)
			}
			// The new entry replaced the planted one: a private file.
			fi, err := os.Lstat(c.Path("k"))
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("entry after Get: %v, %v; want a regular 0600 file", fi, err)
			}
			if e, ok, _ := c.Lookup("k"); !ok || e.Credentials.AccessKeyID != cr.AccessKeyID {
				t.Fatalf("Lookup after Get: %+v %v", e, ok)
			}
		})
	}
}

// TestCacheParentHardening: a cache directory below a directory others
// may write (not sticky) is refused (issue 13, point 4).
func TestCacheParentHardening(t *testing.T) {
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(open, "cache")
	c := &Cache{Dir: dir}
	if _, _, err := c.Lookup("k"); !errors.Is(err, ErrInsecureDir) {
		t.Fatalf("below a 0777 directory: got %v, want ErrInsecureDir", err)
	}
	// Through a symbolic link to it, too.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(open, link); err != nil {
		t.Fatal(err)
	}
	if err := CheckPrivateDir(filepath.Join(link, "cache")); !errors.Is(err, ErrInsecureDir) {
		t.Fatalf("through a link to a 0777 directory: got %v, want ErrInsecureDir", err)
	}
	// Sticky (as /tmp): others cannot rename what is ours.
	if err := os.Chmod(open, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := CheckPrivateDir(dir); err != nil {
		t.Fatalf("below a sticky 1777 directory: %v", err)
	}
}
