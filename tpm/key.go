package tpm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	keyfile "github.com/foxboron/go-tpm-keyfiles"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// PEMType is the PEM block type of a TSS2 key file.
const PEMType = "TSS2 PRIVATE KEY"

// HandlePrefix starts a reference to a persistent handle: "handle:0x81000001".
const HandlePrefix = "handle:"

// IsKeyFile reports whether b holds a TSS2 PRIVATE KEY PEM block.
func IsKeyFile(b []byte) bool {
	return bytes.Contains(b, []byte("-----BEGIN "+PEMType+"-----"))
}

// IsHandle reports whether ref is a handle: reference (valid or not).
func IsHandle(ref string) bool { return strings.HasPrefix(ref, HandlePrefix) }

// ParseHandle parses "handle:0x81000001" (hexadecimal with 0x, or decimal)
// into a persistent handle, or fails with ErrInvalidHandle.
func ParseHandle(ref string) (uint32, error) {
	s := strings.TrimPrefix(ref, HandlePrefix)
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil || v>>24 != 0x81 {
		return 0, fmt.Errorf("%w %q: want handle:0x81000000 to handle:0x81ffffff", ErrInvalidHandle, ref)
	}
	return uint32(v), nil
}

// Key is a signing key held by a TPM, a crypto.Signer. Each Sign opens the
// TPM, loads the key (a file's blob under the storage root key, or the
// persistent handle), signs and flushes what it loaded, so a Key holds no
// TPM resource between calls and is safe for concurrent use.
type Key struct {
	device   string
	name     string // path or handle: reference, for errors
	file     *keyfile.TPMKey
	handle   tpm2.TPMHandle
	password []byte
	pub      crypto.PublicKey
	mu       sync.Mutex
}

// KeyOptions say where the TPM is and how to authorize the key.
type KeyOptions struct {
	// Device is the TPM device spec (see Open); "" is the default device.
	Device string
	// Password is the key's authorization value; the Key keeps a copy.
	Password []byte
}

// LoadKeyFile parses the TSS2 PEM key file data (name is its path, for
// errors) and checks that the TPM loads it and that its signature verifies
// with the file's public key (one signature of a fixed probe). Errors are
// a *KeyError wrapping ErrNotTSS2Key, ErrUnsupportedKey,
// ErrKeyPasswordRequired, ErrKeyPassword, ErrForeignKey or ErrKeyMismatch,
// or a *DeviceError.
func LoadKeyFile(name string, data []byte, o KeyOptions) (*Key, error) {
	kf, err := parseKeyFile(data)
	if err != nil {
		return nil, &KeyError{Key: name, Err: err}
	}
	pub, err := kf.PublicKey()
	if err != nil {
		return nil, &KeyError{Key: name, Err: fmt.Errorf("%w: %v", ErrUnsupportedKey, err)}
	}
	if err := checkSigningKey(pub, kf.HasSigner()); err != nil {
		return nil, &KeyError{Key: name, Err: err}
	}
	if kf.HasAuth() && len(o.Password) == 0 {
		return nil, &KeyError{Key: name, Err: ErrKeyPasswordRequired}
	}
	k := &Key{device: o.Device, name: name, file: kf, password: bytes.Clone(o.Password), pub: pub}
	if err := k.probe(); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadHandle opens the key at a persistent handle ("handle:0x81000001"),
// reads its public key and checks it signs (one signature of a fixed
// probe). Errors are a *KeyError wrapping ErrInvalidHandle, ErrNoObject,
// ErrUnsupportedKey, ErrKeyPassword or ErrKeyMismatch, or a *DeviceError.
func LoadHandle(ref string, o KeyOptions) (*Key, error) {
	h, err := ParseHandle(ref)
	if err != nil {
		return nil, &KeyError{Key: ref, Err: err}
	}
	t, err := Open(o.Device)
	if err != nil {
		return nil, err
	}
	rp, err := tpm2.ReadPublic{ObjectHandle: tpm2.TPMHandle(h)}.Execute(t)
	t.Close()
	if err != nil {
		return nil, keyErr(ref, o.Device, "read public", err)
	}
	tp, err := rp.OutPublic.Contents()
	if err != nil {
		return nil, &KeyError{Key: ref, Err: fmt.Errorf("%w: %v", ErrUnsupportedKey, err)}
	}
	pub, err := publicKey(tp)
	if err != nil {
		return nil, &KeyError{Key: ref, Err: err}
	}
	if err := checkSigningKey(pub, tp.ObjectAttributes.SignEncrypt); err != nil {
		return nil, &KeyError{Key: ref, Err: err}
	}
	k := &Key{device: o.Device, name: ref, handle: tpm2.TPMHandle(h), password: bytes.Clone(o.Password), pub: pub}
	if err := k.probe(); err != nil {
		return nil, err
	}
	return k, nil
}

func parseKeyFile(data []byte) (*keyfile.TPMKey, error) {
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, fmt.Errorf("%w: no %s PEM block", ErrNotTSS2Key, PEMType)
		}
		if blk.Type != PEMType {
			continue
		}
		kf, err := keyfile.Parse(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotTSS2Key, err)
		}
		if !kf.Keytype.Equal(keyfile.OIDLoadableKey) {
			return nil, fmt.Errorf("%w: type %v (want a loadable key, %v)", ErrUnsupportedKey, kf.Keytype, keyfile.OIDLoadableKey)
		}
		if _, err := kf.Pubkey.Contents(); err != nil {
			return nil, fmt.Errorf("%w: public part: %v", ErrNotTSS2Key, err)
		}
		return kf, nil
	}
}

