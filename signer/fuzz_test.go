package signer

import (
	"encoding/pem"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func pemBlock(b []byte) ([]byte, []byte) {
	blk, rest := pem.Decode(b)
	if blk == nil {
		return nil, rest
	}
	return blk.Bytes, rest
}

// FuzzParseCertificates feeds arbitrary bytes to the certificate parser and
// the chain builder: no panic, and every result is a certificate.
func FuzzParseCertificates(f *testing.F) {
	h := newPKI(f, testpki.Options{Intermediates: 2})
	f.Add(testpki.CertPEM(h.Leaf.Cert, h.Intermediates[0].Cert, h.Intermediates[1].Cert, h.Root.Cert))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		certs, err := ParseCertificates(b)
		if err != nil {
			if certs != nil {
				t.Fatal("certificates with an error")
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		chain, dropped := OrderChain(certs[0], certs[1:])
		if len(chain)+len(dropped) > len(certs)-1 {
			t.Fatalf("chain %d + dropped %d from %d others", len(chain), len(dropped), len(certs)-1)
		}
	})
}

// FuzzParsePrivateKey feeds arbitrary PEM to the key parser, including
// encrypted PKCS#8: no panic, and a key only without an error.
func FuzzParsePrivateKey(f *testing.F) {
	h := newPKI(f, testpki.Options{})
	for _, kf := range []testpki.KeyFormat{testpki.PKCS8, testpki.SEC1} {
		b, err := testpki.KeyPEM(h.Leaf.Key, kf)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte(""))
	}
	enc, err := testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte("pw"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc, []byte("pw"))
	f.Add(enc, []byte("wrong"))
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"), []byte("x"))
	f.Fuzz(func(t *testing.T, b, password []byte) {
		k, err := ParsePrivateKey(b, password)
		if (k == nil) == (err == nil) {
			t.Fatalf("key %v with error %v", k, err)
		}
	})
}

// FuzzDecryptPKCS8 feeds arbitrary DER to the PBES2 decryption: no panic,
// and plaintext only without an error.
func FuzzDecryptPKCS8(f *testing.F) {
	h := newPKI(f, testpki.Options{})
	enc, err := testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte("pw"))
	if err != nil {
		f.Fatal(err)
	}
	der, _ := pemBlock(enc)
	f.Add(der, []byte("pw"))
	f.Add(der, []byte("wrong"))
	f.Add([]byte{0x30, 0x00}, []byte("x"))
	f.Fuzz(func(t *testing.T, der, password []byte) {
		pt, err := decryptPKCS8(der, password)
		if (pt == nil) == (err == nil) && !(err == nil && len(pt) == 0) {
			t.Fatalf("plaintext %d bytes with error %v", len(pt), err)
		}
	})
}
