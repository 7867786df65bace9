package testpki

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"hash"

	"golang.org/x/crypto/scrypt"
)

// PBKDF2Iterations is the iteration count EncryptedPKCS8PEM uses: low, as
// befits throwaway test keys (OpenSSL's default is 2048).
const PBKDF2Iterations = 2048

// ScryptN, ScryptR and ScryptP are the scrypt parameters of
// PKCS8Scheme{KDF: "scrypt"}: a low cost for throwaway test keys (OpenSSL's
// -scrypt writes N=16384, r=8, p=1).
const (
	ScryptN = 1 << 10
	ScryptR = 8
	ScryptP = 1
)

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMAC   = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 2, 840, 113549, 2, 7},
		crypto.SHA224: {1, 2, 840, 113549, 2, 8},
		crypto.SHA256: {1, 2, 840, 113549, 2, 9},
		crypto.SHA384: {1, 2, 840, 113549, 2, 10},
		crypto.SHA512: {1, 2, 840, 113549, 2, 11},
	}
	hashNew = map[crypto.Hash]func() hash.Hash{
		crypto.SHA1: sha1.New, crypto.SHA224: sha256.New224, crypto.SHA256: sha256.New,
		crypto.SHA384: sha512.New384, crypto.SHA512: sha512.New,
	}
	oidAESCBC = map[int]asn1.ObjectIdentifier{
		128: {2, 16, 840, 1, 101, 3, 4, 1, 2},
		192: {2, 16, 840, 1, 101, 3, 4, 1, 22},
		256: {2, 16, 840, 1, 101, 3, 4, 1, 42},
	}
)

// PKCS8Scheme says how EncryptedPKCS8PEMScheme encrypts a key with PBES2
// (RFC 8018). The zero value is OpenSSL 3's default: PBKDF2 with
// HMAC-SHA256 and AES-256-CBC.
type PKCS8Scheme struct {
	// KDF is "pbkdf2" (or "") or "scrypt" (RFC 7914, with ScryptN/R/P).
	KDF string
	// PRF is PBKDF2's HMAC hash: crypto.SHA1, SHA224, SHA256 (0 means
	// SHA256), SHA384 or SHA512. Ignored with scrypt.
	PRF crypto.Hash
	// KeyBits is the AES-CBC key size: 128, 192 or 256 (0 means 256).
	KeyBits int
}

// EncryptedPKCS8PEM encodes key as an "ENCRYPTED PRIVATE KEY" PEM block:
// PKCS#8 encrypted with PBES2 (RFC 8018), PBKDF2-HMAC-SHA256 and
// AES-256-CBC, as `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf
// hmacWithSHA256` writes it.
func EncryptedPKCS8PEM(key crypto.Signer, password []byte) ([]byte, error) {
	return EncryptedPKCS8PEMScheme(key, password, PKCS8Scheme{})
}

// EncryptedPKCS8PEMScheme is EncryptedPKCS8PEM with the scheme s, as
// `openssl pkcs8 -topk8` writes it with -scrypt, -v2prf hmacWithSHA* and
// -v2 aes-*-cbc. Salt and IV are random.
func EncryptedPKCS8PEMScheme(key crypto.Signer, password []byte, s PKCS8Scheme) ([]byte, error) {
	if s.KeyBits == 0 {
		s.KeyBits = 256
	}
	if s.PRF == 0 {
		s.PRF = crypto.SHA256
	}
	encOID, ok := oidAESCBC[s.KeyBits]
	if !ok {
		return nil, fmt.Errorf("testpki: AES key size %d (want 128, 192 or 256)", s.KeyBits)
	}
	keyLen := s.KeyBits / 8
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
	var k []byte
	var kdf pkix.AlgorithmIdentifier
	switch s.KDF {
	case "", "pbkdf2":
		prfOID, ok := oidHMAC[s.PRF]
		if !ok {
			return nil, fmt.Errorf("testpki: PBKDF2 PRF %v (want SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512)", s.PRF)
		}
		if k, err = pbkdf2.Key(hashNew[s.PRF], string(password), salt, PBKDF2Iterations, keyLen); err != nil {
			return nil, fmt.Errorf("testpki: pbkdf2: %w", err)
		}
		params, err := asn1.Marshal(struct {
			Salt           []byte
			IterationCount int
			KeyLength      int
			PRF            pkix.AlgorithmIdentifier
		}{salt, PBKDF2Iterations, keyLen, pkix.AlgorithmIdentifier{Algorithm: prfOID, Parameters: asn1.NullRawValue}})
		if err != nil {
			return nil, err
		}
		kdf = pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: params}}
	case "scrypt":
		if k, err = scrypt.Key(password, salt, ScryptN, ScryptR, ScryptP, keyLen); err != nil {
			return nil, fmt.Errorf("testpki: scrypt: %w", err)
		}
		params, err := asn1.Marshal(struct {
			Salt                     []byte
			CostParameter            int
			BlockSize                int
			ParallelizationParameter int
			KeyLength                int
		}{salt, ScryptN, ScryptR, ScryptP, keyLen})
		if err != nil {
			return nil, err
		}
		kdf = pkix.AlgorithmIdentifier{Algorithm: oidScrypt, Parameters: asn1.RawValue{FullBytes: params}}
	default:
		return nil, fmt.Errorf("testpki: key derivation %q (want pbkdf2 or scrypt)", s.KDF)
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

	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	pbes2, err := asn1.Marshal(struct {
		KeyDerivationFunc pkix.AlgorithmIdentifier
		EncryptionScheme  pkix.AlgorithmIdentifier
	}{kdf, pkix.AlgorithmIdentifier{Algorithm: encOID, Parameters: asn1.RawValue{FullBytes: ivDER}}})
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
