package signer

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestLoadPKCS12 loads leaf, chain and key from one PKCS#12 file in the
// encodings go-pkcs12 writes (openssl's own files are in interop/): the
// modern AES-256/PBKDF2 one, the legacy 3DES one and a passwordless one;
// the file serves as both the certificate and the key.
func TestLoadPKCS12(t *testing.T) {
	h := newPKI(t, testpki.Options{Intermediates: 2, Leaf: testpki.LeafOptions{KeyType: testpki.RSA2048}})
	chain := h.Chain()
	for _, tc := range []struct {
		name     string
		enc      *pkcs12.Encoder
		password string
	}{
		{"modern2023", pkcs12.Modern2023, "pw"},
		{"modern2023 empty password", pkcs12.Modern2023, ""},
		{"legacy des", pkcs12.LegacyDES, "pw"},
		{"passwordless", pkcs12.Passwordless, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The CA certificates first: the leaf is found by its key.
			pfx, err := tc.enc.Encode(h.Leaf.Key, h.Leaf.Cert, chain, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, t.TempDir(), "id.p12", pfx, 0o600)
			m, err := Load(LoadOptions{Certificate: p, PrivateKey: p, Password: []byte(tc.password)})
			if err != nil {
				t.Fatal(err)
			}
			if !m.Leaf.Equal(h.Leaf.Cert) || !samePublicKey(m.Key.Public(), h.Leaf.Key.Public()) {
				t.Fatal("loaded a different leaf or key")
			}
			if len(m.Chain) != len(chain) || !m.Chain[0].Equal(chain[0]) {
				t.Errorf("chain: got %d certificates, want %d, the leaf's issuer first", len(m.Chain), len(chain))
			}
			d, err := ReadCertificateData(p, []byte(tc.password))
			if err != nil || d.SerialNumber != h.Leaf.Cert.SerialNumber.String() {
				t.Errorf("ReadCertificateData: %+v, %v", d, err)
			}
			if tc.password == "" {
				// A password given for something else does not stop an
				// unprotected file.
				if _, err := Load(LoadOptions{Certificate: p, PrivateKey: p, Password: []byte("other")}); err != nil {
					t.Errorf("with an unneeded password: %v", err)
				}
				return
			}
			if _, err := Load(LoadOptions{Certificate: p, PrivateKey: p}); !errors.Is(err, ErrKeyPasswordRequired) {
				t.Errorf("no password: got %v, want ErrKeyPasswordRequired", err)
			}
			if _, err := Load(LoadOptions{Certificate: p, PrivateKey: p, Password: []byte("wrong")}); !errors.Is(err, ErrKeyPassword) {
				t.Errorf("wrong password: got %v, want ErrKeyPassword", err)
			}
		})
	}
}

func TestPKCS12Errors(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	// A trust store: certificates only, no key.
	ts, err := pkcs12.Modern2023.EncodeTrustStore(h.Chain(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !isPKCS12(ts) {
		t.Fatal("a trust store is not recognised as PKCS#12")
	}
	if _, err := ParsePrivateKey(ts, nil); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("trust store: got %v, want ErrNoCertificate", err)
	}
	for _, b := range [][]byte{testpki.CertPEM(h.Leaf.Cert), h.Leaf.Cert.Raw, {0x30, 0x03, 0x02, 0x01, 0x03}, nil} {
		if isPKCS12(b) {
			t.Errorf("isPKCS12(%.20q): true", b)
		}
	}
}

// FuzzParsePKCS12 feeds arbitrary bytes to the PKCS#12 path: no panic, and
// a key and certificates only without an error.
func FuzzParsePKCS12(f *testing.F) {
	h := newPKI(f, testpki.Options{Intermediates: 1})
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern2023.WithIterations(1), pkcs12.Passwordless} {
		pfx, err := enc.Encode(h.Leaf.Key, h.Leaf.Cert, h.Chain(), "")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pfx, []byte(""))
		f.Add(pfx, []byte("x"))
	}
	f.Fuzz(func(t *testing.T, b, password []byte) {
		if !isPKCS12(b) || maxIterationCount(b, 0) > 1<<12 {
			// Millions of iterations are allowed, and slow: they would
			// stall the fuzzer (TestPKCS12IterationBound checks the bound).
			return
		}
		k, certs, err := parsePKCS12(b, password)
		if (err == nil) != (k != nil && len(certs) > 0) {
			t.Fatalf("key %v, %d certificates, error %v", k != nil, len(certs), err)
		}
	})
}

func TestPKCS12IterationBound(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	ok, err := pkcs12.Modern2023.Encode(h.Leaf.Key, h.Leaf.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if n := maxIterationCount(ok, 0); n != 2048 {
		t.Errorf("Modern2023 file: largest iteration count %d, want 2048", n)
	}
	// With the MAC's count (the last INTEGER of the file) set to 1, the
	// key and certificate bags' PBKDF2 counts are still found.
	if i := bytes.LastIndex(ok, []byte{0x02, 0x02, 0x08, 0x00}); i != len(ok)-4 {
		t.Fatalf("MAC iteration count not at the end of the file (%d of %d)", i, len(ok))
	}
	ok[len(ok)-2], ok[len(ok)-1] = 0, 1
	if n := maxIterationCount(ok, 0); n != 2048 {
		t.Errorf("Modern2023 file, MAC count 1: largest iteration count %d, want the bags' 2048", n)
	}
	// A PFX whose MAC asks for 2^30 iterations: refused before any key
	// derivation.
	type digestInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	type macData struct {
		Mac        digestInfo
		Salt       []byte
		Iterations int
	}
	authSafe, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
	big, err := asn1.Marshal(struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  macData
	}{3, asn1.RawValue{FullBytes: append([]byte{0x30, byte(len(authSafe))}, authSafe...)},
		macData{digestInfo{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}}, make([]byte, 32)}, make([]byte, 8), 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	if !isPKCS12(big) {
		t.Fatal("the crafted PFX is not recognised")
	}
	if _, err := ParsePrivateKey(big, []byte("pw")); !errors.Is(err, ErrUnsupportedEncryption) {
		t.Errorf("2^30 iterations: got %v, want ErrUnsupportedEncryption", err)
	}
}
