package main

import (
	"bytes"
	"crypto/x509"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
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
	key := func(o credentialProcessOptions, m *signer.Material) string {
		in, err := materialCacheKeyInputs(m)
		if err != nil {
			t.Fatal(err)
		}
		return credentialCacheKey(&o, in)
	}
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
	// The same certificate bytes and key path, but the key file replaced
	// (another inode, size or times): another key, so that Load checks
	// the new key before anything is served.
	if err := os.WriteFile(f.files.Key+".new", mustRead(t, other.files.Key), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.files.Key+".new", f.files.Key); err != nil {
		t.Fatal(err)
	}
	if key(base, m) == k0 {
		t.Error("a replaced private key file does not change the key")
	}
	a, b := base, base
	a.totp.fingerprints, b.totp.fingerprints = []string{"machine-id"}, []string{"machine-id"}
	if key(a, m) != key(b, m) {
		t.Error("the same fingerprint mode gives different keys")
	}
}

// BenchmarkCredentialProcessCacheHit is the in-process share of a cache
// hit (flags, locating and hashing the certificate file, a stat of the key
// file, reading the entry, the output; nothing parsed but flags and the
// entry): the rest of bench/cache.sh's figure is process start.
func BenchmarkCredentialProcessCacheHit(b *testing.B) {
	dir := b.TempDir()
	h, files := plainPKI(b, dir, testpki.Options{})
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

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCredentialCacheFastPathKey: the key of the hit path (files located
// and hashed, nothing parsed) is the key the miss path stores under (files
// loaded), in every layout; otherwise a hit could never happen.
func TestCredentialCacheFastPathKey(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := credentialProcessOptions{trustAnchorARN: cpTA, profileARN: cpProfile, roleARN: cpRole, sessionDuration: 3600}
	plain := func(dir string) (testpki.Files, error) { return h.WritePlain(dir) }
	for _, tc := range []struct {
		name  string
		write func(dir string) (testpki.Files, error)
		opts  func(dir string, f testpki.Files) credentialProcessOptions
	}{
		{"explicit", plain, func(_ string, f testpki.Files) credentialProcessOptions {
			o := base
			o.certificate, o.privateKey, o.intermediates = f.Certificate, f.Key, f.Chain
			return o
		}},
		{"lego", func(dir string) (testpki.Files, error) { return h.WriteLego(dir, "host.example.com") }, func(dir string, _ testpki.Files) credentialProcessOptions {
			o := base
			o.acmeDir, o.domain = dir, "host.example.com"
			return o
		}},
		{"certbot", func(dir string) (testpki.Files, error) { return h.WriteCertbot(dir, "host.example.com") }, func(dir string, _ testpki.Files) credentialProcessOptions {
			o := base
			o.acmeDir, o.domain = dir, "host.example.com"
			return o
		}},
		{"acme.sh", func(dir string) (testpki.Files, error) { return h.WriteAcmeSh(dir, "host.example.com") }, func(dir string, _ testpki.Files) credentialProcessOptions {
			o := base
			o.acmeDir, o.domain = dir, "host.example.com"
			return o
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f, err := tc.write(dir)
			if err != nil {
				t.Fatal(err)
			}
			o := tc.opts(dir, f)
			fast, err := o.locateCacheKeyInputs()
			if err != nil {
				t.Fatal(err)
			}
			lo := signer.LoadOptions{Certificate: o.certificate, PrivateKey: o.privateKey, AcmeDir: o.acmeDir, Domain: o.domain}
			if o.intermediates != "" {
				lo.Intermediates = []string{o.intermediates}
			}
			m, err := signer.Load(lo)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := materialCacheKeyInputs(m)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := credentialCacheKey(&o, fast), credentialCacheKey(&o, slow); got != want {
				t.Errorf("hit-path key %s, want the stored key %s (inputs %+v, want %+v)", got, want, fast, slow)
			}
		})
	}
}

// runCmdAt is runCmd with the command's clock set to now.
func runCmdAt(t *testing.T, now time.Time, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	e.now = func() time.Time { return now }
	code := runEnv(e, args)
	return code, out.String(), errb.String()
}

// TestCredentialCacheHitReadsNoKey: a hit neither reads the private key nor
// calls the service: with an encrypted key, the hit needs no password and
// no emulator; without the cache the same command fails. A key replaced by
// another (the certificate unchanged) is a miss, and Load's check refuses
// it: the cache never hides a broken key.
func TestCredentialCacheHitReadsNoKey(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	// Swap in this hierarchy's files, with the key encrypted, and an
	// emulator trusting its root.
	dir := t.TempDir()
	h, files := plainPKI(t, dir, testpki.Options{})
	password := "correct horse battery staple"
	enc, err := testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Key, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	f.files, f.emu, f.url = files, emu, srv.URL
	cache := filepath.Join(t.TempDir(), "cache")
	args := append([]string{"credential-process", "--cache-dir", cache}, f.args()...)

	code, first, errOut := runCmd(t, map[string]string{envKeyPassword: password}, args...)
	if code != 0 {
		t.Fatalf("miss: exit %d: %s", code, errOut)
	}
	srv.Close() // any call now fails
	code, second, errOut := runCmd(t, map[string]string{}, args...)
	if code != 0 {
		t.Fatalf("hit without the key password or the service: exit %d: %s", code, errOut)
	}
	if first != second {
		t.Errorf("the hit printed other credentials than the miss")
	}
	if code, out, _ := runCmd(t, map[string]string{}, append(args, "--no-cache")...); code == 0 || out != "" {
		t.Errorf("--no-cache without the key password: exit %d, stdout %q; want a failure and nothing printed", code, out)
	}
	if n := emu.Calls(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}

	// Another key in the key file: the key changes, Load refuses the pair.
	other, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := testpki.KeyPEM(other.Leaf.Key, testpki.DefaultKeyFormat(other.Leaf.Key))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Key, otherKey, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, map[string]string{}, args...)
	if code != 1 || out != "" || !strings.Contains(errOut, "does not match") && !strings.Contains(errOut, "mismatch") {
		t.Errorf("replaced key: exit %d, stdout %q, stderr %q; want exit 1, nothing printed, the key mismatch", code, out, errOut)
	}
}

// TestCredentialCacheCertificateBounds: an entry is not served once its
// certificate has expired (the recorded NotAfter, no parsing), and a hit
// prints Load's warnings (little lifetime left, key readable by others).
func TestCredentialCacheCertificateBounds(t *testing.T) {
	now := time.Now()
	// 80 minutes of lifetime, 20 left: the lifetime warning is due; the
	// one-hour session outlives the certificate.
	f := newDeliveryFixture(t, 0)
	dir := t.TempDir()
	h, files := plainPKI(t, dir, testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(20 * time.Minute)}})
	if err := os.Chmod(files.Key, 0o644); err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	f.files, f.emu, f.url = files, emu, srv.URL
	cache := filepath.Join(t.TempDir(), "cache")
	args := append([]string{"credential-process", "--debug", "--cache-dir", cache}, f.args("--session-duration", "3600")...)

	var outs []string
	for i, src := range []string{"source=fetch", "source=cache"} {
		code, out, errOut := runCmdAt(t, now, map[string]string{}, args...)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
		for _, want := range []string{src, "less than a third of its lifetime", "readable by group or others"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("run %d: stderr lacks %q:\n%s", i, want, errOut)
			}
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("the hit printed other credentials than the miss")
	}
	// One second after the certificate's end the credentials still have
	// 40 minutes: only the entry's recorded bound keeps them from being
	// served; Load then refuses the certificate.
	code, out, errOut := runCmdAt(t, h.Leaf.Cert.NotAfter.Add(time.Second), map[string]string{}, args...)
	if code != 1 || out != "" || !strings.Contains(errOut, "expired") {
		t.Errorf("after the certificate's NotAfter: exit %d, stdout %q, stderr %q; want exit 1, nothing printed, expired", code, out, errOut)
	}
	if n := emu.Calls(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

// The cache key as credential-process computes it (credentials.CacheKey of
// the options), under the names the tests above had for it.
func materialCacheKeyInputs(m *signer.Material) (credentials.KeyInputs, error) {
	return credentials.MaterialKeyInputs(m)
}

func credentialCacheKey(o *credentialProcessOptions, in credentials.KeyInputs) string {
	return credentials.CacheKey(o.signerConfig(), in, o.sessionNameKeyParts())
}

func (o *credentialProcessOptions) locateCacheKeyInputs() (credentials.KeyInputs, error) {
	return credentials.LocateKeyInputs(o.loadOptions())
}
