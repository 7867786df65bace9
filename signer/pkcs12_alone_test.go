package signer

import (
	"errors"
	"path/filepath"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestPKCS12CertificateAlone: a .p12/.pfx certificate needs no private key
// path (the official helper reads a PKCS#12 --certificate alone); any
// other certificate still does.
func TestPKCS12CertificateAlone(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	pfx, err := pkcs12.Modern2023.Encode(h.Leaf.Key, h.Leaf.Cert, h.Chain(), "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"id.p12", "ID.PFX"} {
		p := writeFile(t, dir, name, pfx, 0o600)
		f, err := Locate(LoadOptions{Certificate: p})
		if err != nil || f.PrivateKey != p {
			t.Fatalf("%s: Locate = %+v, %v; want the certificate file as the key file", name, f, err)
		}
		m, err := Load(LoadOptions{Certificate: p})
		if err != nil || !m.Leaf.Equal(h.Leaf.Cert) || len(m.Chain) != 1 {
			t.Fatalf("%s: Load = %v", name, err)
		}
	}
	pem := writePlain(t, h)
	if _, err := Locate(LoadOptions{Certificate: pem.Certificate}); !errors.Is(err, ErrNoPrivateKeyPath) {
		t.Errorf("PEM without a key: got %v, want ErrNoPrivateKeyPath", err)
	}
	for path, want := range map[string]bool{"a.p12": true, "a.PfX": true, filepath.Join("d.p12", "leaf.pem"): false, "a.pem": false, "p12": false} {
		if got := KeyInCertificateFile(path); got != want {
			t.Errorf("KeyInCertificateFile(%q) = %v, want %v", path, got, want)
		}
	}
}
