package tpm

import (
	"bytes"
	"fmt"
	"sync"

	keyfile "github.com/foxboron/go-tpm-keyfiles"
	"github.com/google/go-tpm/tpm2"
)

// hmacDescription marks the TSS2 key files of ImportHMACKey.
const hmacDescription = "acme-signing-helper HMAC-SHA1 key (TOTP seed)"

func hmacTemplate() tpm2.TPMTPublic {
	return tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgKeyedHash,
		NameAlg: tpm2.TPMAlgSHA256,
		// No SensitiveDataOrigin: the seed comes from outside (it must
		// also go to the seeds database for detect). FixedTPM and
		// FixedParent: the blob loads on this TPM only and cannot be
		// duplicated.
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, UserWithAuth: true, SignEncrypt: true},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgKeyedHash, &tpm2.TPMSKeyedHashParms{
			Scheme: tpm2.TPMTKeyedHashScheme{
				Scheme:  tpm2.TPMAlgHMAC,
				Details: tpm2.NewTPMUSchemeKeyedHash(tpm2.TPMAlgHMAC, &tpm2.TPMSSchemeHMAC{HashAlg: tpm2.TPMAlgSHA1}),
			},
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgKeyedHash, &tpm2.TPM2BDigest{}),
	}
}

// Importer puts HMAC-SHA1 keys into the TPM at Device; it implements the
// totp package's SeedImporter.
type Importer struct {
	// Device is the TPM device spec (see Open).
	Device string
}

// ImportHMACSHA1 loads seed into the TPM as an HMAC-SHA1 keyed-hash object
// under the storage root key and returns its TSS2 PEM blob, which only
// this TPM can load. The seed travels encrypted (a session salted with the
// storage root key encrypts the command's sensitive parameter); the TPM
// never gives it back.
func (im Importer) ImportHMACSHA1(seed []byte) ([]byte, error) {
	return ImportHMACKey(im.Device, seed)
}

// ImportHMACKey is Importer{Device: device}.ImportHMACSHA1(seed).
func ImportHMACKey(device string, seed []byte) ([]byte, error) {
	if len(seed) == 0 || len(seed) > 64 {
		return nil, fmt.Errorf("%w: HMAC key of %d bytes (want 1 to 64)", ErrNotHMACKey, len(seed))
	}
	t, err := Open(device)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	p, err := loadParent(t, device, tpm2.TPMRHOwner)
	if err != nil {
		return nil, err
	}
	defer p.flush(t)
	data := &tpm2.TPM2BSensitiveData{Buffer: bytes.Clone(seed)}
	defer clear(data.Buffer)
	rsp, err := tpm2.Create{
		ParentHandle: p.auth(),
		InSensitive:  tpm2.TPM2BSensitiveCreate{Sensitive: &tpm2.TPMSSensitiveCreate{Data: tpm2.NewTPMUSensitiveCreate(data)}},
		InPublic:     tpm2.New2B(hmacTemplate()),
	}.Execute(t, p.session(nil))
	if err != nil {
		return nil, &DeviceError{Device: device, Op: "create HMAC key", Err: err}
	}
	kf := keyfile.NewTPMKey(keyfile.OIDLoadableKey, rsp.OutPublic, rsp.OutPrivate, keyfile.WithDescription(hmacDescription))
	var b bytes.Buffer
	if err := keyfile.Encode(&b, kf); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// HMACKey is an HMAC-SHA1 key held by the TPM (a blob of ImportHMACKey).
// Each HMACSHA1 opens the TPM, loads the blob, computes and flushes; it
// implements the totp package's KeyedHash.
type HMACKey struct {
	device string
	name   string
	kf     *keyfile.TPMKey
	mu     sync.Mutex
}

// LoadHMACKey parses the blob of ImportHMACKey (name is its path, for
// errors) and checks that the TPM at device loads it (one HMAC of a fixed
// message). Errors are a *KeyError wrapping ErrNotTSS2Key,
// ErrNotHMACKey or ErrForeignKey, or a *DeviceError.
func LoadHMACKey(name string, blob []byte, device string) (*HMACKey, error) {
	kf, err := parseKeyFile(blob)
	if err != nil {
		return nil, &KeyError{Key: name, Err: err}
	}
	pub, err := kf.Pubkey.Contents()
	if err != nil || pub.Type != tpm2.TPMAlgKeyedHash {
		return nil, &KeyError{Key: name, Err: ErrNotHMACKey}
	}
	parms, err := pub.Parameters.KeyedHashDetail()
	if err != nil || parms.Scheme.Scheme != tpm2.TPMAlgHMAC {
		return nil, &KeyError{Key: name, Err: fmt.Errorf("%w: keyed hash without the HMAC scheme", ErrNotHMACKey)}
	}
	if h, err := parms.Scheme.Details.HMAC(); err != nil || h.HashAlg != tpm2.TPMAlgSHA1 {
		return nil, &KeyError{Key: name, Err: fmt.Errorf("%w: HMAC key not for SHA-1", ErrNotHMACKey)}
	}
	k := &HMACKey{device: device, name: name, kf: kf}
	if _, err := k.HMACSHA1([]byte("acme-signing-helper tpm hmac probe")); err != nil {
		return nil, err
	}
	return k, nil
}

// String names the key's file, never the seed.
func (k *HMACKey) String() string { return "TPM HMAC key " + k.name }

// HMACSHA1 returns HMAC-SHA1(seed, msg) computed inside the TPM. The
// result travels encrypted (response parameter encryption).
func (k *HMACKey) HMACSHA1(msg []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, err := Open(k.device)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	p, lr, release, err := loadUnderParent(t, k.device, k.name, k.kf)
	if err != nil {
		return nil, err
	}
	defer release()
	sess := tpm2.HMAC(tpm2.TPMAlgSHA256, 16, tpm2.Auth(nil), tpm2.Salted(p.handle, p.pub), tpm2.AESEncryption(128, tpm2.EncryptOut))
	rsp, err := tpm2.Hmac{
		Handle:  tpm2.AuthHandle{Handle: lr.ObjectHandle, Name: lr.Name, Auth: sess},
		Buffer:  tpm2.TPM2BMaxBuffer{Buffer: msg},
		HashAlg: tpm2.TPMAlgSHA1,
	}.Execute(t)
	if err != nil {
		return nil, keyErr(k.name, k.device, "hmac", err)
	}
	return rsp.OutHMAC.Buffer, nil
}
