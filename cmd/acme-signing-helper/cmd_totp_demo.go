package main

import (
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The TOTP part of demo: with --fingerprint the session name is the TOTP
// code of the fingerprint at signing time, as credential-process
// --fingerprint does, and the demo checks it the way detect does.

const demoFingerprintUsage = "make the session name the TOTP code of this fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME), as credential-process --fingerprint does; repeatable"

// demoTOTPOptions are demo's --fingerprint flags and the derived key.
type demoTOTPOptions struct {
	fingerprints []string
	key          totp.Key
}

// validate checks demo's --fingerprint flags without I/O.
func (t *demoTOTPOptions) validate(roleSessionName string) error {
	specs := t.fingerprints
	if len(specs) == 0 {
		return nil
	}
	if roleSessionName != "" {
		return usageErrorf("with --fingerprint the session name is the TOTP code: drop --role-session-name", "demo: --fingerprint and --role-session-name exclude each other")
	}
	if _, err := totp.ParseSpecs(specs); err != nil {
		return &usageError{err: fmt.Errorf("demo: --fingerprint: %w", err), hint: hintOf(err)}
	}
	return nil
}

// prepare derives the key before the demo prints anything, so a bad
// source leaves stdout empty.
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

// demoTOTP remembers the code sent, for the report after the call.
type demoTOTP struct {
	key      totp.Key
	mu       sync.Mutex
	code     string
	signedAt time.Time
}

// demoTOTPSessionName prints the session-name step. Without --fingerprint
// it is demoSessionName's; with it, it derives the key (the values and the
// seed are never shown) and sets cfg.SessionName to the code of the
// signing time.
func demoTOTPSessionName(p *demoPrinter, o demoOptions, cfg *signer.Config, leaf *x509.Certificate) *demoTOTP {
	if len(o.totp.fingerprints) == 0 || o.totp.key == nil {
		demoSessionName(p, o, cfg, leaf)
		return nil
	}
	k := o.totp.key
	d := &demoTOTP{key: k}
	p.field("fingerprint", "%s (values never shown)", strings.Join(o.totp.fingerprints, ", "))
	if len(o.totp.fingerprints) == 1 && strings.HasPrefix(o.totp.fingerprints[0], "file:") {
		p.field("TOTP key", "SHA-1 of the file, what 'sha1sum FILE' prints (a secret; '%s totp seed' shows it)", progName)
		p.field("as in gen-creds", "oathtool --totp $(sha1sum FILE | cut -d' ' -f1)")
	} else {
		p.field("TOTP key", "derivation v1 over the sorted sources (a secret; '%s totp seed' shows it)", progName)
	}
	p.field("session name", "the 6-digit TOTP code (HMAC-SHA1, 30 s steps) of the signing time")
	cfg.RoleSessionName = ""
	cfg.SessionName = func(t time.Time) (string, error) {
		code, err := totp.Code(k, t, totp.Options{})
		if err != nil {
			return "", fmt.Errorf("totp session name: %w", err)
		}
		d.mu.Lock()
		d.code, d.signedAt = code, t
		d.mu.Unlock()
		return code, nil
	}
	return d
}

// report prints the code that was sent and detect's verdict on it (the
// seed script's rule). A nil d prints nothing.
func (d *demoTOTP) report(p *demoPrinter) {
	if d == nil {
		return
	}
	d.mu.Lock()
	code, at := d.code, d.signedAt
	d.mu.Unlock()
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
