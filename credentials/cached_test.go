package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestCacheSessionThenLookupFiles: the slow path (loaded material) stores
// under the key the fast path (files located, nothing parsed) reads; a
// hit reads no private key; a nil Cache fetches every time.
func TestCacheSessionThenLookupFiles(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := h.WritePlain(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	now := h.Leaf.Cert.NotBefore.Add(time.Hour)
	lo := signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key, Intermediates: []string{files.Chain}}
	m, err := signer.Load(signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key, Intermediates: []string{files.Chain}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := signer.Config{TrustAnchorARN: "ta", ProfileARN: "p", RoleARN: "r", DurationSeconds: 3600}
	sn := SessionNameKeyParts(6, []string{"machine-id"})
	c := &Cache{Dir: filepath.Join(dir, "cache"), Now: func() time.Time { return now }}
	calls := 0
	fetch := func(context.Context) (signer.Credentials, error) {
		calls++
		return creds(calls, now.Add(time.Hour)), nil
	}
	if hit, err := c.LookupFiles(lo, cfg, sn); err != nil || hit.OK {
		t.Fatalf("empty cache: hit %v, %v", hit.OK, err)
	}
	s, err := c.Session(context.Background(), m, cfg, sn, fetch)
	if err != nil || s.Source != FromFetch || s.Warning != nil || s.Path != c.Path(s.Key) {
		t.Fatalf("Session = %+v, %v", s, err)
	}
	// A hit must not need the key's bytes: make the key unreadable.
	if FileModesChecked && os.Geteuid() != 0 {
		os.Chmod(files.Key, 0)
		defer os.Chmod(files.Key, 0o600)
	}
	hit, err := c.LookupFiles(lo, cfg, sn)
	if err != nil || !hit.OK || hit.Key != s.Key || hit.Credentials != s.Credentials {
		t.Fatalf("LookupFiles = %+v, %v; want the entry Session stored under %s", hit, err, s.Key)
	}
	if !hit.Certificate.NotAfter.Equal(h.Leaf.Cert.NotAfter) {
		t.Errorf("recorded NotAfter %v, want the leaf's %v", hit.Certificate.NotAfter, h.Leaf.Cert.NotAfter)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1", calls)
	}
	// Another session-name setting is another entry.
	if hit, _ := c.LookupFiles(lo, cfg, SessionNameKeyParts(8, []string{"machine-id"})); hit.OK {
		t.Error("8 digits hit the 6-digit entry")
	}
	// Files that cannot be located: a miss that says why.
	if hit, err := c.LookupFiles(signer.LoadOptions{Certificate: filepath.Join(dir, "nope"), PrivateKey: files.Key}, cfg, nil); err != nil || hit.OK || hit.Miss == nil {
		t.Errorf("missing certificate: %+v, %v; want a miss with a reason", hit, err)
	}
	var none *Cache
	if s, err := none.Session(context.Background(), m, cfg, sn, fetch); err != nil || s.Key != "" || calls != 2 {
		t.Errorf("nil cache: %+v, %v (calls %d)", s, err, calls)
	}
	if hit, err := none.LookupFiles(lo, cfg, sn); err != nil || hit.OK {
		t.Errorf("nil cache hit: %+v, %v", hit, err)
	}
	if FileModesChecked {
		os.Chmod(c.Dir, 0o777)
		if _, err := c.LookupFiles(lo, cfg, sn); !errors.Is(err, ErrInsecureDir) {
			t.Errorf("world-writable dir: LookupFiles error %v, want ErrInsecureDir", err)
		}
		if _, err := c.Session(context.Background(), m, cfg, sn, fetch); !errors.Is(err, ErrInsecureDir) {
			t.Errorf("world-writable dir: Session error %v, want ErrInsecureDir", err)
		}
	}
}
