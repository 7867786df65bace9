package demo

import (
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The TOTP part of the demo: by default the demo makes a throwaway
// fingerprint file and the session name is the TOTP code of it at signing
// time, as credential-process --fingerprint does; Options.Fingerprints
// names real sources instead, NoTOTP (or RoleSessionName) turns it off.
// The demo then checks the code the way detect does.

// FingerprintBytes is the size of a throwaway fingerprint file.
const FingerprintBytes = 32

// totpDigits is the length of the demo's TOTP session names, what the
// generated trust policy's sts:RoleSessionName "??????" admits.
const totpDigits = 6

// sessionNamePattern is what the emulator requires of a TOTP session name
// in the demo, as the generated trust policy would.
const sessionNamePattern = `^[0-9]{6}$`

// totpStep holds the fingerprint sources of the demo host: o.Fingerprints
// and o.FingerprintKey, or the throwaway file made for this run.
type totpStep struct {
	o *Options
	// throwaway is the path of the fingerprint file the demo made (""
	// when Options.Fingerprints named the sources).
	throwaway string
}

// makeThrowaway writes a fingerprint file of random bytes into dir (the
// demo's private temporary directory, mode 0700) and uses it as the only
// fingerprint source.
func (t *totpStep) makeThrowaway(dir, name string) error {
	path, k, err := fingerprintFile(t.o, dir, name)
	if err != nil {
		return err
	}
	t.o.Fingerprints, t.o.FingerprintKey, t.throwaway = []string{"file:" + path}, k, path
	return nil
}

// fingerprintFile writes FingerprintBytes random bytes to dir/name (0600,
// never shown) and returns its path and TOTP key (SHA-1 of the bytes, the
// seed's scheme), derived the way credential-process --fingerprint
// file:PATH derives it.
func fingerprintFile(o *Options, dir, name string) (string, totp.Key, error) {
	b := make([]byte, FingerprintBytes)
	if _, err := io.ReadFull(o.Rand, b); err != nil {
		return "", nil, fmt.Errorf("demo: make a throwaway fingerprint: %w", err)
	}
	o.secret(b)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", nil, &PathError{Op: fmt.Sprintf("write the throwaway fingerprint %q", path), Err: err}
	}
	k, err := o.DeriveKey([]string{"file:" + path})
	if err != nil {
		return "", nil, fmt.Errorf("demo: %w", err)
	}
	o.secret([]byte(k.Hex()))
	return path, k, nil
}

// hostTOTP remembers the code sent, for the report after the call.
type hostTOTP struct {
	key      totp.Key
	mu       sync.Mutex
	code     string
	signedAt time.Time
}

// sessionName is a signer.Config.SessionName that remembers the code.
func (d *hostTOTP) sessionName(t time.Time) (string, error) {
	code, err := totp.Code(d.key, t, totp.Options{})
	if err != nil {
		return "", fmt.Errorf("totp session name: %w", err)
	}
	d.mu.Lock()
	d.code, d.signedAt = code, t
	d.mu.Unlock()
	return code, nil
}

// sent returns the code sent and the signing time.
func (d *hostTOTP) sent() (string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.code, d.signedAt
}

// sessionName prints the session-name step and sets the session name of
// cfg. With TOTP it names the fingerprint sources (the values and the seed
// are never shown), sets cfg.SessionName to the code of the signing time
// and returns the host's TOTP state; without, it returns nil.
func (t *totpStep) sessionName(p *printer, cfg *signer.Config, leaf *x509.Certificate) *hostTOTP {
	o := t.o
	if len(o.Fingerprints) == 0 || o.FingerprintKey == nil {
		plainSessionName(p, o, cfg, leaf)
		return nil
	}
	d := &hostTOTP{key: o.FingerprintKey}
	p.field("fingerprint", "%s (values never shown)", strings.Join(o.Fingerprints, ", "))
	if t.throwaway != "" {
		p.field("", "a throwaway file of %d random bytes, made for this demo", FingerprintBytes)
		p.field("in production", "--fingerprint file:/opt/monkey.jpg or --fingerprint machine-id: what only this machine can read")
	}
	if len(o.Fingerprints) == 1 && strings.HasPrefix(o.Fingerprints[0], "file:") {
		p.field("TOTP key", "SHA-1 of the file, what 'sha1sum FILE' prints (a secret; '%s totp seed' shows it)", o.ProgName)
		p.field("as in gen-creds", "oathtool --totp $(sha1sum FILE | cut -d' ' -f1)")
	} else {
		p.field("TOTP key", "derivation v1 over the sorted sources (a secret; '%s totp seed' shows it)", o.ProgName)
	}
	p.field("session name", "the 6-digit TOTP code (HMAC-SHA1, 30 s steps) of the signing time")
	cfg.RoleSessionName = ""
	cfg.SessionName = d.sessionName
	return d
}

// plainSessionName explains (and sets) the session name of a demo call
// without TOTP (NoTOTP or RoleSessionName).
func plainSessionName(p *printer, o *Options, cfg *signer.Config, leaf *x509.Certificate) {
	if o.RoleSessionName != "" {
		cfg.RoleSessionName = o.RoleSessionName
		p.field("requested", "%s (sent as roleSessionName; the profile must accept it)", o.RoleSessionName)
		return
	}
	p.field("requested", "none")
	p.field("so the session", "is named after the certificate serial in hex: %s", emulator.DefaultSessionName(leaf))
	p.field("TOTP", "off (--no-totp); without it the demo names the session with a TOTP code, as credential-process --fingerprint does")
}

// report prints the code that was sent and detect's verdict on it (the
// seed script's rule). A nil d prints nothing.
func (d *hostTOTP) report(p *printer) {
	if d == nil {
		return
	}
	code, at := d.sent()
	p.step("The TOTP session name, checked the way 'detect' checks CloudTrail")
	p.field("signed at", "%s (time step %d)", at.UTC().Format(time.RFC3339), totp.Step(at))
	p.field("session name", "%s", code)
	res, err := totp.VerifyWithPolicy(d.key, code, at, totp.SeedScriptPolicy)
	switch {
	case err != nil:
		p.field("detect verdict", "error: %v", err)
	case res.Matched:
		p.field("detect verdict", "legit: oathtool --window 1 at (signing time - 30 s) finds it at offset %d, the seed script's rule", res.Offset)
	default:
		p.field("detect verdict", "MISMATCH")
	}
}
