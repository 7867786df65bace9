package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func writeFile(t testing.TB, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func keyPEM(t testing.TB, k crypto.Signer, f testpki.KeyFormat) []byte {
	t.Helper()
	b, err := testpki.KeyPEM(k, f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadErrors(t *testing.T) {
	now := time.Now()
	good := newPKI(t, testpki.Options{})
	other := newPKI(t, testpki.Options{})
	leafPEM := testpki.CertPEM(good.Leaf.Cert)
	goodKey := keyPEM(t, good.Leaf.Key, testpki.PKCS8)
	hier := func(lo testpki.LeafOptions) *testpki.Hierarchy { return newPKI(t, testpki.Options{Leaf: lo}) }
	rsa1024 := hier(testpki.LeafOptions{KeyType: testpki.RSA1024})
	p224 := hier(testpki.LeafOptions{KeyType: testpki.ECDSAP224})
	ed := hier(testpki.LeafOptions{KeyType: testpki.Ed25519})
	expired := hier(testpki.LeafOptions{NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)})
	future := hier(testpki.LeafOptions{NotBefore: now.Add(time.Hour), NotAfter: now.AddDate(0, 0, 90)})
	ca := hier(testpki.LeafOptions{IsCA: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign})
	noDS := hier(testpki.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment, KeyType: testpki.RSA2048})
	noKU := hier(testpki.LeafOptions{NoKeyUsage: true})
	long := newPKI(t, testpki.Options{Intermediates: 6})
	enc, err := testpki.EncryptedPKCS8PEM(good.Leaf.Key, []byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	legacyEnc := []byte("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n")
	des3, err := os.ReadFile("testdata/openssl-p384-des3.pem")
	if err != nil {
		t.Fatal(err)
	}

	type files struct {
		cert, key []byte
		ints      [][]byte
		password  string
		noCert    bool // cert path does not exist
	}
	pair := func(h *testpki.Hierarchy) files {
		return files{cert: testpki.CertPEM(h.Leaf.Cert), key: keyPEM(t, h.Leaf.Key, testpki.PKCS8), ints: [][]byte{testpki.CertPEM(h.Chain()...)}}
	}
	tests := []struct {
		name string
		f    files
		want error
		msg  string // substring of the error
	}{
		{"missing certificate file", files{noCert: true, key: goodKey}, nil, "no such file"},
		{"garbage certificate", files{cert: []byte("hello"), key: goodKey}, ErrNoCertificate, "no PEM CERTIFICATE"},
		{"corrupt certificate DER", files{cert: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), key: goodKey}, ErrNoCertificate, "PEM block 1"},
		{"key file is a certificate", files{cert: leafPEM, key: leafPEM}, ErrNoPrivateKey, "no PEM private key"},
		{"garbage key", files{cert: leafPEM, key: []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")}, ErrNoPrivateKey, "PRIVATE KEY block"},
		{"wrong key", files{cert: leafPEM, key: keyPEM(t, other.Leaf.Key, testpki.PKCS8)}, ErrKeyMismatch, "serial"},
		{"RSA 1024", pair(rsa1024), ErrUnsupportedKey, "RSA 1024 bits"},
		{"P-224", pair(p224), ErrUnsupportedKey, "P-224"},
		{"Ed25519", pair(ed), ErrUnsupportedKey, "Ed25519"},
		{"expired", pair(expired), ErrExpired, "expired on " + expired.Leaf.Cert.NotAfter.UTC().Format(time.RFC3339)},
		{"not yet valid", pair(future), ErrNotYetValid, "valid from"},
		{"CA as leaf", pair(ca), ErrLeafIsCA, "Test"},
		{"no digitalSignature", pair(noDS), ErrNoDigitalSignature, ""},
		{"no key usage", pair(noKU), ErrNoDigitalSignature, ""},
		{"six intermediates", files{cert: testpki.CertPEM(long.Leaf.Cert), key: keyPEM(t, long.Leaf.Key, testpki.PKCS8), ints: [][]byte{testpki.CertPEM(long.Chain()...)}}, ErrChainTooLong, "6 after the leaf"},
		{"encrypted without password", files{cert: leafPEM, key: enc}, ErrKeyPasswordRequired, ""},
		{"encrypted wrong password", files{cert: leafPEM, key: enc, password: "Xq7-wr0ng"}, ErrKeyPassword, ""},
		{"legacy PEM encryption", files{cert: leafPEM, key: legacyEnc, password: "x"}, ErrUnsupportedEncryption, "Proc-Type"},
		{"des3 PBES2", files{cert: leafPEM, key: des3, password: "pw"}, ErrUnsupportedEncryption, "cipher"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := LoadOptions{Certificate: filepath.Join(dir, "missing.pem"), PrivateKey: writeFile(t, dir, "key.pem", tt.f.key, 0o600), Password: []byte(tt.f.password)}
			if !tt.f.noCert {
				o.Certificate = writeFile(t, dir, "cert.pem", tt.f.cert, 0o644)
			}
			for i, b := range tt.f.ints {
				o.Intermediates = append(o.Intermediates, writeFile(t, dir, "chain"+string(rune('0'+i))+".pem", b, 0o644))
			}
			m, err := Load(o)
			if err == nil {
				t.Fatalf("loaded %v, want an error", m.Leaf.Subject)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if !isPackageError(err) {
				t.Errorf("error %q is none of the package's errors", err)
			}
			if tt.f.password != "" && strings.Contains(err.Error(), tt.f.password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestLoadKeyFormats(t *testing.T) {
	ec := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.ECDSAP384}})
	rs := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.RSA3072}})
	encEC, err := testpki.EncryptedPKCS8PEM(ec.Leaf.Key, []byte("pässwörd"))
	if err != nil {
		t.Fatal(err)
	}
	encRSA, err := testpki.EncryptedPKCS8PEM(rs.Leaf.Key, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		h        *testpki.Hierarchy
		key      []byte
		password string
		alg      string
	}{
		{"ecdsa pkcs8", ec, keyPEM(t, ec.Leaf.Key, testpki.PKCS8), "", sigv4x509.AlgorithmECDSA},
		{"ecdsa sec1", ec, keyPEM(t, ec.Leaf.Key, testpki.SEC1), "", sigv4x509.AlgorithmECDSA},
		{"rsa pkcs1", rs, keyPEM(t, rs.Leaf.Key, testpki.PKCS1), "", sigv4x509.AlgorithmRSA},
		{"rsa pkcs8", rs, keyPEM(t, rs.Leaf.Key, testpki.PKCS8), "", sigv4x509.AlgorithmRSA},
		{"ecdsa encrypted", ec, encEC, "pässwörd", sigv4x509.AlgorithmECDSA},
		{"rsa encrypted", rs, encRSA, "x", sigv4x509.AlgorithmRSA},
		{"sec1 after EC PARAMETERS", ec, append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), keyPEM(t, ec.Leaf.Key, testpki.SEC1)...), "", sigv4x509.AlgorithmECDSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			m, err := Load(LoadOptions{
				Certificate: writeFile(t, dir, "c.pem", testpki.CertPEM(append([]*x509.Certificate{tt.h.Leaf.Cert}, tt.h.Chain()...)...), 0o644),
				PrivateKey:  writeFile(t, dir, "k.pem", tt.key, 0o600),
				Password:    []byte(tt.password),
			})
			if err != nil {
				t.Fatal(err)
			}
			if m.Algorithm != tt.alg || !m.Leaf.Equal(tt.h.Leaf.Cert) || len(m.Chain) != 1 {
				t.Errorf("got alg %s, leaf %v, %d chain", m.Algorithm, m.Leaf.Subject, len(m.Chain))
			}
			if len(m.Warnings) != 0 {
				t.Errorf("unexpected warnings %q", m.Warnings)
			}
		})
	}
}

