package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// totpSessionFlags are the TOTP flags of credential-process (and of the
// commands that embed its options): with --fingerprint the role session
// name is the TOTP code of the fingerprint, computed at signing time, as
// the seeds' gen-creds.sh does with oathtool.
type totpSessionFlags struct {
	fingerprints []string
	digits       int
	fs           *pflag.FlagSet
	// tpmDevice is the TPM of a tpm-hmac:PATH source (the command's
	// --tpm-device).
	tpmDevice string
}

func (t *totpSessionFlags) addFlags(fs *pflag.FlagSet) {
	t.fs = fs
	fs.StringArrayVar(&t.fingerprints, "fingerprint", nil, "make the role session name the TOTP code of this fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME; or tpm-hmac:PATH alone, a seed in the TPM); repeatable")
	fs.IntVar(&t.digits, "totp-digits", 6, "`N` digits of the TOTP session name: 6, 7 or 8")
}

func (t *totpSessionFlags) enabled() bool { return len(t.fingerprints) > 0 }

// digitsOrDefault treats the zero value (options built without flags) as 6.
func (t *totpSessionFlags) digitsOrDefault() int {
	if t.digits == 0 {
		return 6
	}
	return t.digits
}

// validate checks the flags without I/O; roleSessionName is
// --role-session-name, which a TOTP session name excludes.
func (t *totpSessionFlags) validate(cmd, roleSessionName string) error {
	digitsSet := t.fs != nil && t.fs.Changed("totp-digits")
	switch {
	case t.enabled() && roleSessionName != "":
		return usageErrorf("with --fingerprint the session name is the TOTP code: drop --role-session-name", "%s: --fingerprint and --role-session-name exclude each other", cmd)
	case digitsSet && !t.enabled():
		return usageErrorf("--totp-digits sets the length of the TOTP session name: add --fingerprint SPEC, or drop --totp-digits", "%s: --totp-digits needs --fingerprint", cmd)
	case t.digitsOrDefault() < 6 || t.digitsOrDefault() > 8 || digitsSet && t.digits == 0:
		return usageErrorf("use --totp-digits 6 (the default, what a trust policy's sts:RoleSessionName \"??????\" expects), 7 or 8", "%s: --totp-digits %d: want 6, 7 or 8", cmd, t.digits)
	}
	sp, err := totp.ParseSpecs(t.fingerprints)
	if err == nil {
		_, _, err = totp.DeviceSpec(sp)
	}
	if err != nil {
		return &usageError{Err: fmt.Errorf("%s: --fingerprint: %w", cmd, err), Fix: hintOf(err)}
	}
	return nil
}

// sessionName derives the key now (so a missing source fails before any
// network call) and returns the callback that computes the code at the
// signing time. nil when --fingerprint is not given. The key and the codes
// are never logged.
func (t *totpSessionFlags) sessionName(e *env) (func(signingTime time.Time) (string, error), error) {
	if !t.enabled() {
		return nil, nil
	}
	digits := t.digitsOrDefault()
	var seed totp.Seed
	h, ok, err := tpmHMAC(e, t.fingerprints, t.tpmDevice) // cmd_tpm.go
	if ok && err == nil {
		seed.Device = h
	} else if err == nil {
		seed.Key, err = fingerprintKey(e, t.fingerprints)
	}
	if err != nil {
		return nil, err
	}
	return func(signingTime time.Time) (string, error) {
		name, err := seed.SessionName(signingTime, digits)
		if err == nil && seed.Device == nil {
			e.log.Debug("role session name is the totp code of the signing time", "step", totp.Step(signingTime), "digits", digits)
		}
		return name, err
	}, nil
}
