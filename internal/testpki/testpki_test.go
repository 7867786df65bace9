package testpki

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func parseAll(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestHierarchyVerifies(t *testing.T) {
	for _, n := range []int{-1, 1, 2} {
		h, err := New(Options{Intermediates: n, Leaf: LeafOptions{DNSNames: []string{"a.example.com"}, KeyType: RSA2048}})
		if err != nil {
			t.Fatal(err)
		}
		roots, inter := x509.NewCertPool(), x509.NewCertPool()
		roots.AddCert(h.Root.Cert)
		for _, c := range h.Chain() {
			inter.AddCert(c)
		}
		if _, err := h.Leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "a.example.com"}); err != nil {
			t.Errorf("%d intermediates: %v", n, err)
		}
		if want := max(n, 0); len(h.Chain()) != want {
			t.Errorf("chain length: got %d, want %d", len(h.Chain()), want)
		}
		if len(h.Chain()) > 0 && h.Chain()[0].Subject.String() != h.Leaf.Cert.Issuer.String() {
			t.Errorf("chain is not issuer first")
		}
		if h.Leaf.Cert.Subject.CommonName != "a.example.com" {
			t.Errorf("CN: got %q", h.Leaf.Cert.Subject.CommonName)
		}
	}
}

func TestEmptySubjectAndExpiry(t *testing.T) {
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	h, err := New(Options{Now: now, Leaf: LeafOptions{DNSNames: []string{"x.example.com"}, EmptySubject: true,
		NotBefore: now.AddDate(0, 0, -30), NotAfter: now.AddDate(0, 0, -1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Leaf.Cert.RawSubject) == 0 || h.Leaf.Cert.Subject.String() != "" {
		t.Errorf("subject: got %q", h.Leaf.Cert.Subject.String())
	}
	if !h.Leaf.Cert.NotAfter.Before(now) {
		t.Errorf("NotAfter %v not before %v", h.Leaf.Cert.NotAfter, now)
	}
}

func TestLayouts(t *testing.T) {
	h, err := New(Options{Intermediates: 2, Leaf: LeafOptions{DNSNames: []string{"*.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lego, err := h.WriteLego(dir, "*.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "certificates", "_.example.com.crt"); lego.Certificate != want {
		t.Errorf("lego cert path: got %q, want %q", lego.Certificate, want)
	}
	if got := len(parseAll(t, lego.Certificate)); got != 3 {
		t.Errorf("lego .crt holds %d certificates, want leaf + 2 intermediates", got)
	}
	cb, err := h.WriteCertbot(dir, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(cb.Certificate); err != nil || l != filepath.Join("..", "..", "archive", "example.com", "cert1.pem") {
		t.Errorf("certbot cert.pem link: %q %v", l, err)
	}
	if got := len(parseAll(t, cb.FullChain)); got != 3 {
		t.Errorf("certbot fullchain holds %d", got)
	}
	as, err := h.WriteAcmeSh(dir, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(as.Dir) != "example.com_ecc" {
		t.Errorf("acme.sh dir for ECDSA: got %q", as.Dir)
	}
	fi, err := os.Stat(as.Key)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("acme.sh key mode: %v %v", fi, err)
	}
}

func TestKeyFormats(t *testing.T) {
	for _, tc := range []struct {
		kt    KeyType
		f     KeyFormat
		block string
		ok    bool
	}{
		{ECDSAP256, SEC1, "EC PRIVATE KEY", true},
		{ECDSAP384, PKCS8, "PRIVATE KEY", true},
		{RSA2048, PKCS1, "RSA PRIVATE KEY", true},
		{Ed25519, PKCS8, "PRIVATE KEY", true},
		{RSA2048, SEC1, "", false},
		{ECDSAP256, PKCS1, "", false},
	} {
		k, err := NewKey(tc.kt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := KeyPEM(k, tc.f)
		if (err == nil) != tc.ok {
			t.Errorf("%s/%s: err %v, want ok=%v", tc.kt, tc.f, err, tc.ok)
			continue
		}
		if tc.ok {
			if blk, _ := pem.Decode(b); blk == nil || blk.Type != tc.block {
				t.Errorf("%s/%s: block %v, want %q", tc.kt, tc.f, blk, tc.block)
			}
		}
	}
}
