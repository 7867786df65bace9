package signer

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// A PKCS#12 (.p12, .pfx) file given as the certificate holds the leaf, its
// chain and its key in one DER file, as `openssl pkcs12 -export` writes it
// (OpenSSL 3 by default: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, MAC
// HMAC-SHA256; older files: RC2/3DES with the PKCS#12 KDF). It is read with
// software.sslmate.com/src/go-pkcs12, which knows both; the golang.org/x
// package knows only the old ciphers.
//
// The password is the key password (Load's Password). Without one, the
// empty password is used, as the official helper does; with one that does
// not open the file, the empty password is tried too, so a password kept
// for an encrypted PEM key does not stop an unprotected file.

// isPKCS12 reports whether b is a DER PKCS#12 PFX: a SEQUENCE of version 3,
// the authenticated safe and an optional MAC, and nothing after it. PEM
// files never are (they start with text).
func isPKCS12(b []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  asn1.RawValue `asn1:"optional"`
	}
	rest, err := asn1.Unmarshal(b, &pfx)
	return err == nil && len(rest) == 0 && pfx.Version == 3
}

// parsePKCS12 opens a PKCS#12 file and returns its key and certificates,
// the key's certificate first. Errors wrap ErrKeyPasswordRequired,
// ErrKeyPassword, ErrNoCertificate or ErrUnsupportedKey; none includes the
// password or key material.
func parsePKCS12(b, password []byte) (crypto.Signer, []*x509.Certificate, error) {
	if n := maxIterationCount(b, 0); n > maxPBKDF2Iterations {
		return nil, nil, fmt.Errorf("%w: PKCS#12 iteration count %d above %d", ErrUnsupportedEncryption, n, maxPBKDF2Iterations)
	}
	k, leaf, chain, err := pkcs12.DecodeChain(b, string(password))
	if err != nil && len(password) > 0 {
		// Not this file's password: maybe it has none.
		if k2, leaf2, chain2, err2 := pkcs12.DecodeChain(b, ""); err2 == nil {
			k, leaf, chain, err = k2, leaf2, chain2, nil
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		if len(password) == 0 {
			return nil, nil, fmt.Errorf("PKCS#12 file: %w", ErrKeyPasswordRequired)
		}
		return nil, nil, fmt.Errorf("PKCS#12 file: %w", ErrKeyPassword)
	default:
		// go-pkcs12's messages name structures and algorithms only.
		return nil, nil, fmt.Errorf("%w: PKCS#12 file: %v", ErrNoCertificate, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("%w: PKCS#12 key %T", ErrUnsupportedKey, k)
	}
	certs := append([]*x509.Certificate{leaf}, chain...)
	// DecodeChain takes the first certificate bag as the leaf; put the
	// key's certificate first whatever the order of the bags.
	for i, c := range certs {
		if samePublicKey(c.PublicKey, s.Public()) {
			certs[0], certs[i] = certs[i], certs[0]
			break
		}
	}
	return s, certs, nil
}

// parseCertificateFile parses a certificate file as Load reads it: PEM
// CERTIFICATE blocks (ParseCertificates), or a PKCS#12 file opened with
// password, its key's certificate first.
func parseCertificateFile(b, password []byte) ([]*x509.Certificate, error) {
	if isPKCS12(b) {
		_, certs, err := parsePKCS12(b, password)
		return certs, err
	}
	return ParseCertificates(b)
}

// pkcs12Key is ParsePrivateKey for a PKCS#12 file: its key.
func pkcs12Key(b, password []byte) (crypto.Signer, error) {
	k, _, err := parsePKCS12(b, password)
	return k, err
}

// maxIterationCount returns the largest iteration count in the DER of a
// PKCS#12 file, looked for without decrypting anything: every INTEGER
// that follows an OCTET STRING (the salt) in a SEQUENCE, as in the MAC
// data, PKCS#12 PBE, PBKDF2 and scrypt parameters, also inside OCTET
// STRINGs that hold DER. go-pkcs12 has no bound of its own; this one keeps
// a crafted file from asking for hours of key derivation before any check.
func maxIterationCount(der []byte, depth int) int64 {
	if depth > 12 {
		return 0
	}
	var max int64
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return max
		}
		der = rest
		switch {
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound:
			prevOctets := false
			for inner := v.Bytes; len(inner) > 0; {
				var e asn1.RawValue
				r, err := asn1.Unmarshal(inner, &e)
				if err != nil {
					break
				}
				inner = r
				if prevOctets && e.Class == asn1.ClassUniversal && e.Tag == asn1.TagInteger {
					if n := derUint(e.Bytes); n > max {
						max = n
					}
				}
				prevOctets = e.Class == asn1.ClassUniversal && e.Tag == asn1.TagOctetString
			}
			if n := maxIterationCount(v.Bytes, depth+1); n > max {
				max = n
			}
		case v.IsCompound, v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString && wellFormedDER(v.Bytes):
			// An OCTET STRING is looked into only when it holds DER
			// from end to end (a safe's contents), not ciphertext
			// that happens to start like DER.
			if n := maxIterationCount(v.Bytes, depth+1); n > max {
				max = n
			}
		}
	}
	return max
}

// wellFormedDER reports whether b is one or more DER values and nothing
// else.
func wellFormedDER(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return false
		}
		b = rest
	}
	return true
}

// derUint is the value of a DER INTEGER's content, saturated at MaxInt64
// (negative values count as large: no iteration count is negative).
func derUint(b []byte) int64 {
	if len(b) > 8 || len(b) > 0 && b[0]&0x80 != 0 {
		return math.MaxInt64
	}
	var n int64
	for _, c := range b {
		n = n<<8 | int64(c)
	}
	return n
}

// KeyInCertificateFile reports whether the certificate file at path is
// named as a PKCS#12 file (.p12 or .pfx, any case), which holds the
// private key too: Locate then needs no private key path, as the official
// helper reads a PKCS#12 --certificate alone. It looks at the name only.
func KeyInCertificateFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".p12" || ext == ".pfx"
}
