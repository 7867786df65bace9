package signer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// wantFixedString builds the official helper's test string independently of
// FixedStringToSign: the EC point and the PKCS#1 key by hand.
func wantFixedString(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	var keyBytes []byte
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		//lint:ignore SA1019 the point is built by hand on purpose, independently of PublicKey.Bytes
		keyBytes = append([]byte{4}, k.X.FillBytes(make([]byte, n))...)
		//lint:ignore SA1019 as above
		keyBytes = append(keyBytes, k.Y.FillBytes(make([]byte, n))...)
	case *rsa.PublicKey:
		b, err := asn1.Marshal(struct {
			N *big.Int
			E int
		}{k.N, k.E})
		if err != nil {
			t.Fatal(err)
		}
		keyBytes = b
	default:
		t.Fatalf("key %T", pub)
	}
	sum := sha256.Sum256(append([]byte("IAM RA"), keyBytes...))
	return append([]byte("AWS Roles Anywhere Credential Helper Signing Test1"), sum[:]...)
}

func TestSignFixedString(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.RSA4096, testpki.ECDSAP256, testpki.ECDSAP384} {
		key, err := testpki.NewKey(kt)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := FixedStringToSign(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		if want := wantFixedString(t, key.Public()); !bytes.Equal(msg, want) {
			t.Fatalf("%s: fixed string\ngot  %q\nwant %q", kt, msg, want)
		}
		for _, name := range Digests {
			t.Run(string(kt)+"/"+name, func(t *testing.T) {
				h, err := ParseDigest(name)
				if err != nil {
					t.Fatal(err)
				}
				sig, err := SignFixedString(rand.Reader, key, h)
				if err != nil {
					t.Fatal(err)
				}
				d := h.New()
				d.Write(msg)
				switch pub := key.Public().(type) {
				case *rsa.PublicKey:
					if err := rsa.VerifyPKCS1v15(pub, h, d.Sum(nil), sig); err != nil {
						t.Errorf("RSA signature does not verify: %v", err)
					}
					again, err := SignFixedString(rand.Reader, key, h)
					if err != nil || !bytes.Equal(again, sig) {
						t.Errorf("RSA PKCS#1 v1.5 signature differs on a second call (err %v)", err)
					}
				case *ecdsa.PublicKey:
					if !ecdsa.VerifyASN1(pub, d.Sum(nil), sig) {
						t.Error("ECDSA signature does not verify")
					}
					other := sha256.Sum256(msg)
					if h != crypto.SHA256 && ecdsa.VerifyASN1(pub, other[:], sig) {
						t.Error("ECDSA signature verifies over SHA-256 too: the digest was ignored")
					}
				}
			})
		}
	}
}

func TestSignStringErrors(t *testing.T) {
	for _, name := range []string{"", "sha256", "SHA1", "MD5", "SHA3-256"} {
		if _, err := ParseDigest(name); !errors.Is(err, ErrUnsupportedDigest) {
			t.Errorf("ParseDigest(%q): got %v, want ErrUnsupportedDigest", name, err)
		}
	}
	ed, err := testpki.NewKey(testpki.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FixedStringToSign(ed.Public()); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("FixedStringToSign(Ed25519): got %v, want ErrUnsupportedKey", err)
	}
	if _, err := SignString(rand.Reader, ed, []byte("x"), crypto.SHA256); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("SignString(Ed25519): got %v, want ErrUnsupportedKey", err)
	}
}

func TestReadCertificateData(t *testing.T) {
	for _, tc := range []struct {
		kt      testpki.KeyType
		keyType string
	}{{testpki.RSA2048, "RSA"}, {testpki.ECDSAP384, "EC"}} {
		t.Run(tc.keyType, func(t *testing.T) {
			h := newPKI(t, testpki.Options{Intermediates: 1, Leaf: testpki.LeafOptions{KeyType: tc.kt}})
			f := writePlain(t, h)
			// The full chain: the first certificate is described.
			d, err := ReadCertificateData(f.FullChain, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := CertificateData{
				KeyType:             tc.keyType,
				CertificateData:     base64.StdEncoding.EncodeToString(h.Leaf.Cert.Raw),
				SerialNumber:        h.Leaf.Cert.SerialNumber.String(),
				SupportedAlgorithms: []string{tc.keyType + "SHA256", tc.keyType + "SHA384", tc.keyType + "SHA512"},
			}
			if d.KeyType != want.KeyType || d.CertificateData != want.CertificateData || d.SerialNumber != want.SerialNumber ||
				len(d.SupportedAlgorithms) != 3 || d.SupportedAlgorithms[0] != want.SupportedAlgorithms[0] || d.SupportedAlgorithms[2] != want.SupportedAlgorithms[2] {
				t.Errorf("got %+v, want %+v", d, want)
			}
		})
	}
	dir := t.TempDir()
	h := newPKI(t, testpki.Options{})
	keyFile := writeFile(t, dir, "key.pem", keyPEM(t, h.Leaf.Key, testpki.PKCS8), 0o600)
	if _, err := ReadCertificateData(keyFile, nil); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("a key file: got %v, want ErrNoCertificate", err)
	}
	if _, err := ReadCertificateData(filepath.Join(dir, "missing.pem"), nil); err == nil {
		t.Error("a missing file: no error")
	}
}

func TestLoadPrivateKey(t *testing.T) {
	dir := t.TempDir()
	h := newPKI(t, testpki.Options{})
	enc, err := testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, dir, "enc.pem", enc, 0o600)
	k, err := LoadPrivateKey(p, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !samePublicKey(k.Public(), h.Leaf.Key.Public()) {
		t.Error("a different key")
	}
	if _, err := LoadPrivateKey(p, nil); !errors.Is(err, ErrKeyPasswordRequired) {
		t.Errorf("no password: got %v, want ErrKeyPasswordRequired", err)
	}
	cert := writeFile(t, dir, "leaf.pem", testpki.CertPEM(h.Leaf.Cert), 0o644)
	if _, err := LoadPrivateKey(cert, nil); !errors.Is(err, ErrNoPrivateKey) {
		t.Errorf("a certificate file: got %v, want ErrNoPrivateKey", err)
	}
}
