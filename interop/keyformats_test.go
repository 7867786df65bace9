package interop

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// opensslPath returns the openssl binary (Debian package openssl).
func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		missingPeer(t, "openssl (Debian package openssl): %v", err)
	}
	return p
}

// openssl runs openssl in dir and fails the test when it fails.
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(opensslPath(t), args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// keyFormatCase is one key file (or PKCS#12 file) made by openssl.
type keyFormatCase struct {
	name        string
	certificate string // the --certificate file
	key         string // the --private-key file (ours); "" for the official with PKCS#12
	password    string // "" when none
	pkcs12      bool
	official    bool // the official helper v1.7.3 reads it
}

// opensslIdentity is a leaf key made by `openssl genpkey`, its certificate
// signed by openssl with the intermediate of a testpki hierarchy, and
// every encoding of the key the key-format table covers.
type opensslIdentity struct {
	dir, root, intermediate string
	cases                   []keyFormatCase
}

// newOpenSSLIdentity generates the key with genpkeyArgs, signs its
// certificate with certDigest (sha256, sha384, sha512) and writes the
// encodings.
func newOpenSSLIdentity(t *testing.T, genpkeyArgs []string, certDigest string) opensslIdentity {
	t.Helper()
	h, err := testpki.New(testpki.Options{CAKeyType: testpki.RSA2048, Intermediates: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	id := opensslIdentity{dir: dir, root: filepath.Join(dir, "root.pem"), intermediate: filepath.Join(dir, "int.pem")}
	intKey, err := testpki.KeyPEM(h.Intermediates[0].Key, testpki.PKCS8)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"root.pem": testpki.CertPEM(h.Root.Cert),
		"int.pem":  testpki.CertPEM(h.Intermediates[0].Cert),
		"int.key":  intKey,
		"leaf.ext": []byte("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:host.interop.example\n"),
		"pw.txt":   []byte("pw\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	serial := make([]byte, 16)
	rand.Read(serial)
	serial[0] &= 0x7f
	openssl(t, dir, append([]string{"genpkey", "-out", "key.pem"}, genpkeyArgs...)...)
	openssl(t, dir, "req", "-new", "-key", "key.pem", "-subj", "/CN=host.interop.example", "-out", "leaf.csr")
	openssl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "int.pem", "-CAkey", "int.key", "-set_serial", "0x"+hex.EncodeToString(serial),
		"-"+certDigest, "-days", "30", "-extfile", "leaf.ext", "-out", "leaf.pem")
	add := func(c keyFormatCase) {
		c.certificate = filepath.Join(dir, c.certificate)
		c.key = filepath.Join(dir, c.key)
		id.cases = append(id.cases, c)
	}
	add(keyFormatCase{name: "pkcs8", certificate: "leaf.pem", key: "key.pem", official: true})
	openssl(t, dir, "pkey", "-in", "key.pem", "-traditional", "-out", "traditional.pem")
	add(keyFormatCase{name: "pkcs1-or-sec1", certificate: "leaf.pem", key: "traditional.pem", official: true})
	for _, cipher := range []string{"aes-128-cbc", "aes-192-cbc", "aes-256-cbc"} {
		f := "scrypt-" + cipher + ".pem"
		openssl(t, dir, "pkcs8", "-topk8", "-in", "key.pem", "-scrypt", "-v2", cipher, "-passout", "pass:pw", "-out", f)
		add(keyFormatCase{name: "scrypt " + cipher, certificate: "leaf.pem", key: f, password: "pw", official: true})
		for _, prf := range []string{"hmacWithSHA256", "hmacWithSHA384", "hmacWithSHA512"} {
			f := prf + "-" + cipher + ".pem"
			openssl(t, dir, "pkcs8", "-topk8", "-in", "key.pem", "-v2", cipher, "-v2prf", prf, "-passout", "pass:pw", "-out", f)
			add(keyFormatCase{name: prf + " " + cipher, certificate: "leaf.pem", key: f, password: "pw", official: true})
		}
	}
	// PKCS#12: OpenSSL 3's default (PBES2, PBKDF2, AES-256-CBC, MAC
	// HMAC-SHA256) with and without a password, and the legacy 3DES/SHA-1
	// encoding, the only one golang.org/x/crypto/pkcs12 (the official
	// helper's reader) knows; the official uses the empty password only.
	openssl(t, dir, "pkcs12", "-export", "-inkey", "key.pem", "-in", "leaf.pem", "-certfile", "int.pem", "-passout", "pass:pw", "-out", "id-pw.p12")
	add(keyFormatCase{name: "pkcs12 aes-256 password", certificate: "id-pw.p12", key: "id-pw.p12", password: "pw", pkcs12: true})
	openssl(t, dir, "pkcs12", "-export", "-inkey", "key.pem", "-in", "leaf.pem", "-certfile", "int.pem", "-passout", "pass:", "-out", "id-nopw.p12")
	add(keyFormatCase{name: "pkcs12 aes-256 no password", certificate: "id-nopw.p12", key: "id-nopw.p12", pkcs12: true})
	openssl(t, dir, "pkcs12", "-export", "-inkey", "key.pem", "-in", "leaf.pem", "-certfile", "int.pem", "-passout", "pass:",
		"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-out", "id-legacy.p12")
	add(keyFormatCase{name: "pkcs12 3des no password", certificate: "id-legacy.p12", key: "id-legacy.p12", pkcs12: true, official: true})
	return id
}

// TestKeyFormatTable is issue 11's acceptance 3: keys made by openssl
// (RSA 2048/4096, EC P-256/P-384), certificates signed by openssl with
// SHA-256/384/512, every key encoding OpenSSL 3 writes (PKCS#8, PKCS#1/SEC1,
// encrypted PKCS#8 with scrypt or PBKDF2-HMAC-SHA256/384/512 and
// AES-128/192/256-CBC, PKCS#12 with and without a password): ours gets
// credentials from the emulator with each, and the official helper with
// every case it reads.
func TestKeyFormatTable(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	opensslPath(t)
	var mu sync.Mutex
	var summary []string
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("key-format table:\n%s", strings.Join(summary, "\n"))
	})
	for i, kt := range []struct {
		name    string
		genpkey []string
	}{
		{"rsa2048", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
		{"rsa4096", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"}},
		{"p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
		{"p384", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}},
	} {
		digest := []string{"sha256", "sha384", "sha512"}[i%3]
		t.Run(kt.name+" cert "+digest, func(t *testing.T) {
			t.Parallel()
			id := newOpenSSLIdentity(t, kt.genpkey, digest)
			rootPEM, err := os.ReadFile(id.root)
			if err != nil {
				t.Fatal(err)
			}
			roots, err := signer.ParseCertificates(rootPEM)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range id.cases {
				e := startEmulator(t, []*x509.Certificate{roots[0]}, nil)
				// Ours: the password from the environment, never argv.
				args := []string{"credential-process", "--certificate", c.certificate, "--private-key", c.key, "--endpoint", e.URL(), "--no-verify-ssl"}
				if !c.pkcs12 {
					args = append(args, "--intermediates", id.intermediate)
				}
				var env []string
				if c.password != "" {
					env = append(env, "ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD="+c.password)
				}
				r := run(t, cleanEnv(t, env...), ours, append(args, e.arnFlags()...)...)
				if r.code != 0 {
					t.Errorf("%s %s: ours:\n%s", kt.name, c.name, r)
					continue
				}
				got := parseProcessOutput(t, r.stdout)
				creds := e.issuedCredentials(t)
				assertSameCredentials(t, got, creds[len(creds)-1])
				if acc, ok := e.srv.LastAccepted(); !ok || len(acc.Chain) != 1 {
					t.Errorf("%s %s: ours sent no intermediate", kt.name, c.name)
				}

				// The official helper: the password on argv (a throwaway
				// test password), PKCS#12 as --certificate alone.
				oargs := []string{"credential-process", "--certificate", c.certificate, "--endpoint", e.URL(), "--no-verify-ssl"}
				if c.pkcs12 {
					// nothing else: the chain and key are in the file
				} else {
					oargs = append(oargs, "--private-key", c.key, "--intermediates", id.intermediate)
				}
				if c.password != "" && !c.pkcs12 {
					oargs = append(oargs, "--pkcs8-password", c.password)
				}
				o := run(t, cleanEnv(t), official, append(oargs, e.arnFlags()...)...)
				verdict := "official reads it too"
				switch {
				case c.official && o.code != 0:
					t.Errorf("%s %s: the official helper refused a case it supports:\n%s", kt.name, c.name, o)
				case c.official:
					got := parseProcessOutput(t, o.stdout)
					creds := e.issuedCredentials(t)
					assertSameCredentials(t, got, creds[len(creds)-1])
				case o.code == 0:
					t.Errorf("%s %s: the official helper read a case this table says it cannot: update the table", kt.name, c.name)
				default:
					verdict = "official cannot (" + firstLine(o.stderr) + ")"
				}
				mu.Lock()
				summary = append(summary, fmt.Sprintf("  %-8s %-14s %-30s ours ok; %s", kt.name, "cert "+digest, c.name, verdict))
				mu.Unlock()
			}
		})
	}
}

// TestRSA1024Refused: an RSA 1024 key made by openssl is refused before
// any call, with a hint.
func TestRSA1024Refused(t *testing.T) {
	ours := ourBinary(t)
	id := newOpenSSLIdentity(t, []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"}, "sha256")
	rootPEM, err := os.ReadFile(id.root)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := signer.ParseCertificates(rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t, roots, nil)
	c := id.cases[0]
	r := run(t, cleanEnv(t), ours, append([]string{"credential-process", "--certificate", c.certificate, "--private-key", c.key,
		"--endpoint", e.URL(), "--no-verify-ssl"}, e.arnFlags()...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "RSA 1024 bits") || !strings.Contains(r.stderr, "\nhint: ") {
		t.Errorf("RSA 1024: want exit 1 naming the key size, with a hint:\n%s", r)
	}
	if n := len(e.proxy.Exchanges()); n != 0 {
		t.Errorf("the emulator saw %d requests, want none", n)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}
