package main

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The TOTP part of demo: by default the demo makes a throwaway
// fingerprint file and the session name is the TOTP code of it at signing
// time, as credential-process --fingerprint does; --fingerprint names real
// sources instead, --no-totp (or --role-session-name) turns it off. The
// demo then checks the code the way detect does.

const demoFingerprintUsage = "make the session name the TOTP code of this fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME), as credential-process --fingerprint does; repeatable (default: a throwaway file of random bytes)"

// demoFingerprintBytes is the size of a throwaway fingerprint file.
const demoFingerprintBytes = 32

// demoTOTPOptions are demo's --fingerprint and --no-totp flags and the
// derived key.
type demoTOTPOptions struct {
	fingerprints []string
	noTOTP       bool
	// throwaway is the path of the fingerprint file the demo made (""
	// when --fingerprint named the sources).
	throwaway string
	key       totp.Key
}

// enabled reports whether the session name is a TOTP code: with
// --fingerprint, or by default unless --no-totp or --role-session-name.
func (t *demoTOTPOptions) enabled(roleSessionName string) bool {
	return len(t.fingerprints) > 0 || !t.noTOTP && roleSessionName == ""
}

// validate checks demo's --fingerprint and --no-totp flags without I/O.
func (t *demoTOTPOptions) validate(roleSessionName string) error {
	specs := t.fingerprints
	if len(specs) == 0 {
		return nil
	}
	if t.noTOTP {
		return usageErrorf("drop --fingerprint to name the session after the certificate serial, or drop --no-totp", "demo: --fingerprint and --no-totp exclude each other")
	}
	if roleSessionName != "" {
		return usageErrorf("with --fingerprint the session name is the TOTP code: drop --role-session-name", "demo: --fingerprint and --role-session-name exclude each other")
	}
	if _, err := totp.ParseSpecs(specs); err != nil {
		return &usageError{err: fmt.Errorf("demo: --fingerprint: %w", err), hint: hintOf(err)}
	}
	return nil
}

// prepare derives the key of --fingerprint before the demo prints
// anything, so a bad source leaves stdout empty.
func (t *demoTOTPOptions) prepare(e *env) error {
	if len(t.fingerprints) == 0 {
		return nil
	}
	k, err := fingerprintKey(e, t.fingerprints)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	t.key = k
	return nil
}

// makeThrowaway writes a fingerprint file of random bytes into dir (the
// demo's private temporary directory, mode 0700) and uses it as the only
// fingerprint source.
func (t *demoTOTPOptions) makeThrowaway(e *env, dir, name string, secret func([]byte)) error {
	path, k, err := demoFingerprintFile(e, dir, name, secret)
	if err != nil {
		return err
	}
	t.fingerprints, t.throwaway, t.key = []string{"file:" + path}, path, k
	return nil
}

// demoFingerprintFile writes demoFingerprintBytes random bytes to
// dir/name (0600, never shown) and returns its path and TOTP key (SHA-1 of
// the bytes, the seed's scheme), derived the way credential-process
// --fingerprint file:PATH derives it.
func demoFingerprintFile(e *env, dir, name string, secret func([]byte)) (string, totp.Key, error) {
	b := make([]byte, demoFingerprintBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("demo: make a throwaway fingerprint: %w", err)
	}
	secret(b)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", nil, withHint(fmt.Errorf("demo: write the throwaway fingerprint %q: %w", path, err), "set TMPDIR to a writable directory")
	}
	k, err := fingerprintKey(e, []string{"file:" + path})
	if err != nil {
		return "", nil, fmt.Errorf("demo: %w", err)
	}
	secret([]byte(k.Hex()))
	return path, k, nil
}

// demoTOTP remembers the code sent, for the report after the call.
type demoTOTP struct {
	key      totp.Key
	mu       sync.Mutex
	code     string
	signedAt time.Time
}

// sessionName is a signer.Config.SessionName that remembers the code.
func (d *demoTOTP) sessionName(t time.Time) (string, error) {
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
func (d *demoTOTP) sent() (string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.code, d.signedAt
}

// demoTOTPSessionName prints the session-name step. Without TOTP it is
// demoSessionName's; with it, it names the fingerprint sources (the values
// and the seed are never shown) and sets cfg.SessionName to the code of
// the signing time.
func demoTOTPSessionName(p *demoPrinter, o demoOptions, cfg *signer.Config, leaf *x509.Certificate) *demoTOTP {
	if len(o.totp.fingerprints) == 0 || o.totp.key == nil {
		demoSessionName(p, o, cfg, leaf)
		return nil
	}
	k := o.totp.key
	d := &demoTOTP{key: k}
	p.field("fingerprint", "%s (values never shown)", strings.Join(o.totp.fingerprints, ", "))
	if o.totp.throwaway != "" {
		p.field("", "a throwaway file of %d random bytes, made for this demo", demoFingerprintBytes)
		p.field("in production", "--fingerprint file:/opt/monkey.jpg or --fingerprint machine-id: what only this machine can read")
	}
	if len(o.totp.fingerprints) == 1 && strings.HasPrefix(o.totp.fingerprints[0], "file:") {
		p.field("TOTP key", "SHA-1 of the file, what 'sha1sum FILE' prints (a secret; '%s totp seed' shows it)", progName)
		p.field("as in gen-creds", "oathtool --totp $(sha1sum FILE | cut -d' ' -f1)")
	} else {
		p.field("TOTP key", "derivation v1 over the sorted sources (a secret; '%s totp seed' shows it)", progName)
	}
	p.field("session name", "the 6-digit TOTP code (HMAC-SHA1, 30 s steps) of the signing time")
	cfg.RoleSessionName = ""
	cfg.SessionName = d.sessionName
	return d
}

// report prints the code that was sent and detect's verdict on it (the
// seed script's rule). A nil d prints nothing.
func (d *demoTOTP) report(p *demoPrinter) {
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