func publicKey(tp *tpm2.TPMTPublic) (crypto.PublicKey, error) {
	switch tp.Type {
	case tpm2.TPMAlgECC, tpm2.TPMAlgRSA:
	default:
		return nil, fmt.Errorf("%w: algorithm 0x%x (want ECC or RSA)", ErrUnsupportedKey, uint16(tp.Type))
	}
	pub, err := keyfileTemplatePublic(tp)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return pub, nil
}

// checkSigningKey accepts ECDSA P-256/P-384 and RSA 2048..4096 keys with
// the sign attribute.
func checkSigningKey(pub crypto.PublicKey, canSign bool) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("%w: ECDSA curve %s (want P-256 or P-384)", ErrUnsupportedKey, k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 4096 {
			return fmt.Errorf("%w: RSA %d bits (want 2048 to 4096)", ErrUnsupportedKey, n)
		}
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	if !canSign {
		return fmt.Errorf("%w: not a signing key (sign attribute not set)", ErrUnsupportedKey)
	}
	return nil
}

// Public returns the key's *ecdsa.PublicKey or *rsa.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// String names the key (its file or handle), never its password.
func (k *Key) String() string { return "TPM key " + k.name }

// Device is the device spec the key is used with.
func (k *Key) Device() string { return k.device }

// Sign signs digest in the TPM: ECDSA (ASN.1 DER) for ECC keys, PKCS#1 v1.5
// for RSA keys; opts give the hash (SHA-256, SHA-384 or SHA-512). RSA-PSS
// fails with ErrUnsupportedSignature.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return nil, fmt.Errorf("%w: RSA-PSS", ErrUnsupportedSignature)
	}
	var alg tpm2.TPMAlgID
	switch opts.HashFunc() {
	case crypto.SHA256:
		alg = tpm2.TPMAlgSHA256
	case crypto.SHA384:
		alg = tpm2.TPMAlgSHA384
	case crypto.SHA512:
		alg = tpm2.TPMAlgSHA512
	default:
		return nil, fmt.Errorf("%w: hash %v", ErrUnsupportedSignature, opts.HashFunc())
	}
	if len(digest) != opts.HashFunc().Size() {
		return nil, fmt.Errorf("%w: digest of %d bytes for %v", ErrUnsupportedSignature, len(digest), opts.HashFunc())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	t, err := Open(k.device)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return k.sign(t, digest, alg)
}

