package testpki

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// PBKDF2Iterations is the iteration count EncryptedPKCS8PEM uses: low, as
// befits throwaway test keys (OpenSSL's default is 2048).
const PBKDF2Iterations = 2048

var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// EncryptedPKCS8PEM encodes key as an "ENCRYPTED PRIVATE KEY" PEM block:
// PKCS#8 encrypted with PBES2 (RFC 8018), PBKDF2-HMAC-SHA256 and
// AES-256-CBC, as `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf
// hmacWithSHA256` writes it.
func EncryptedPKCS8PEM(key crypto.Signer, password []byte) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("testpki: marshal PKCS#8: %w", err)
	}
	salt := make([]byte, 16)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	k, err := pbkdf2.Key(sha256.New, string(password), salt, PBKDF2Iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("testpki: pbkdf2: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	n := aes.BlockSize - len(der)%aes.BlockSize
	pt := append(der, make([]byte, n)...)
	for i := len(der); i < len(pt); i++ {
		pt[i] = byte(n)
	}
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, pt)

	kdfParams, err := asn1.Marshal(struct {
		Salt           []byte
		IterationCount int
		KeyLength      int
		PRF            pkix.AlgorithmIdentifier
	}{salt, PBKDF2Iterations, 32, pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	pbes2, err := asn1.Marshal(struct {
		KeyDerivationFunc pkix.AlgorithmIdentifier
		EncryptionScheme  pkix.AlgorithmIdentifier
	}{
		pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	out, err := asn1.Marshal(struct {
		Algorithm     pkix.AlgorithmIdentifier
		EncryptedData []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: pbes2}}, ct})
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: out}), nil
}