// TestDecryptOpenSSL decrypts keys OpenSSL encrypted (an independent
// implementation): HMAC-SHA1 with AES-128 and HMAC-SHA256 with AES-192.
func TestDecryptOpenSSL(t *testing.T) {
	pubPEM, err := os.ReadFile("testdata/openssl-p384.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pemDecode(pubPEM)
	pub, err := x509.ParsePKIXPublicKey(blk)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"openssl-p384-aes128-sha1.pem", "openssl-p384-aes192-sha256.pem"} {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			k, err := ParsePrivateKey(b, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if !samePublicKey(pub, k.Public()) {
				t.Error("decrypted key does not match the public key")
			}
			if _, err := ParsePrivateKey(b, []byte("pW")); !errors.Is(err, ErrKeyPassword) {
				t.Errorf("wrong password: got %v, want ErrKeyPassword", err)
			}
		})
	}
}

func TestChainOrder(t *testing.T) {
	h := newPKI(t, testpki.Options{Intermediates: 3})
	unrelated := newPKI(t, testpki.Options{})
	i0, i1, i2 := h.Intermediates[0].Cert, h.Intermediates[1].Cert, h.Intermediates[2].Cert
	tests := []struct {
		name    string
		cert    []*x509.Certificate // --certificate file
		ints    []*x509.Certificate // --intermediates file
		dropped int
	}{
		{"leaf + separate chain", []*x509.Certificate{h.Leaf.Cert}, []*x509.Certificate{i0, i1, i2}, 0},
		{"full chain", []*x509.Certificate{h.Leaf.Cert, i0, i1, i2}, nil, 0},
		{"full chain reversed with root", []*x509.Certificate{h.Root.Cert, i2, i1, i0, h.Leaf.Cert}, nil, 0},
		{"shuffled and duplicated", []*x509.Certificate{i1, h.Leaf.Cert, i0}, []*x509.Certificate{i2, i0, i1, h.Root.Cert}, 0},
		{"unrelated CA dropped", []*x509.Certificate{h.Leaf.Cert}, []*x509.Certificate{unrelated.Intermediates[0].Cert, i2, i0, i1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := LoadOptions{
				Certificate: writeFile(t, dir, "c.pem", testpki.CertPEM(tt.cert...), 0o644),
				PrivateKey:  writeFile(t, dir, "k.pem", keyPEM(t, h.Leaf.Key, testpki.SEC1), 0o600),
			}
			if tt.ints != nil {
				o.Intermediates = []string{writeFile(t, dir, "i.pem", testpki.CertPEM(tt.ints...), 0o644)}
			}
			m, err := Load(o)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Leaf.Equal(h.Leaf.Cert) {
				t.Fatalf("leaf is %v", m.Leaf.Subject)
			}
			if len(m.Chain) != 3 || !m.Chain[0].Equal(i0) || !m.Chain[1].Equal(i1) || !m.Chain[2].Equal(i2) {
				var names []string
				for _, c := range m.Chain {
					names = append(names, c.Subject.CommonName)
				}
				t.Errorf("chain %q, want the three intermediates issuer first", names)
			}
			if len(m.Warnings) != tt.dropped {
				t.Errorf("warnings %q, want %d", m.Warnings, tt.dropped)
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	now := time.Now()
	h := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.AddDate(0, 0, -70), NotAfter: now.AddDate(0, 0, 20)}})
	dir := t.TempDir()
	m, err := Load(LoadOptions{
		Certificate: writeFile(t, dir, "c.pem", testpki.CertPEM(h.Leaf.Cert), 0o644),
		PrivateKey:  writeFile(t, dir, "k.pem", keyPEM(t, h.Leaf.Key, testpki.PKCS8), 0o644),
		Now:         func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, w := range m.Warnings {
		texts = append(texts, w.String())
	}
	all := strings.Join(texts, "\n")
	if len(m.Warnings) != 2 || !strings.Contains(all, "less than a third") || !strings.Contains(all, "readable by group or others (mode 0644)") {
		t.Errorf("got warnings %q", m.Warnings)
	}
	// The injected clock decides: 50 days earlier, the lifetime is fine.
	m, err = Load(LoadOptions{Certificate: filepath.Join(dir, "c.pem"), PrivateKey: filepath.Join(dir, "k.pem"), Now: func() time.Time { return now.AddDate(0, 0, -50) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Warnings) != 1 {
		t.Errorf("got warnings %q, want only the mode one", m.Warnings)
	}
}

func TestLoadLayouts(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		kt     testpki.KeyType
		write  func(h *testpki.Hierarchy, dir, domain string) (testpki.Files, error)
		layout Layout
	}{
		{"lego", "host.example.com", testpki.ECDSAP256, (*testpki.Hierarchy).WriteLego, LayoutLego},
		{"lego wildcard", "*.example.com", testpki.RSA2048, (*testpki.Hierarchy).WriteLego, LayoutLego},
		{"certbot", "host.example.com", testpki.ECDSAP256, (*testpki.Hierarchy).WriteCertbot, LayoutCertbot},
		{"acme.sh ecc", "host.example.com", testpki.ECDSAP384, (*testpki.Hierarchy).WriteAcmeSh, LayoutAcmeSh},
		{"acme.sh rsa", "host.example.com", testpki.RSA2048, (*testpki.Hierarchy).WriteAcmeSh, LayoutAcmeSh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newPKI(t, testpki.Options{Intermediates: 2, Leaf: testpki.LeafOptions{KeyType: tt.kt, DNSNames: []string{tt.domain}}})
			dir := t.TempDir()
			f, err := tt.write(h, dir, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Load(LoadOptions{AcmeDir: dir, Domain: tt.domain})
			if err != nil {
				t.Fatal(err)
			}
			if m.Layout != tt.layout || m.PrivateKeyPath != f.Key {
				t.Errorf("got layout %s key %s, want %s %s", m.Layout, m.PrivateKeyPath, tt.layout, f.Key)
			}
			if !m.Leaf.Equal(h.Leaf.Cert) || len(m.Chain) != 2 || !m.Chain[0].Equal(h.Intermediates[0].Cert) {
				t.Errorf("wrong leaf or chain (%d)", len(m.Chain))
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		dir := t.TempDir()
		_, err := Load(LoadOptions{AcmeDir: dir, Domain: "nope.example.com"})
		if !errors.Is(err, ErrLayoutNotFound) {
			t.Fatalf("got %v, want ErrLayoutNotFound", err)
		}
		for _, p := range []string{"certificates/nope.example.com.crt", "live/nope.example.com/fullchain.pem", "nope.example.com_ecc/nope.example.com.cer", "nope.example.com/nope.example.com.cer"} {
			if !strings.Contains(err.Error(), filepath.Join(dir, p)) {
				t.Errorf("error %q does not list %s", err, p)
			}
		}
	})
	t.Run("domain with slash", func(t *testing.T) {
		if _, err := Load(LoadOptions{AcmeDir: t.TempDir(), Domain: "../etc"}); err == nil || !isPackageError(err) {
			t.Errorf("got %v, want an error with a hint", err)
		}
	})
}

func pemDecode(b []byte) ([]byte, []byte) {
	i := bytes.Index(b, []byte("-----BEGIN"))
	if i < 0 {
		return nil, b
	}
	blk, rest := pemBlock(b[i:])
	return blk, rest
}
