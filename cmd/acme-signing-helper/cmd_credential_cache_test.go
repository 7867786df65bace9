package main

import (
	"bytes"
	"crypto/x509"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestCredentialCacheDebugKeepsSecrets: a miss then a hit, with --debug:
// the same credentials, one call, the source logged, no secret in stderr or
// in the lock file; the entry is 0600 in a 0700 directory.
func TestCredentialCacheDebugKeepsSecrets(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	cache := filepath.Join(t.TempDir(), "cache")
	var outs []string
	for i, want := range []string{"source=fetch", "source=cache"} {
		code, out, errOut := runCmd(t, map[string]string{}, append([]string{"credential-process", "--debug", "--cache-dir", cache}, f.args()...)...)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		p := parseOutput(t, out)
		if !strings.Contains(errOut, want) {
			t.Errorf("run %d: stderr lacks %q:\n%s", i, want, errOut)
		}
		if strings.Contains(errOut, p.SecretAccessKey) || strings.Contains(errOut, p.SessionToken) {
			t.Errorf("run %d: --debug output holds a secret", i)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("the hit printed other credentials than the miss")
	}
	if n := f.emu.Calls(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
	if st, err := os.Stat(cache); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("cache dir: %v %v", st, err)
	}
	ents, _ := filepath.Glob(filepath.Join(cache, "*.json"))
	if len(ents) != 1 {
		t.Fatalf("entries: %v", ents)
	}
	if st, _ := os.Stat(ents[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("entry mode %04o", st.Mode().Perm())
	}
}

// TestCredentialCacheKey: every input that changes the answer changes the
// key; the TOTP code does not (only the fingerprint mode does).
func TestCredentialCacheKey(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	m, err := signer.Load(signer.LoadOptions{Certificate: f.files.Certificate, PrivateKey: f.files.Key, Intermediates: []string{f.files.Chain}})
	if err != nil {
		t.Fatal(err)
	}
	other := newDeliveryFixture(t, 0)
	m2, err := signer.Load(signer.LoadOptions{Certificate: other.files.Certificate, PrivateKey: other.files.Key})
	if err != nil {
		t.Fatal(err)
	}
	base := credentialProcessOptions{trustAnchorARN: cpTA, profileARN: cpProfile, roleARN: cpRole, sessionDuration: 3600}
	key := func(o credentialProcessOptions, m *signer.Material) string { return credentialCacheKey(&o, m) }
	k0 := key(base, m)
	if key(base, m) != k0 {
		t.Fatal("key not deterministic")
	}
	for name, mod := range map[string]func(o *credentialProcessOptions){
		"trust anchor": func(o *credentialProcessOptions) { o.trustAnchorARN += "x" },
		"profile":      func(o *credentialProcessOptions) { o.profileARN += "x" },
		"role":         func(o *credentialProcessOptions) { o.roleARN += "x" },
		"region":       func(o *credentialProcessOptions) { o.region = "eu-west-2" },
		"endpoint":     func(o *credentialProcessOptions) { o.endpoint = "https://localhost" },
		"duration":     func(o *credentialProcessOptions) { o.sessionDuration = 900 },
		"session name": func(o *credentialProcessOptions) { o.roleSessionName = "abc" },
		"fingerprint":  func(o *credentialProcessOptions) { o.totp.fingerprints = []string{"machine-id"} },
		"digits": func(o *credentialProcessOptions) {
			o.totp.fingerprints, o.totp.digits = []string{"machine-id"}, 8
		},
	} {
		o := base
		mod(&o)
		if key(o, m) == k0 {
			t.Errorf("%s does not change the key", name)
		}
	}
	if key(base, m2) == k0 {
		t.Error("another certificate does not change the key")
	}
	a, b := base, base
	a.totp.fingerprints, b.totp.fingerprints = []string{"machine-id"}, []string{"machine-id"}
	if key(a, m) != key(b, m) {
		t.Error("the same fingerprint mode gives different keys")
	}
}

// BenchmarkCredentialProcessCacheHit is the in-process share of a cache
// hit (flags, loading the certificate material, reading the entry): the
// rest of bench/cache.sh's figure is process start.
func BenchmarkCredentialProcessCacheHit(b *testing.B) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	files, err := h.WritePlain(dir)
	if err != nil {
		b.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	defer srv.Close()
	args := []string{"credential-process", "--cache-dir", filepath.Join(dir, "cache"), "--certificate", files.Certificate, "--private-key", files.Key,
		"--intermediates", files.Chain, "--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole, "--endpoint", srv.URL}
	run := func() {
		var out, errb bytes.Buffer
		e := newEnv(strings.NewReader(""), &out, &errb)
		e.lookupEnv = func(string) (string, bool) { return "", false }
		if code := runEnv(e, args); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.StopTimer()
	if emu.Calls() != 1 {
		b.Errorf("calls = %d, want 1", emu.Calls())
	}
}
