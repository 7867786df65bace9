package signer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// SignFixedString signs the official helper's test string, the one its
// sign-string command signs; anyone with the public key can rebuild the
// string with FixedStringToSign and verify the signature.
func ExampleSignFixedString() {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := signer.ParseDigest("SHA384")
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := signer.SignFixedString(rand.Reader, key, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := signer.FixedStringToSign(&key.PublicKey)
	sum := sha512.Sum384(msg)
	fmt.Printf("%q...\n", msg[:50])
	fmt.Println("verifies:", ecdsa.VerifyASN1(&key.PublicKey, sum[:], sig), h == crypto.SHA384)
	// Output:
	// "AWS Roles Anywhere Credential Helper Signing Test1"...
	// verifies: true true
}
