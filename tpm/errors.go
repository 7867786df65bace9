package tpm

import (
	"errors"
	"fmt"
)

// The package's errors carry facts: these sentinels (errors.Is) and the
// *DeviceError and *KeyError types (errors.As) that wrap them or a cause.
// No message names a command-line flag or a fix.
var (
	// ErrUnsupportedPlatform: TPM character devices are opened on Linux
	// only (unix: and mssim: simulators work everywhere).
	ErrUnsupportedPlatform = errors.New("TPM devices are not supported on this platform")
	// ErrNoTPM: no TPM device exists or the simulator does not answer.
	ErrNoTPM = errors.New("no TPM found")
	// ErrInvalidDevice: a device spec does not parse.
	ErrInvalidDevice = errors.New("invalid TPM device spec")
	// ErrNotTSS2Key: the data holds no TSS2 PRIVATE KEY PEM block, or one
	// that does not parse.
	ErrNotTSS2Key = errors.New("not a TSS2 private key")
	// ErrInvalidHandle: a handle: reference is not a persistent handle
	// (0x81000000..0x81ffffff).
	ErrInvalidHandle = errors.New("invalid persistent handle")
	// ErrNoObject: no object lives at the persistent handle.
	ErrNoObject = errors.New("no key at the persistent handle")
	// ErrKeyPasswordRequired: the key file says the key has a password and
	// none was given.
	ErrKeyPasswordRequired = errors.New("the TPM key has a password and none was given")
	// ErrKeyPassword: the TPM refused the key's password.
	ErrKeyPassword = errors.New("the TPM refused the key password")
	// ErrLockout: the TPM is in dictionary-attack lockout after too many
	// wrong passwords.
	ErrLockout = errors.New("the TPM is in dictionary-attack lockout")
	// ErrForeignKey: the TPM cannot load the key blob: it was made by
	// another TPM (or under another parent), or the TPM was cleared.
	ErrForeignKey = errors.New("this TPM cannot load the key (made by another TPM, or the TPM was cleared)")
	// ErrUnsupportedKey: the key is not an ECDSA P-256/P-384 or RSA
	// 2048..4096 signing key.
	ErrUnsupportedKey = errors.New("unsupported TPM key")
	// ErrNotHMACKey: a blob is not an HMAC-SHA1 keyed-hash object (a
	// signing key file, or a key of another scheme).
	ErrNotHMACKey = errors.New("not an HMAC-SHA1 key blob")
	// ErrKeyMismatch: the TPM's signature does not verify with the public
	// key in the key file (the handle or blob holds another key).
	ErrKeyMismatch = errors.New("the TPM's signature does not verify with the key's public key")
	// ErrUnsupportedSignature: the signer options ask for a signature the
	// package does not make (RSA-PSS, a hash other than SHA-256/384/512).
	ErrUnsupportedSignature = errors.New("unsupported signature options")
)

// DeviceError is a TPM that cannot be opened or that failed a command.
type DeviceError struct {
	// Device is the spec as given ("" means the default device).
	Device string
	// Op is what was attempted: "open", "create primary", "sign", ...
	Op  string
	Err error
}

func (e *DeviceError) Error() string {
	d := e.Device
	if d == "" {
		d = "default device"
	}
	return fmt.Sprintf("TPM %q: %s: %v", d, e.Op, e.Err)
}

// Unwrap returns the cause (ErrNoTPM, ErrUnsupportedPlatform, a go-tpm
// response code, ...).
func (e *DeviceError) Unwrap() error { return e.Err }

// KeyError is a key (a file's blob or a handle) the TPM cannot use.
type KeyError struct {
	// Key names the key: the file path or "handle:0x81000001".
	Key string
	Err error
}

func (e *KeyError) Error() string { return fmt.Sprintf("TPM key %q: %v", e.Key, e.Err) }

// Unwrap returns the cause (ErrKeyPassword, ErrForeignKey, ...).
func (e *KeyError) Unwrap() error { return e.Err }
