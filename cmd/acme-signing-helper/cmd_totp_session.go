package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
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

// session is the TOTP session name of the flags (internal/totpkey), with
// e's environment and log.
func (t *totpSessionFlags) session(e *env, roleSessionName string) totpkey.Session {
	s := totpkey.Session{Digits: t.digits, DigitsSet: t.fs != nil && t.fs.Changed("totp-digits"), FixedName: roleSessionName != ""}
	s.Fingerprints, s.TPMDevice = t.fingerprints, t.tpmDevice
	if e != nil {
		s.LookupEnv, s.Logger = e.lookupEnv, e.log
	}
	return s
}

// digitsOrDefault treats the zero value (options built without flags) as 6.
func (t *totpSessionFlags) digitsOrDefault() int {
	s := t.session(nil, "")
	return s.DigitsOrDefault()
}

// validate checks the flags without I/O; roleSessionName is
// --role-session-name, which a TOTP session name excludes.
func (t *totpSessionFlags) validate(cmd, roleSessionName string) error {
	s := t.session(nil, roleSessionName)
	if err := s.Check(); err != nil {
		w := hints.TOTPSessionUsage(cmd, err)
		return &usageError{Err: w, Fix: w.Fix}
	}
	return nil
}

// sessionName derives the key now (so a missing source fails before any
// network call) and returns the callback that computes the code at the
// signing time (totpkey.Session.Name). nil when --fingerprint is not
// given. The key and the codes are never logged.
func (t *totpSessionFlags) sessionName(e *env) (func(signingTime time.Time) (string, error), error) {
	s := t.session(e, "")
	name, err := s.Name()
	return name, hints.TOTPError(err)
}