// probe signs a fixed digest and verifies the signature with the public
// key: the TPM loads the key, the password is right, and the key is the
// one the file or handle says.
func (k *Key) probe() error {
	d := sha256.Sum256([]byte("acme-signing-helper tpm key probe"))
	sig, err := k.Sign(nil, d[:], crypto.SHA256)
	if err != nil {
		return err
	}
	ok := false
	switch pub := k.pub.(type) {
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(pub, d[:], sig)
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil
	}
	if !ok {
		return &KeyError{Key: k.name, Err: ErrKeyMismatch}
	}
	return nil
}

// sign loads the key if it is a file's, signs digest (hashed with alg) and
// flushes what it loaded.
func (k *Key) sign(t transport.TPM, digest []byte, alg tpm2.TPMAlgID) ([]byte, error) {
	var h tpm2.AuthHandle
	var session tpm2.Session
	if k.file != nil {
		parent, lr, release, err := loadUnderParent(t, k.device, k.name, k.file)
		if err != nil {
			return nil, err
		}
		defer release()
		h = tpm2.AuthHandle{Handle: lr.ObjectHandle, Name: lr.Name}
		session = parent.session(k.password)
	} else {
		rp, err := tpm2.ReadPublic{ObjectHandle: k.handle}.Execute(t)
		if err != nil {
			return nil, keyErr(k.name, k.device, "read public", err)
		}
		h = tpm2.AuthHandle{Handle: k.handle, Name: rp.Name}
		session = tpm2.HMAC(tpm2.TPMAlgSHA256, 16, tpm2.Auth(k.password))
	}
	h.Auth = session
	var scheme tpm2.TPMTSigScheme
	switch k.pub.(type) {
	case *ecdsa.PublicKey:
		scheme = tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgECDSA, Details: tpm2.NewTPMUSigScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSchemeHash{HashAlg: alg})}
	default:
		scheme = tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgRSASSA, Details: tpm2.NewTPMUSigScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSchemeHash{HashAlg: alg})}
	}
	rsp, err := tpm2.Sign{
		KeyHandle:  h,
		Digest:     tpm2.TPM2BDigest{Buffer: digest},
		InScheme:   scheme,
		Validation: tpm2.TPMTTKHashCheck{Tag: tpm2.TPMSTHashCheck, Hierarchy: tpm2.TPMRHNull},
	}.Execute(t)
	if err != nil {
		return nil, keyErr(k.name, k.device, "sign", err)
	}
	sig, err := keyfile.EncodeSignatureASN1(&rsp.Signature)
	if err != nil {
		return nil, &KeyError{Key: k.name, Err: fmt.Errorf("%w: %v", ErrUnsupportedKey, err)}
	}
	return sig, nil
}

// keyErr classifies a TPM response code of an operation on a key.
func keyErr(name, device, op string, err error) error {
	var cause error
	switch {
	case errors.Is(err, tpm2.TPMRCAuthFail), errors.Is(err, tpm2.TPMRCBadAuth):
		cause = ErrKeyPassword
	case errors.Is(err, tpm2.TPMRCLockout):
		cause = ErrLockout
	case op == "read public" && (errors.Is(err, tpm2.TPMRCHandle) || errors.Is(err, tpm2.TPMRCValue)):
		cause = ErrNoObject
	case op == "load" && (errors.Is(err, tpm2.TPMRCIntegrity) || errors.Is(err, tpm2.TPMRCSize) || errors.Is(err, tpm2.TPMRCValue) ||
		errors.Is(err, tpm2.TPMRCKey) || errors.Is(err, tpm2.TPMRCInsufficient) || errors.Is(err, tpm2.TPMRCSymmetric) || errors.Is(err, tpm2.TPMRCBinding)):
		cause = ErrForeignKey
	}
	var rc tpm2.TPMRC
	if !errors.As(err, &rc) {
		// Not a TPM response code: the connection failed.
		return &DeviceError{Device: device, Op: op, Err: err}
	}
	if cause == nil {
		return &KeyError{Key: name, Err: fmt.Errorf("%s: %w", op, err)}
	}
	return &KeyError{Key: name, Err: fmt.Errorf("%w (%s: %v)", cause, op, err)}
}

func flush(t transport.TPM, h tpm2.TPMHandle) {
	_, _ = tpm2.FlushContext{FlushHandle: h}.Execute(t)
}
