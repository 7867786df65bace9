package credentials

import (
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// KeyInputs are the certificate side of a credential-process cache key,
// all cheap to get: the files signer.Load reads (an ACME client's layout
// resolved by a few stats), the SHA-256 of the certificate file's bytes (a
// renewal changes them) and the identity of the private key file
// (FileIdentity: a replaced key changes it, without its bytes being read).
type KeyInputs struct {
	Files signer.Files
	// CertSum is the SHA-256 of the certificate file's bytes.
	CertSum [32]byte
	// KeyID is FileIdentity of the private key file.
	KeyID string
	// KeyMode is the private key file's mode (for signer.KeyFileWarning).
	KeyMode fs.FileMode
}

// LocateKeyInputs gets the inputs of lo without parsing anything. Its
// errors only mean "no fast path": signer.Load reports the problem
// properly.
func LocateKeyInputs(lo signer.LoadOptions) (KeyInputs, error) {
	files, err := signer.Locate(lo)
	if err != nil {
		return KeyInputs{}, err
	}
	sum, err := signer.CertificateFileSHA256(files.Certificate)
	if err != nil {
		return KeyInputs{}, err
	}
	return KeyFileInputs(files, sum)
}

// MaterialKeyInputs are the inputs of loaded material: the files and
// certificate bytes signer.Load actually read.
func MaterialKeyInputs(m *signer.Material) (KeyInputs, error) {
	files := signer.Files{Layout: m.Layout, Certificate: m.CertificatePath, PrivateKey: m.PrivateKeyPath, Intermediates: m.IntermediatePaths}
	return KeyFileInputs(files, m.CertificateFileSHA256)
}

// KeyFileInputs completes files and the certificate file's SHA-256 with
// the private key file's identity (a stat, no read).
func KeyFileInputs(files signer.Files, certSum [32]byte) (KeyInputs, error) {
	if signer.IsTPMHandle(files.PrivateKey) {
		// A TPM persistent handle is no file; the certificate pins its key.
		return KeyInputs{Files: files, CertSum: certSum, KeyID: files.PrivateKey}, nil
	}
	fi, err := os.Stat(files.PrivateKey)
	if err != nil {
		return KeyInputs{}, fmt.Errorf("private key %q: %w", files.PrivateKey, err)
	}
	if !fi.Mode().IsRegular() {
		return KeyInputs{}, fmt.Errorf("private key %q: not a regular file", files.PrivateKey)
	}
	return KeyInputs{Files: files, CertSum: certSum, KeyID: FileIdentity(files.PrivateKey, fi), KeyMode: fi.Mode()}, nil
}

// CacheKey hashes (with Key) everything that changes CreateSession's
// answer: the certificate files of in, the ARNs, region, endpoint,
// duration, TLS verification and how the session name is made. A
// computed session name (cfg.SessionName set, or sessionName parts from
// SessionNameKeyParts) contributes its mode and settings, never the code;
// cfg.RoleSessionName contributes itself. The result is stable across
// releases: existing cache entries keep hitting (a golden test holds it).
func CacheKey(cfg signer.Config, in KeyInputs, sessionName []string) string {
	mode := "none"
	switch {
	case len(sessionName) > 0 || cfg.SessionName != nil:
		mode = "computed"
	case cfg.RoleSessionName != "":
		mode = "fixed:" + cfg.RoleSessionName
	}
	parts := []string{
		"certificate-file", in.Files.Certificate,
		"certificate-sha256", hex.EncodeToString(in.CertSum[:]),
		"private-key-file", in.Files.PrivateKey,
		"private-key-identity", in.KeyID,
	}
	for _, p := range in.Files.Intermediates {
		parts = append(parts, "intermediates-file", p)
	}
	parts = append(parts,
		"trust-anchor", cfg.TrustAnchorARN,
		"profile", cfg.ProfileARN,
		"role", cfg.RoleARN,
		"region", cfg.Region,
		"endpoint", cfg.Endpoint,
		"duration", strconv.Itoa(cfg.DurationSeconds),
		"session-name", mode,
		"no-verify-ssl", strconv.FormatBool(cfg.NoVerifySSL),
	)
	parts = append(parts, sessionName...)
	return Key(parts...)
}

// SessionNameKeyParts are the settings of a TOTP session name that change
// it (the number of digits and the fingerprint source specs), never the
// code or the seed; nil without fingerprints (no TOTP session name).
func SessionNameKeyParts(digits int, fingerprints []string) []string {
	if len(fingerprints) == 0 {
		return nil
	}
	parts := []string{"totp-digits", strconv.Itoa(digits)}
	for _, f := range fingerprints {
		parts = append(parts, "fingerprint", f)
	}
	return parts
}
