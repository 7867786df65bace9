package tpm_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TestGenerateKeyFileCSR: a key file GenerateKeyFile wrote gives a CSR
// that verifies, and a second GenerateKeyFile does not overwrite it.
func TestGenerateKeyFileCSR(t *testing.T) {
	sim := swtpmtest.Start(t)
	o := tpm.KeyOptions{Device: sim.Device()}
	p := filepath.Join(t.TempDir(), "k.pem")
	if err := tpm.GenerateKeyFile(p, o, tpm.KeyECDSAP256); err != nil {
		t.Fatal(err)
	}
	if err := tpm.GenerateKeyFile(p, o, tpm.KeyECDSAP256); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second GenerateKeyFile: got %v, want fs.ErrExist", err)
	}
	b, err := tpm.ReadKeyCertificateRequest(p, o, []string{"host.example.com", "www.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("not a PEM CSR:\n%s", b)
	}
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Errorf("CSR signature: %v", err)
	}
	if csr.Subject.CommonName != "host.example.com" || len(csr.DNSNames) != 2 {
		t.Errorf("CSR for %q %v", csr.Subject.CommonName, csr.DNSNames)
	}
}
