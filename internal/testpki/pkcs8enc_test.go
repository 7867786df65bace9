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
