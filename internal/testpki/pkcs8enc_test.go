package testpki_test

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

func TestEncryptedPKCS8PEM(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			k, err := testpki.NewKey(kt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := testpki.EncryptedPKCS8PEM(k, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			blk, _ := pem.Decode(b)
			if blk == nil || blk.Type != "ENCRYPTED PRIVATE KEY" {
				t.Fatalf("got %q", b)
			}
			plain, err := testpki.KeyPEM(k, testpki.PKCS8)
			if err != nil {
				t.Fatal(err)
			}
			pblk, _ := pem.Decode(plain)
			if bytes.Contains(blk.Bytes, pblk.Bytes[len(pblk.Bytes)-32:]) {
				t.Fatal("the encrypted block contains the plain key")
			}
			got, err := signer.ParsePrivateKey(b, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(got.Public()) {
				t.Error("decrypted a different key")
			}
			b2, err := testpki.EncryptedPKCS8PEM(k, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(b, b2) {
				t.Error("two encryptions are identical: salt or IV not random")
			}
		})
	}
}

// TestEncryptedPKCS8PEMScheme checks that each scheme names what it was
// asked for (the decryption round trip is in signer's tests; OpenSSL reads
// these in interop/).
func TestEncryptedPKCS8PEMScheme(t *testing.T) {
	k, err := testpki.NewKey(testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		s    testpki.PKCS8Scheme
		want []byte // DER of an OID the file must contain
	}{
		{testpki.PKCS8Scheme{KDF: "scrypt"}, []byte{0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b}},
		{testpki.PKCS8Scheme{PRF: crypto.SHA512}, []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b}},
		{testpki.PKCS8Scheme{PRF: crypto.SHA384, KeyBits: 128}, []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02}},
	} {
		b, err := testpki.EncryptedPKCS8PEMScheme(k, []byte("pw"), tc.s)
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil || !bytes.Contains(blk.Bytes, tc.want) {
			t.Errorf("%+v: the file lacks OID % x", tc.s, tc.want)
		}
		if _, err := signer.ParsePrivateKey(b, []byte("pw")); err != nil {
			t.Errorf("%+v: %v", tc.s, err)
		}
	}
	for _, bad := range []testpki.PKCS8Scheme{{KDF: "argon2"}, {KeyBits: 512}, {PRF: crypto.MD5}} {
		if _, err := testpki.EncryptedPKCS8PEMScheme(k, []byte("pw"), bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
