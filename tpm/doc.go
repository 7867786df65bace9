// Package tpm talks to a TPM 2.0 in pure Go (github.com/google/go-tpm, no
// cgo): signing keys that never leave the chip, for CreateSession and for
// ACME certificate requests, and HMAC-SHA1 keys for TOTP seeds the chip uses
// but never reveals.
//
// A TPM is reached through a device spec (see Open): a character device
// (/dev/tpmrm0, the kernel's resource manager, else /dev/tpm0; Linux only),
// "unix:PATH" (swtpm --server type=unixio,path=PATH) or "mssim:HOST:PORT"
// (swtpm's TCP server port, the raw command stream tpm2-tools' swtpm: TCTI
// speaks).
//
// Keys are TSS2 PEM files ("-----BEGIN TSS2 PRIVATE KEY-----", as written
// by OpenSSL's tpm2 provider, tpm2-tss-engine and GenerateKey) loaded under
// the storage root key (the TCG ECC P-256 "H-2" template, created on every
// use), or persistent handles ("handle:0x81000001", as made by
// tpm2_evictcontrol). Supported are ECDSA P-256/P-384 and RSA 2048..4096
// with PKCS#1 v1.5 signatures.
//
// Security considerations: a key file is a blob wrapped by the TPM's storage
// seed; it is useless on any other TPM, and copying it copies nothing that
// signs. Whoever can open the TPM device on this machine (root, or members
// of the tss group) can use the key while the machine is up: the TPM proves
// which machine signed, not which user. A key password (the object's
// userAuth) is sent in an HMAC session salted with the storage root key, so
// it is not on the bus in clear; it lives in process memory while a Key is
// open. Wrong passwords count towards the TPM's dictionary-attack lockout.
// The TOTP seed of ImportHMACKey travels to the chip encrypted (parameter
// encryption of a session salted with the storage root key) and is never
// written anywhere by this package.
package tpm
