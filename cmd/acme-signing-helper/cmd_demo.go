package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

const demoUsage = `[flags]

An offline round trip with nothing but this binary: a throwaway ACME-like
PKI in lego's layout, a local verifying Roles Anywhere endpoint, a
CreateSession with a TOTP session name, the trust policy evaluated against
it and detect on its CloudTrail record. No secret is shown; nothing leaves
this machine.
`

const demoFingerprintUsage = "make the session name the TOTP code of this fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME), as credential-process --fingerprint does; repeatable (default: a throwaway file of random bytes)"

type demoOptions struct {
	dir             string
	cloudTrail      string
	domain          string
	keyType         string
	roleSessionName string
	duration        int
	totp            demoTOTPOptions
	hooks           demoHooks
}

// demoTOTPOptions are demo's --fingerprint and --no-totp flags and the
// key derived from --fingerprint.
type demoTOTPOptions struct {
	fingerprints []string
	noTOTP       bool
	key          totp.Key
}

// demoHooks let tests see the secrets the demo handles, to check that
// none of them reaches the screen (demo.Options.OnCredentials, OnSecret).
type demoHooks struct {
	onCredentials func(signer.Credentials)
	onSecret      func([]byte)
}

func (o *demoOptions) validate() error {
	ok := false
	for _, k := range demo.KeyTypes {
		ok = ok || string(k) == o.keyType
	}
	if !ok {
		return usageErrorf("use one of p256, p384, rsa2048, rsa3072, rsa4096", "demo: --key-type %q is not supported", o.keyType)
	}
	if o.domain == "" || strings.ContainsAny(o.domain, "/\\ ") {
		return usageErrorf("give --domain a DNS name such as host.example.com", "demo: --domain %q is not a DNS name", o.domain)
	}
	if o.duration < signer.MinDurationSeconds || o.duration > signer.MaxDurationSeconds {
		return usageErrorf("give --session-duration between 900 and 43200 seconds", "demo: --session-duration %d is out of range", o.duration)
	}
	if len(o.totp.fingerprints) == 0 {
		return nil
	}
	if o.totp.noTOTP {
		return usageErrorf("drop --fingerprint to name the session after the certificate serial, or drop --no-totp", "demo: --fingerprint and --no-totp exclude each other")
	}
	if o.roleSessionName != "" {
		return usageErrorf("with --fingerprint the session name is the TOTP code: drop --role-session-name", "demo: --fingerprint and --role-session-name exclude each other")
	}
	if _, err := totp.ParseSpecs(o.totp.fingerprints); err != nil {
		return &usageError{Err: fmt.Errorf("demo: --fingerprint: %w", err), Fix: hintOf(err)}
	}
	return nil
}

func runDemo(e *env, args []string) error {
	return runDemoWith(e, args, demoHooks{})
}

func runDemoWith(e *env, args []string, hooks demoHooks) error {
	o := demoOptions{hooks: hooks}
	fs := newFlagSet(e, "demo", demoUsage)
	fs.StringVar(&o.dir, "dir", "", "write the throwaway PKI (lego layout, and the root CA as DIR/root.pem for serve-emulator --anchor-cert) into `DIR` and keep it (default: a temporary directory, removed at the end)")
	fs.StringVar(&o.cloudTrail, "cloudtrail", "", "write the CloudTrail records of the run, with the later calls of its sessions, to `FILE` (for detect --activity)")
	fs.StringVar(&o.domain, "domain", "host.example.com", "DNS `NAME` of the demo certificate")
	fs.StringVar(&o.keyType, "key-type", string(testpki.ECDSAP256), "leaf key `TYPE`: p256, p384, rsa2048, rsa3072 or rsa4096")
	fs.StringVar(&o.roleSessionName, "role-session-name", "", "ask for this session `NAME` instead of a TOTP code")
	fs.IntVar(&o.duration, "session-duration", signer.DefaultDurationSeconds, "session duration in `SECONDS` (900 to 43200)")
	fs.StringArrayVar(&o.totp.fingerprints, "fingerprint", nil, demoFingerprintUsage)
	fs.BoolVar(&o.totp.noTOTP, "no-totp", false, "send no session name: Roles Anywhere names the session after the certificate serial")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("demo takes flags only", "demo: unexpected argument %q", fs.Arg(0))
	}
	if err := o.validate(); err != nil {
		return err
	}
	// Derive the key of --fingerprint before the demo prints anything, so
	// a bad source leaves stdout empty.
	if len(o.totp.fingerprints) > 0 {
		k, err := fingerprintKey(e, o.totp.fingerprints)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		o.totp.key = k
	}
	err := demo.Run(e.ctx, demo.Options{
		Dir: o.dir, CloudTrail: o.cloudTrail, Domain: o.domain, KeyType: testpki.KeyType(o.keyType), RoleSessionName: o.roleSessionName, DurationSeconds: o.duration,
		NoTOTP: o.totp.noTOTP, Fingerprints: o.totp.fingerprints, FingerprintKey: o.totp.key,
		DeriveKey: func(specs []string) (totp.Key, error) { return fingerprintKey(e, specs) },
		ProgName:  progName, Stdout: e.stdout, Logger: e.log, Now: e.now,
		OnCredentials: o.hooks.onCredentials, OnSecret: o.hooks.onSecret,
	})
	var de *demo.DirError
	if errors.As(err, &de) {
		return &flagError{msg: "demo: --dir: " + de.Err.Error(), err: err}
	}
	return err
}
