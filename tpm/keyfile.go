package tpm

import (
	"fmt"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// ParseKeyType returns the KeyType named name and whether GenerateKey
// makes it (one of KeyTypes).
func ParseKeyType(name string) (KeyType, bool) {
	for _, t := range KeyTypes() {
		if string(t) == name {
			return t, true
		}
	}
	return KeyType(name), false
}

// WriteKeyFile writes the TSS2 PEM key file GenerateKey made to path, mode
// 0600, and never over an existing file (the old key would be gone for
// good): the error is then an *fs.PathError wrapping fs.ErrExist. The file
// is a TPM-wrapped blob, useless on another TPM; 0600 still, since anyone
// who can read it can use the key on this machine's TPM.
func WriteKeyFile(path string, pemKey []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(pemKey); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadKey loads the key ref names: a persistent handle (handle:0x81...,
// see IsHandle) or a TSS2 PEM key file. A file that cannot be read gives
// a *ReadError.
func ReadKey(ref string, o KeyOptions) (*Key, error) {
	if IsHandle(ref) {
		return LoadHandle(ref, o)
	}
	b, err := rawfile.ReadFile(ref, MaxFileBytes)
	if err != nil {
		return nil, &ReadError{What: WhatKeyFile, Path: ref, Err: err}
	}
	return LoadKeyFile(ref, b, o)
}

// MaxFileBytes bounds a key file or seed blob read from disk (both are a
// few hundred bytes to a few KB).
const MaxFileBytes = 64 << 10

// ReadHMACKey loads the TPM-held TOTP seed of the blob file at path (from
// Importer, 'totp enroll --tpm') on device. A file that cannot be read
// gives a *ReadError.
func ReadHMACKey(path, device string) (*HMACKey, error) {
	blob, err := rawfile.ReadFile(path, MaxFileBytes)
	if err != nil {
		return nil, &ReadError{What: WhatSeedBlob, Path: path, Err: err}
	}
	return LoadHMACKey(path, blob, device)
}

// ReadError is a key file or seed blob that could not be read from disk
// (before any TPM was asked): missing, not a regular file, or larger than
// MaxFileBytes (internal/rawfile). Its text is the cause's (which names
// the path).
type ReadError struct {
	What string // WhatKeyFile or WhatSeedBlob
	Path string // the file
	Err  error  // the cause: an *fs.PathError or a *rawfile.TooLargeError
}

// The kinds of file of a ReadError.
const (
	WhatKeyFile  = "key file"
	WhatSeedBlob = "seed blob"
)

func (e *ReadError) Error() string { return e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }

// GenerateKeyFile makes a key with GenerateKey and writes its TSS2 PEM file
// to path with WriteKeyFile (the same errors: an existing file is an
// *fs.PathError wrapping fs.ErrExist).
func GenerateKeyFile(path string, o KeyOptions, kt KeyType) error {
	pemKey, err := GenerateKey(o, kt)
	if err != nil {
		return err
	}
	return WriteKeyFile(path, pemKey)
}

// ReadKeyCertificateRequest loads the key ref names with ReadKey and
// returns its CertificateRequest for domains, signed inside the TPM.
func ReadKeyCertificateRequest(ref string, o KeyOptions, domains []string) ([]byte, error) {
	key, err := ReadKey(ref, o)
	if err != nil {
		return nil, err
	}
	return CertificateRequest(key, domains, nil)
}
