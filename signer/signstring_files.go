package signer

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// SignatureFormats are the output formats of sign-string, the official
// helper's default first: "json" (a JSON string of hex), "text" (hex) and
// "bin" (the raw bytes).
var SignatureFormats = []string{"json", "text", "bin"}

// ErrUnsupportedFormat: a signature format is not one of SignatureFormats.
var ErrUnsupportedFormat = errors.New("unsupported signature format")

// FormatSignature encodes sig in format, one of SignatureFormats, without
// a line break (the official helper writes none).
func FormatSignature(sig []byte, format string) ([]byte, error) {
	switch format {
	case "text":
		return []byte(hex.EncodeToString(sig)), nil
	case "json":
		out, err := json.Marshal(hex.EncodeToString(sig))
		if err != nil {
			return nil, fmt.Errorf("encode signature: %w", err)
		}
		return out, nil
	case "bin":
		return sig, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedFormat, format)
}

// SignFixedStringFiles is the official helper's sign-string over files: it
// signs FixedStringToSign with the key of keyFile, or, when keyFile is "",
// with the key of certificate (a PKCS#12 file holding it). As the official
// helper, a certificate given next to a key file must be readable (password
// opens a PKCS#12 one); only the key signs. signedWith is the file whose
// key signed. Errors name files, never the key or the password.
func SignFixedStringFiles(rand io.Reader, certificate, keyFile string, password []byte, h crypto.Hash) (sig []byte, signedWith string, err error) {
	if certificate != "" && keyFile != "" {
		if _, err := ReadCertificateData(certificate, password); err != nil {
			return nil, "", err
		}
	}
	if keyFile == "" {
		keyFile = certificate
	}
	key, err := LoadPrivateKey(keyFile, password)
	if err != nil {
		return nil, keyFile, err
	}
	sig, err = SignFixedString(rand, key, h)
	return sig, keyFile, err
}

// SignStringOptions are the inputs of a sign-string call:
// SignFixedStringFiles's files and the Digest (one of Digests) and Format
// (one of SignatureFormats) of the signature.
type SignStringOptions struct {
	Certificate, PrivateKey string
	Digest, Format          string
}

// Check refuses options SignFixedStringFiles and FormatSignature cannot
// serve, before any file is read: a PKCS#11 URI (*PKCS11Error), no key
// (ErrNoPrivateKeyPath: neither PrivateKey nor a PKCS#12 Certificate),
// and a Digest or Format outside Digests and SignatureFormats (a
// *FieldError wrapping ErrUnsupportedDigest or ErrUnsupportedFormat).
func (o SignStringOptions) Check() error {
	if err := CheckNotPKCS11(o.Certificate, o.PrivateKey); err != nil {
		return err
	}
	if o.PrivateKey == "" && o.Certificate == "" {
		return ErrNoPrivateKeyPath
	}
	if _, err := ParseDigest(o.Digest); err != nil {
		return &FieldError{Field: "Digest", Value: o.Digest, Err: ErrUnsupportedDigest}
	}
	if !slices.Contains(SignatureFormats, o.Format) {
		return &FieldError{Field: "Format", Value: o.Format, Err: ErrUnsupportedFormat}
	}
	return nil
}
