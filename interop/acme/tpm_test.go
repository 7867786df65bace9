package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestTPMKeyCSR is issue 15's acceptance 3: `tpm keygen` + `tpm csr` +
// `lego --csr` against pebble issue a certificate whose key is in the TPM
// (a swtpm); credential-process (--acme-dir: the TPM key file is lego's
// NAME.key) and its cache use it against the emulator; the same key file on a second, fresh swtpm fails clearly.
func TestTPMKeyCSR(t *testing.T) {
	t.Parallel()
	w := getWorld(t)
	sim := swtpmtest.Start(t)
	dir := t.TempDir()
	const domain = "tpm." + fleetDomain
	// The convention for --acme-dir: the TPM key file where lego would keep
	// the key, certificates/NAME.key (lego --csr writes no key, and leaves
	// this one alone); the loader recognizes a TSS2 key by its contents.
	l := w.newLego(w.pebA, domain)
	f := l.Files(domain)
	if err := os.MkdirAll(filepath.Dir(f.Key), 0o700); err != nil {
		t.Fatal(err)
	}
	key, csr := f.Key, filepath.Join(dir, "tpm.csr")

	if r := runProduct(t, nil, "tpm", "keygen", "--tpm-device", sim.Device(), "--out", key); r.code != 0 {
		t.Fatalf("tpm keygen: %s", r)
	}
	r := runProduct(t, nil, "tpm", "csr", "--tpm-device", sim.Device(), "--key", key, "--domain", domain)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "-----BEGIN CERTIFICATE REQUEST-----") {
		t.Fatalf("tpm csr: %s", r)
	}
	if err := os.WriteFile(csr, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}

	// lego --csr: the classic profile keeps the CN (Roles Anywhere needs a
	// subject). lego writes the certificate, no key.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	keyBefore, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := l.exec(ctx, LegoRequest{KeyType: "ec256"}, "--csr", csr, "run", "--profile", "classic"); err != nil {
		t.Fatalf("lego --csr: %v\n%s", err, out)
	}
	chain, err := ReadChain(f.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if keyAfter, err := os.ReadFile(key); err != nil || string(keyAfter) != string(keyBefore) {
		t.Errorf("lego --csr changed or removed %s: %v", key, err)
	}
	leaf := chain[0]
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || leaf.Subject.CommonName != domain {
		t.Fatalf("leaf: key %T, CN %q; want ECDSA, %q", leaf.PublicKey, leaf.Subject.CommonName, domain)
	}

	anchorARN := emulator.DefaultTrustAnchorARN(emulator.DefaultRegion, emulator.DefaultAccountID)
	tp := runProduct(t, nil, "trust-policy", "role", "--trust-anchor-arn", anchorARN, "--workload", "*."+fleetDomain)
	if tp.code != 0 {
		t.Fatalf("trust-policy role: %s", tp)
	}
	policy, err := trustpolicy.Parse([]byte(tp.stdout))
	if err != nil {
		t.Fatal(err)
	}
	e := startEmu(t, []*x509.Certificate{mustCert(t, w.rootA)}, policy, nil)
	// The session name (the policy wants a 6-digit code) from a TOTP seed
	// the same TPM holds.
	seed, db := filepath.Join(dir, "seed.tpm"), filepath.Join(dir, "seeds.json")
	if r := runProduct(t, nil, "totp", "enroll", "--tpm", "--out", seed, "--tpm-device", sim.Device(), "--certificate", f.Cert, "--db", db); r.code != 0 {
		t.Fatalf("totp enroll --tpm: %s", r)
	}
	base := append([]string{"credential-process", "--acme-dir", l.Path, "--domain", domain, "--tpm-device", sim.Device(), "--fingerprint", "tpm-hmac:" + seed}, e.flags()...)

	r = runProduct(t, e, append(base, "--no-cache")...)
	if r.code != 0 {
		t.Fatalf("credential-process with the TPM key: %s", r)
	}
	var creds struct{ Version int }
	if err := json.Unmarshal([]byte(r.stdout), &creds); err != nil || creds.Version != 1 {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	acc := e.last(t)
	if acc.Serial().Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("accepted serial %v, want the lego leaf's %v", acc.Serial(), leaf.SerialNumber)
	}
	if !pub.Equal(acc.Leaf.PublicKey) {
		t.Error("the emulator verified a signature of another key")
	}

	// The cache: a miss signs in the TPM, a hit does not call.
	cache := filepath.Join(dir, "cache")
	for i := 0; i < 2; i++ {
		if r := runProduct(t, e, append(base, "--cache-dir", cache)...); r.code != 0 {
			t.Fatalf("credential-process with the cache (%d): %s", i, r)
		}
	}
	if n := e.srv.Calls(); n != 2 {
		t.Errorf("emulator accepted %d requests, want 2 (no-cache run, cache miss; the hit made none)", n)
	}

	// detect: the TPM-named sessions are legit for the database's seed.
	trail := filepath.Join(dir, "trail.jsonl")
	if err := os.WriteFile(trail, e.trail.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runProduct(t, nil, "detect", "--db", db, trail); r.code != 0 || strings.Count(r.stdout, "legit "+domain) != 2 {
		t.Errorf("detect: want two legit sessions of %s: %s", domain, r)
	}

	// The same key file with another, fresh TPM: exit 1, nothing on stdout.
	other := swtpmtest.Start(t)
	bad := append([]string{"credential-process", "--certificate", f.Cert, "--private-key", key, "--tpm-device", other.Device(), "--no-cache"}, e.flags()...)
	r = runProduct(t, e, bad...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "made by another TPM") || !strings.Contains(r.stderr, "\nhint: ") {
		t.Errorf("key of another TPM: %s", r)
	}
}
