package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strconv"

	// The digests SignString offers must be linked in for crypto.Hash.New.
	_ "crypto/sha512"
)

// SignStringTestVersion is the version number inside the fixed test string
// of the official helper's sign-string (v1.7.3 and later).
const SignStringTestVersion = 1

// signStringTestPrefix starts the fixed test string.
const signStringTestPrefix = "AWS Roles Anywhere Credential Helper Signing Test"

// ErrUnsupportedDigest: a digest name other than SHA256, SHA384 or SHA512.
var ErrUnsupportedDigest = errors.New("unsupported digest")

// Digests are the digest names sign-string accepts, in the official
// helper's order; the first is its default.
var Digests = []string{"SHA256", "SHA384", "SHA512"}

// ParseDigest maps a digest name of Digests (exact, upper case, as the
// official helper takes it) to its hash.
func ParseDigest(name string) (crypto.Hash, error) {
	switch name {
	case "SHA256":
		return crypto.SHA256, nil
	case "SHA384":
		return crypto.SHA384, nil
	case "SHA512":
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("%w %q (want SHA256, SHA384 or SHA512)", ErrUnsupportedDigest, name)
}

// FixedStringToSign is the string the official helper's sign-string signs
// for a key with public key pub:
//
//	"AWS Roles Anywhere Credential Helper Signing Test" || "1" ||
//	SHA-256("IAM RA" || public key bytes)
//
// where the version is written in decimal, the digest is its 32 raw bytes,
// and the public key bytes are the uncompressed point (SEC 1) of an ECDSA
// key or the PKCS#1 RSAPublicKey DER of an RSA key. It fails with
// ErrUnsupportedKey for other keys.
func FixedStringToSign(pub crypto.PublicKey) ([]byte, error) {
	var keyBytes []byte
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		b, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: ECDSA public key: %v", ErrUnsupportedKey, err)
		}
		keyBytes = b
	case *rsa.PublicKey:
		keyBytes = x509.MarshalPKCS1PublicKey(k)
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedKey, keyTypeName(pub))
	}
	sum := sha256.Sum256(append([]byte("IAM RA"), keyBytes...))
	out := append([]byte(signStringTestPrefix), strconv.Itoa(SignStringTestVersion)...)
	return append(out, sum[:]...), nil
}

// SignString signs msg with key over its digest h: RSA PKCS#1 v1.5 (the
// same bytes every time) or ECDSA with an ASN.1 DER signature (random, from
// rand). Keys other than RSA and ECDSA fail with ErrUnsupportedKey.
func SignString(rand io.Reader, key crypto.Signer, msg []byte, h crypto.Hash) ([]byte, error) {
	switch key.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedKey, keyTypeName(key.Public()))
	}
	if !h.Available() {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedDigest, h)
	}
	d := h.New()
	d.Write(msg)
	sig, err := key.Sign(rand, d.Sum(nil), h)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig, nil
}

// SignFixedString signs FixedStringToSign of key's public key, as the
// official helper's sign-string does.
func SignFixedString(rand io.Reader, key crypto.Signer, h crypto.Hash) ([]byte, error) {
	msg, err := FixedStringToSign(key.Public())
	if err != nil {
		return nil, err
	}
	return SignString(rand, key, msg, h)
}

// LoadPrivateKey reads the private key file at path as Load does (PEM
// PKCS#8, SEC1, PKCS#1, encrypted PKCS#8 decrypted with password, or a
// PKCS#12 file's key) without a certificate or any check of it: for
// diagnostics such as sign-string. Errors name the file, never the key or
// the password.
func LoadPrivateKey(path string, password []byte) (crypto.Signer, error) {
	b, err := readFile("private key", path)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(b, password)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("private key %q: %w", path, err)
	}
	return key, nil
}
