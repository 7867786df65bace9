package signer

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
