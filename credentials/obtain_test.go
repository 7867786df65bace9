package credentials

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestObtain: a stored entry is served by the fast path without loading;
// a miss calls the loader (with the reason when the files cannot be
// located) and returns its error.
func TestObtain(t *testing.T) {
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
	clock := func() time.Time { return now }
	lo := signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key}
	m, err := signer.Load(signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg := signer.Config{TrustAnchorARN: "ta", ProfileARN: "p", RoleARN: "r", DurationSeconds: 3600}
	c, unchecked, err := Open(filepath.Join(dir, "cache"), 0, clock, func(string) (string, bool) { return "", false })
	if err != nil || c == nil || c.Dir != filepath.Join(dir, "cache") || (unchecked != "") == FileModesChecked {
		t.Fatalf("Open = %+v, %q, %v", c, unchecked, err)
	}
	r := Request{Load: lo, Config: cfg}
	errLoad := errors.New("load failed")
	var gotMiss error
	loads := 0
	load := func(miss error) (*signer.Material, signer.Config, error) {
		loads++
		gotMiss = miss
		return nil, signer.Config{}, errLoad
	}
	if _, err := c.Obtain(context.Background(), r, load); !errors.Is(err, errLoad) || loads != 1 || gotMiss != nil {
		t.Fatalf("empty cache: got %v after %d loads (miss %v), want the loader's error", err, loads, gotMiss)
	}
	fetch := func(context.Context) (signer.Credentials, error) { return creds(1, now.Add(time.Hour)), nil }
	s, err := c.Session(context.Background(), m, cfg, nil, fetch)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Obtain(context.Background(), r, load)
	if err != nil || got.Hit == nil || got.Credentials != s.Credentials || loads != 1 {
		t.Fatalf("stored entry: got %+v, %v after %d loads; want a hit without loading", got, err, loads)
	}
	gone := Request{Load: signer.LoadOptions{Certificate: filepath.Join(dir, "missing.pem"), PrivateKey: files.Key}, Config: cfg}
	if _, err := c.Obtain(context.Background(), gone, load); !errors.Is(err, errLoad) || gotMiss == nil {
		t.Fatalf("missing file: got %v (miss %v), want the loader called with the reason", err, gotMiss)
	}
}
