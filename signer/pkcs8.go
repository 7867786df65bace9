package signer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

	"golang.org/x/crypto/scrypt"
)

// Object identifiers of PBES2 (RFC 8018), scrypt (RFC 7914) and the
// schemes they may name.
var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// maxPBKDF2Iterations bounds the work an attacker-supplied key file can ask
// for; real files use 2048 (OpenSSL) to a few hundred thousand.
const maxPBKDF2Iterations = 10_000_000

// Bounds of the scrypt parameters a key file may ask for. OpenSSL's
// -scrypt writes N=16384, r=8, p=1 (16 MiB). The memory scrypt needs,
// 128*N*r bytes, is capped at 256 MiB, and the work, 128*N*r*p bytes
// mixed, at 1 GiB (a few seconds).
const (
	maxScryptMemory = 256 << 20
	maxScryptWork   = 1 << 30
	maxScryptR      = 64
	maxScryptP      = 64
)

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

// scryptParams are RFC 7914's scrypt-params.
type scryptParams struct {
	Salt                     []byte
	CostParameter            int
	BlockSize                int
	ParallelizationParameter int
	KeyLength                int `asn1:"optional"`
}

// decryptPKCS8 decrypts the DER of an ENCRYPTED PRIVATE KEY block and
// returns the PKCS#8 PrivateKeyInfo DER. It knows PBES2 with PBKDF2
// (HMAC-SHA1/224/256/384/512) or scrypt, and AES-128/192/256-CBC: every
// scheme OpenSSL 3 writes by default or with -scrypt, -v2prf and -v2 aes-*.
// Errors wrap ErrUnsupportedEncryption, ErrKeyPassword or ErrNoPrivateKey;
// none includes the password.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: malformed encrypted PKCS#8 structure", ErrNoPrivateKey)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: scheme %s is not PBES2", ErrUnsupportedEncryption, info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: malformed PBES2 parameters", ErrNoPrivateKey)
	}
	var keyLen int
	switch enc := params.EncryptionScheme.Algorithm; {
	case enc.Equal(oidAES128CBC):
		keyLen = 16
	case enc.Equal(oidAES192CBC):
		keyLen = 24
	case enc.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, fmt.Errorf("%w: cipher %s (want AES-128/192/256-CBC)", ErrUnsupportedEncryption, enc)
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(rest) != 0 || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: malformed AES-CBC IV", ErrNoPrivateKey)
	}
	ct := info.EncryptedData
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: encrypted data is not a whole number of AES blocks", ErrNoPrivateKey)
	}
	key, err := deriveKey(params.KeyDerivationFunc, password, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedEncryption, err)
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	// PKCS#7 padding: a wrong password almost always breaks it.
	n := int(pt[len(pt)-1])
	if n == 0 || n > aes.BlockSize {
		clear(pt)
		return nil, ErrKeyPassword
	}
	pad := make([]byte, n)
	for i := range pad {
		pad[i] = byte(n)
	}
	if subtle.ConstantTimeCompare(pt[len(pt)-n:], pad) != 1 {
		clear(pt)
		return nil, ErrKeyPassword
	}
	return pt[:len(pt)-n], nil
}

// deriveKey derives the keyLen-byte cipher key from password with the
// PBES2 key derivation function kdf (PBKDF2 or scrypt), within the bounds
// above.
func deriveKey(kdf pkix.AlgorithmIdentifier, password []byte, keyLen int) ([]byte, error) {
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if rest, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: malformed PBKDF2 parameters", ErrNoPrivateKey)
		}
		if p.IterationCount < 1 || p.IterationCount > maxPBKDF2Iterations {
			return nil, fmt.Errorf("%w: PBKDF2 iteration count %d outside 1..%d", ErrUnsupportedEncryption, p.IterationCount, maxPBKDF2Iterations)
		}
		if p.KeyLength != 0 && p.KeyLength != keyLen {
			return nil, fmt.Errorf("%w: PBKDF2 key length %d does not fit the cipher", ErrNoPrivateKey, p.KeyLength)
		}
		var prf func() hash.Hash
		switch a := p.PRF.Algorithm; {
		case len(a) == 0 || a.Equal(oidHMACWithSHA1):
			prf = sha1.New
		case a.Equal(oidHMACWithSHA224):
			prf = sha256.New224
		case a.Equal(oidHMACWithSHA256):
			prf = sha256.New
		case a.Equal(oidHMACWithSHA384):
			prf = sha512.New384
		case a.Equal(oidHMACWithSHA512):
			prf = sha512.New
		default:
			return nil, fmt.Errorf("%w: PBKDF2 PRF %s (want hmacWithSHA1, SHA224, SHA256, SHA384 or SHA512)", ErrUnsupportedEncryption, a)
		}
		key, err := pbkdf2.Key(prf, string(password), p.Salt, p.IterationCount, keyLen)
		if err != nil {
			return nil, fmt.Errorf("%w: derive key: %v", ErrUnsupportedEncryption, err)
		}
		return key, nil
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if rest, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: malformed scrypt parameters", ErrNoPrivateKey)
		}
		n, r, par := p.CostParameter, p.BlockSize, p.ParallelizationParameter
		if n < 2 || n&(n-1) != 0 || r < 1 || r > maxScryptR || par < 1 || par > maxScryptP ||
			n > maxScryptMemory/128/r || 128*n*r*par > maxScryptWork {
			return nil, fmt.Errorf("%w: scrypt parameters N=%d r=%d p=%d outside the bounds (N a power of 2, 128*N*r at most %d MiB, 128*N*r*p at most %d MiB)",
				ErrUnsupportedEncryption, n, r, par, maxScryptMemory>>20, maxScryptWork>>20)
		}
		if p.KeyLength != 0 && p.KeyLength != keyLen {
			return nil, fmt.Errorf("%w: scrypt key length %d does not fit the cipher", ErrNoPrivateKey, p.KeyLength)
		}
		key, err := scrypt.Key(password, p.Salt, n, r, par, keyLen)
		if err != nil {
			return nil, fmt.Errorf("%w: derive key: %v", ErrUnsupportedEncryption, err)
		}
		return key, nil
	}
	return nil, fmt.Errorf("%w: key derivation %s (want PBKDF2 or scrypt)", ErrUnsupportedEncryption, kdf.Algorithm)
}
