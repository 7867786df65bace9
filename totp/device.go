package totp

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Seeds held by a device: a "tpm-hmac:PATH" fingerprint source names the
// blob of a seed that a TPM holds (written by EnrollDevice). The code is
// computed by the device (HMAC-SHA1 over the time step inside the chip);
// only the truncation is done here. The totp package talks to the device
// through the KeyedHash and SeedImporter interfaces, so it does not depend
// on a TPM library; the tpm package implements both.

// KindTPMHMAC is a seed held by the TPM: tpm-hmac:PATH names its blob.
const KindTPMHMAC Kind = "tpm-hmac"

// errDeviceSource is the cause of the *SourceError (its Spec.Kind is
// KindTPMHMAC) of deriving a key from a tpm-hmac source: the TPM holds the
// seed, there is nothing to derive.
var errDeviceSource = errors.New("the seed is held by the TPM: there is no key to derive or print")

// SeedBytes is the length of a seed EnrollDevice draws (160 bits, the
// HMAC-SHA1 block-sized key RFC 4226 recommends, as sha1sum gives).
const SeedBytes = 20

// KeyedHash computes HMAC-SHA1 with a key it holds and never reveals
// (*tpm.HMACKey).
type KeyedHash interface {
	HMACSHA1(msg []byte) ([]byte, error)
}

// SeedImporter gives a seed to a device and returns the device's wrapped
// blob of it, which only that device can use (tpm.Importer).
type SeedImporter interface {
	ImportHMACSHA1(seed []byte) (blob []byte, err error)
}

// DeviceSpec returns the tpm-hmac spec of specs and true when there is
// one; a tpm-hmac spec with other sources is a *SpecError wrapping
// ErrInvalidSpec with Reason ReasonDeviceAlone.
func DeviceSpec(specs []Spec) (Spec, bool, error) {
	for _, sp := range specs {
		if sp.Kind != KindTPMHMAC {
			continue
		}
		if len(specs) > 1 {
			return Spec{}, false, &SpecError{Spec: sp.String(), Reason: ReasonDeviceAlone}
		}
		return sp, true, nil
	}
	return Spec{}, false, nil
}

// ReasonDeviceAlone is the Reason of a SpecError for a tpm-hmac source
// given with other sources.
const ReasonDeviceAlone = "a tpm-hmac source cannot be combined with other sources"

// CodeKeyedHash returns the TOTP code of the seed h holds at time t: h
// computes HMAC-SHA1 over the 8-byte big-endian time step, this function
// truncates it as RFC 4226 (and oathtool) do. Only SHA-1 (o.Algorithm ""
// or SHA1).
func CodeKeyedHash(h KeyedHash, t time.Time, o Options) (string, error) {
	if o.Algorithm != "" && o.Algorithm != SHA1 {
		return "", fmt.Errorf("%w %q: a TPM-held seed is HMAC-SHA1", ErrInvalidAlgorithm, string(o.Algorithm))
	}
	d := o.Digits
	if d == 0 {
		d = 6
	}
	if d < 6 || d > 8 {
		return "", ErrInvalidDigits
	}
	if t.Unix() < 0 {
		return "", ErrBeforeEpoch
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(Step(t)))
	sum, err := h.HMACSHA1(msg[:])
	if err != nil {
		return "", err
	}
	if len(sum) != 20 {
		return "", fmt.Errorf("compute totp code: HMAC-SHA1 of %d bytes", len(sum))
	}
	return truncate(sum, d), nil
}

// truncate is RFC 4226's dynamic truncation of an HMAC to digits digits.
func truncate(sum []byte, digits int) string {
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// SessionNameKeyedHash is SessionName for a seed the device h holds.
func SessionNameKeyedHash(h KeyedHash, signingTime time.Time, digits int) (string, error) {
	code, err := CodeKeyedHash(h, signingTime, Options{Digits: digits})
	if err != nil {
		return "", fmt.Errorf("totp session name: %w", err)
	}
	return code, nil
}

// DeviceEnrollOptions say where EnrollDevice writes.
type DeviceEnrollOptions struct {
	// BlobPath is the file for the device's blob (mode 0600, never
	// overwritten).
	BlobPath string
	// DBPath is the seeds database to merge the entry into; "" returns
	// the entry (Entry) instead.
	DBPath string
	// Identity is the workload's seeds-database identity
	// (CertificateIdentity).
	Identity string
	// Replace overwrites a different seed stored for Identity.
	Replace bool
	// Rand is the source of the seed (nil: crypto/rand).
	Rand io.Reader
}

// DeviceEnrollResult is what EnrollDevice did.
type DeviceEnrollResult struct {
	EnrollResult
	// Entry is the seeds-database entry when DeviceEnrollOptions.DBPath
	// is "" (a secret: it holds the seed).
	Entry []byte
}

// EnrollDevice draws a random seed, has imp (the TPM) import it, writes
// the device's blob to o.BlobPath (atomically, mode 0600, not over an
// existing file) and the seed into the seeds database (Enroll) or Entry.
// The seed is written nowhere else and cleared from memory after use.
// Errors: a *fs.PathError wrapping fs.ErrExist when the blob file exists
// (its seed would be lost for the seeds database), the importer's,
// Enroll's (*EnrollError); when the database cannot be written the blob is
// removed again.
func EnrollDevice(imp SeedImporter, o DeviceEnrollOptions) (DeviceEnrollResult, error) {
	var res DeviceEnrollResult
	if _, err := os.Lstat(o.BlobPath); err == nil {
		return res, &fs.PathError{Op: "write", Path: o.BlobPath, Err: fs.ErrExist}
	}
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	seed := make(Key, SeedBytes)
	defer clear(seed)
	if _, err := io.ReadFull(r, seed); err != nil {
		return res, fmt.Errorf("draw a seed: %w", err)
	}
	blob, err := imp.ImportHMACSHA1(seed)
	if err != nil {
		return res, err
	}
	if err := writeNewFile(o.BlobPath, blob); err != nil {
		return res, err
	}
	if o.DBPath == "" {
		if res.Entry, err = EntryJSON(o.Identity, seed); err != nil {
			os.Remove(o.BlobPath)
			return res, err
		}
		return res, nil
	}
	res.EnrollResult, err = Enroll(o.DBPath, o.Identity, seed, o.Replace)
	if err != nil {
		os.Remove(o.BlobPath)
		return res, err
	}
	return res, nil
}

// writeNewFile writes b to path with mode 0600 atomically (a temporary
// file in the same directory, then a hard link that fails when path
// exists).
func writeNewFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil && ModeChecked {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &fs.PathError{Op: "write", Path: path, Err: fs.ErrExist}
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
