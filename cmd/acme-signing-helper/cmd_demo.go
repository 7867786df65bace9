package main

import (
	"errors"

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

// demoHooks let tests see the secrets the demo handles, to check that
// none of them reaches the screen (demo.Options.OnCredentials, OnSecret).
type demoHooks struct {
	onCredentials func(signer.Credentials)
	onSecret      func([]byte)
}

func runDemo(e *env, args []string) error {
	return runDemoWith(e, args, demoHooks{})
}

func runDemoWith(e *env, args []string, hooks demoHooks) error {
	o := demo.Options{ProgName: progName, Stdout: e.stdout, Now: e.now, OnCredentials: hooks.onCredentials, OnSecret: hooks.onSecret}
	o.DeriveKey = func(specs []string) (totp.Key, error) { return fingerprintKey(e, specs) }
	fs := newFlagSet(e, "demo", demoUsage)
	fs.StringVar(&o.Dir, "dir", "", "write the throwaway PKI (lego layout, and the root CA as DIR/root.pem for serve-emulator --anchor-cert) into `DIR` and keep it (default: a temporary directory, removed at the end)")
	fs.StringVar(&o.CloudTrail, "cloudtrail", "", "write the CloudTrail records of the run, with the later calls of its sessions, to `FILE` (for detect --activity)")
	fs.StringVar(&o.Domain, "domain", "host.example.com", "DNS `NAME` of the demo certificate")
	fs.StringVar((*string)(&o.KeyType), "key-type", string(testpki.ECDSAP256), "leaf key `TYPE`: p256, p384, rsa2048, rsa3072 or rsa4096")
	fs.StringVar(&o.RoleSessionName, "role-session-name", "", "ask for this session `NAME` instead of a TOTP code")
	fs.IntVar(&o.DurationSeconds, "session-duration", signer.DefaultDurationSeconds, "session duration in `SECONDS` (900 to 43200)")
	fs.StringArrayVar(&o.Fingerprints, "fingerprint", nil, demoFingerprintUsage)
	fs.BoolVar(&o.NoTOTP, "no-totp", false, "send no session name: Roles Anywhere names the session after the certificate serial")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("demo takes flags only", "demo: unexpected argument %q", fs.Arg(0))
	}
	if err := o.Validate(); err != nil {
		return &usageError{Err: reworded("demo", err)} // the hint comes from the error
	}
	o.Logger = e.log // set by parseFlags (--debug)
	err := demo.Run(e.ctx, o)
	if errors.As(err, new(*demo.DirError)) {
		return reworded("demo", err)
	}
	return err
}
