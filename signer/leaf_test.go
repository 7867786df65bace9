package signer

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func TestReadLeafCertificate(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	dir := t.TempDir()
	for name, tt := range map[string]struct {
		pem  []byte
		want string
	}{
		"leaf alone":           {testpki.CertPEM(h.Leaf.Cert), h.Leaf.Cert.Subject.String()},
		"full chain":           {testpki.CertPEM(append([]*x509.Certificate{h.Leaf.Cert}, h.Chain()...)...), h.Leaf.Cert.Subject.String()},
		"chain, leaf last":     {testpki.CertPEM(append(h.Chain(), h.Leaf.Cert)...), h.Leaf.Cert.Subject.String()},
		"CA certificates only": {testpki.CertPEM(h.Intermediates[0].Cert, h.Root.Cert), h.Intermediates[0].Cert.Subject.String()},
	} {
		p := filepath.Join(dir, "c.pem")
		if err := os.WriteFile(p, tt.pem, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := ReadLeafCertificate(p)
		if err != nil || c.Subject.String() != tt.want {
			t.Errorf("%s: got %v, %v, want %s", name, c, err, tt.want)
		}
	}
	_, err := ReadLeafCertificate(filepath.Join(dir, "missing.pem"))
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: got %v, want a *FileError", err)
	}
}
