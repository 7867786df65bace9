package signer

import (
	"crypto"
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TPM keys: LoadOptions.PrivateKey may name a TSS2 PEM key file ("-----BEGIN
// TSS2 PRIVATE KEY-----", OpenSSL's tpm2 provider, tpm2-tss-engine,
// "tpm keygen") or a persistent handle ("handle:0x81000001"); the key then
// signs inside the TPM at LoadOptions.TPMDevice. Errors wrap the tpm
// package's (tpm.ErrKeyPassword, tpm.ErrForeignKey, tpm.ErrNoTPM, ...).

// IsTPMHandle reports whether a private key reference is a TPM persistent
// handle ("handle:0x81000001") rather than a file.
func IsTPMHandle(privateKey string) bool { return tpm.IsHandle(privateKey) }

// loadPrivateKey reads the private key at path (or opens the TPM handle)
// and parses it: a file key with ParsePrivateKey and o.Password, a TSS2
// key file or a handle with the TPM and o.TPMKeyPassword. A *FileError
// means the file could not be read; other errors name the key.
func loadPrivateKey(path string, o LoadOptions) (crypto.Signer, error) {
	if tpm.IsHandle(path) {
		k, err := tpm.LoadHandle(path, tpm.KeyOptions{Device: o.TPMDevice, Password: o.TPMKeyPassword})
		if err != nil {
			return nil, tpmKeyError(err)
		}
		return k, nil
	}
	keyPEM, err := readFile("private key", path)
	if err != nil {
		return nil, err
	}
	defer clear(keyPEM)
	if tpm.IsKeyFile(keyPEM) {
		k, err := tpm.LoadKeyFile(path, keyPEM, tpm.KeyOptions{Device: o.TPMDevice, Password: o.TPMKeyPassword})
		if err != nil {
			return nil, tpmKeyError(err)
		}
		return k, nil
	}
	key, err := ParsePrivateKey(keyPEM, o.Password)
	if err != nil {
		return nil, fmt.Errorf("private key %q: %w", path, err)
	}
	return key, nil
}

// tpmKeyError adds ErrUnsupportedKey to an unsupported TPM key (the key
// check fails, as for a file key); other errors are the tpm package's
// *tpm.KeyError or *tpm.DeviceError, which name the key or the device.
func tpmKeyError(err error) error {
	if errors.Is(err, tpm.ErrUnsupportedKey) {
		return fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	return err
}
