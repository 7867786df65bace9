package signer

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestDecryptOpenSSLSchemes decrypts keys OpenSSL 3 encrypted with scrypt
// and with PBKDF2 over HMAC-SHA224/256/384/512 (testdata/README).
func TestDecryptOpenSSLSchemes(t *testing.T) {
	pubPEM, err := os.ReadFile("testdata/openssl-p256.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pemDecode(pubPEM)
	pub, err := x509.ParsePKIXPublicKey(blk)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"openssl-p256-scrypt.pem", "openssl-p256-aes128-sha384.pem", "openssl-p256-aes256-sha512.pem", "openssl-p256-aes192-sha224.pem", "openssl-p256-default.pem"} {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			k, err := ParsePrivateKey(b, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if !samePublicKey(pub, k.Public()) {
				t.Error("decrypted key does not match the public key")
			}
			if _, err := ParsePrivateKey(b, []byte("pW")); !errors.Is(err, ErrKeyPassword) {
				t.Errorf("wrong password: got %v, want ErrKeyPassword", err)
			}
		})
	}
}

// TestDecryptSchemes round-trips every scheme testpki writes.
func TestDecryptSchemes(t *testing.T) {
	key, err := testpki.NewKey(testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	var schemes []testpki.PKCS8Scheme
	for _, bits := range []int{128, 192, 256} {
		schemes = append(schemes, testpki.PKCS8Scheme{KDF: "scrypt", KeyBits: bits})
		for _, prf := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			schemes = append(schemes, testpki.PKCS8Scheme{PRF: prf, KeyBits: bits})
		}
	}
	for _, s := range schemes {
		b, err := testpki.EncryptedPKCS8PEMScheme(key, []byte("correct horse"), s)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ParsePrivateKey(b, []byte("correct horse"))
		if err != nil {
			t.Errorf("%+v: %v", s, err)
			continue
		}
		if !samePublicKey(k.Public(), key.Public()) {
			t.Errorf("%+v: a different key", s)
		}
		if _, err := ParsePrivateKey(b, []byte("wrong")); !errors.Is(err, ErrKeyPassword) {
			t.Errorf("%+v, wrong password: got %v, want ErrKeyPassword", s, err)
		}
	}
}

// TestScryptBounds refuses scrypt parameters that would ask for too much
// memory or time, or are malformed, before deriving anything.
func TestScryptBounds(t *testing.T) {
	key, err := testpki.NewKey(testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	b, err := testpki.EncryptedPKCS8PEMScheme(key, []byte("pw"), testpki.PKCS8Scheme{KDF: "scrypt"})
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	// withParams re-encodes the key with other scrypt parameters.
	withParams := func(n, r, p int) []byte {
		var info encryptedPrivateKeyInfo
		var params pbes2Params
		var sp scryptParams
		if _, err := asn1.Unmarshal(blk.Bytes, &info); err != nil {
			t.Fatal(err)
		}
		if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
			t.Fatal(err)
		}
		if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &sp); err != nil {
			t.Fatal(err)
		}
		sp.CostParameter, sp.BlockSize, sp.ParallelizationParameter = n, r, p
		spDER, _ := asn1.Marshal(sp)
		params.KeyDerivationFunc.Parameters = asn1.RawValue{FullBytes: spDER}
		pDER, _ := asn1.Marshal(params)
		info.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: pDER}}
		der, err := asn1.Marshal(info)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if _, err := decryptPKCS8(withParams(testpki.ScryptN, testpki.ScryptR, testpki.ScryptP), []byte("pw")); err != nil {
		t.Fatalf("re-encoded with the same parameters: %v", err)
	}
	for _, tc := range []struct{ n, r, p int }{
		{1 << 30, 8, 1},  // 128 GiB
		{1 << 20, 8, 1},  // 1 GiB
		{1 << 18, 8, 64}, // 256 MiB, 16 GiB of work
		{1000, 8, 1},     // not a power of 2
		{1, 8, 1},
		{1 << 10, 0, 1},
		{1 << 10, 8, 0},
		{1 << 10, 1000, 1},
		{-(1 << 10), 8, 1},
	} {
		if _, err := decryptPKCS8(withParams(tc.n, tc.r, tc.p), []byte("pw")); !errors.Is(err, ErrUnsupportedEncryption) {
			t.Errorf("N=%d r=%d p=%d: got %v, want ErrUnsupportedEncryption", tc.n, tc.r, tc.p, err)
		}
	}
}
