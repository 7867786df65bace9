package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestCacheKeyGolden: the key of fixed inputs is what credential-process
// computed before the key moved here (package main, release before
// issue 10), so that existing cache entries keep hitting. A change here
// makes every cache miss once: do it only on purpose.
func TestCacheKeyGolden(t *testing.T) {
	in := KeyInputs{
		Files: signer.Files{Layout: signer.LayoutExplicit, Certificate: "/etc/lego/certificates/host.crt", PrivateKey: "/etc/lego/certificates/host.key",
			Intermediates: []string{"/etc/lego/chain.pem", "/x/y.pem"}},
		KeyID: "1704:1700000000123456789:2049:131:1700000000.987654321",
	}
	for i := range in.CertSum {
		in.CertSum[i] = byte(i)
	}
	base := signer.Config{TrustAnchorARN: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/ta", ProfileARN: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/p",
		RoleARN: "arn:aws:iam::123456789012:role/r", DurationSeconds: 3600}
	fixed := base
	fixed.RoleSessionName, fixed.Region, fixed.Endpoint, fixed.NoVerifySSL, fixed.DurationSeconds = "fixed-name", "eu-west-2", "https://localhost:8443", true, 900
	computed := base
	computed.SessionName = func(time.Time) (string, error) { return "123456", nil }
	noChain := in
	noChain.Files.Intermediates = nil
	totp := SessionNameKeyParts(8, []string{"machine-id", "file:/etc/x"})
	for _, tc := range []struct {
		name string
		cfg  signer.Config
		in   KeyInputs
		sn   []string
		want string
	}{
		{"plain", base, in, nil, "7a763e5744a46009dc3dd9d3a0043b5c2192b8d749eceb6371e5a100e0364e81"},
		{"fixed name and transport", fixed, in, nil, "c9cf371e800617f1e466d1e3735243ca114603602ba4f372ff7cc3aca2c8c59a"},
		{"totp (fast path: no SessionName yet)", base, in, totp, "7651ebd0303ec87843fe0157f2ba1528df7ba144a65d1181dee8bbb6bc30dae9"},
		{"totp (slow path: SessionName set)", computed, in, totp, "7651ebd0303ec87843fe0157f2ba1528df7ba144a65d1181dee8bbb6bc30dae9"},
		{"no intermediates", base, noChain, nil, "f9553a18b75202374d6c1f1395f146705900752e75774bb212efa8388b42db5e"},
	} {
		if got := CacheKey(tc.cfg, tc.in, tc.sn); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestFileIdentity: a rewrite in place and a file renamed over the old
// one change the identity; a second stat of the same file does not.
func TestFileIdentity(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key.pem")
	id := func() string {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return FileIdentity(p, fi)
	}
	if err := os.WriteFile(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	id0 := id()
	if id() != id0 {
		t.Fatal("identity of an unchanged file changed")
	}
	// Same size and modification time, another file: only the inode
	// (file index) and change time tell.
	fi, _ := os.Stat(p)
	if err := os.WriteFile(p+".new", []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p+".new", fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if id() == id0 {
		t.Errorf("a file renamed over the old one (same size and mtime) keeps identity %s", id0)
	}
}

func ExampleCacheKey() {
	in := KeyInputs{Files: signer.Files{Certificate: "/etc/lego/certificates/host.crt", PrivateKey: "/etc/lego/certificates/host.key"}, KeyID: "1704:1700000000123456789"}
	cfg := signer.Config{TrustAnchorARN: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/ta", ProfileARN: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/p",
		RoleARN: "arn:aws:iam::123456789012:role/r", DurationSeconds: 3600}
	// The TOTP settings change the key; the code (computed at signing
	// time) never does.
	a := CacheKey(cfg, in, SessionNameKeyParts(6, []string{"machine-id"}))
	b := CacheKey(cfg, in, SessionNameKeyParts(8, []string{"machine-id"}))
	fmt.Println(len(a), a != b)
	// Output: 64 true
}
