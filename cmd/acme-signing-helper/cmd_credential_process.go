package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/dropin"
	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const credentialProcessHelp = `[flags]

Print temporary AWS credentials from IAM Roles Anywhere, made with an ACME
certificate, as one credential_process JSON object. A drop-in for
'aws_signing_helper credential-process' (same flags); an encrypted key's
password comes from --private-key-password-file or ` + "`+envKeyPassword+`" + `.
See docs/ for the ~/.aws/config line and the cache.
`

// envKeyPassword holds an encrypted key's password (never a flag: argv is
// visible to every user of the machine).
const envKeyPassword = envPrefix + "PRIVATE_KEY_PASSWORD"

// credentialProcessOptions are the flags of credential-process. Other
// commands that need credentials (update, serve) can embed it and call
// addFlags, validate and signerInputs.
type credentialProcessOptions struct {
	// Certificate material.
	certificate            string
	privateKey             string
	intermediates          string
	acmeDir                string
	domain                 string
	privateKeyPasswordFile string
	tpmKey                 tpmKeyFlags // cmd_tpm.go

	// The CreateSession request.
	trustAnchorARN  string
	profileARN      string
	roleARN         string
	region          string
	endpoint        string
	sessionDuration int
	roleSessionName string
	// sessionName, when set by a flag group (e.g. TOTP --fingerprint),
	// computes the session name at signing time and excludes
	// --role-session-name; set it in prepare, check it in validate.
	sessionName func(signingTime time.Time) (string, error)
	// totp is --fingerprint/--totp-digits (cmd_totp_session.go).
	totp totpSessionFlags

	// Transport.
	noVerifySSL     bool
	withProxy       bool
	timeout         time.Duration
	retryMaxBackoff time.Duration

	// unsupported names the PKCS#11/TPM/cert-store flags that were set.
	unsupported []string
}

func (o *credentialProcessOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.certificate, "certificate", "", "leaf certificate `FILE` (PEM), or the full chain with the leaf in it; a .p12/.pfx file holds the key too")
	fs.StringVar(&o.privateKey, "private-key", "", "private key `FILE` (PEM: PKCS#8, SEC1, PKCS#1, encrypted PKCS#8 or a TSS2 TPM key), or a TPM handle:0x81000001")
	fs.StringVar(&o.intermediates, "intermediates", "", "intermediate CA certificates `FILE` (PEM), added to the chain")
	fs.StringVar(&o.acmeDir, "acme-dir", "", "find the files in an ACME client's `DIR`: lego --path, certbot's config dir, acme.sh home")
	fs.StringVar(&o.domain, "domain", "", "certificate `NAME` in --acme-dir (a domain, *.domain for wildcards)")
	fs.StringVar(&o.privateKeyPasswordFile, "private-key-password-file", "", "read an encrypted key's password from `FILE` (or set "+envKeyPassword+")")
	o.tpmKey.addFlags(fs)
	fs.StringVar(&o.trustAnchorARN, "trust-anchor-arn", "", "trust anchor `ARN` (required)")
	fs.StringVar(&o.profileARN, "profile-arn", "", "profile `ARN` (required)")
	fs.StringVar(&o.roleARN, "role-arn", "", "role `ARN` to assume (required)")
	fs.StringVar(&o.region, "region", "", "signing `REGION`; must be the trust anchor ARN's (the default)")
	fs.StringVar(&o.endpoint, "endpoint", "", "Roles Anywhere endpoint `URL` (default: https://rolesanywhere.REGION.amazonaws.com)")
	fs.IntVar(&o.sessionDuration, "session-duration", signer.DefaultDurationSeconds, "session duration in `SECONDS` (900 to 43200)")
	fs.StringVar(&o.roleSessionName, "role-session-name", "", "role session `NAME` (the profile must accept it)")
	o.totp.addFlags(fs)
	fs.BoolVar(&o.noVerifySSL, "no-verify-ssl", false, "do not verify the endpoint's TLS certificate (insecure)")
	fs.BoolVar(&o.withProxy, "with-proxy", false, "accepted for compatibility: HTTPS_PROXY/NO_PROXY are always honoured")
	fs.DurationVar(&o.timeout, "timeout", signer.DefaultTimeout, "give up after `DURATION`, retries included")
	fs.DurationVar(&o.retryMaxBackoff, "retry-max-backoff", 0, "cap the wait between retries (tests)")
	_ = fs.MarkHidden("retry-max-backoff")
	dropin.AddUnsupported(fs, groupUnsupported)
	setGroup(fs, "certificate", "certificate", "private-key", "intermediates", "acme-dir", "domain", "private-key-password-file")
	setGroup(fs, "request", "trust-anchor-arn", "profile-arn", "role-arn", "region", "endpoint", "session-duration", "role-session-name", "fingerprint", "totp-digits")
	setGroup(fs, "transport", "no-verify-ssl", "with-proxy", "timeout")
}

// collect notes the unsupported flags that were set; call after parsing.
func (o *credentialProcessOptions) collect(fs *pflag.FlagSet) {
	o.unsupported = dropin.ChangedUnsupported(fs)
}

// validate checks the flags together, without I/O. Its errors are usage
// errors (exit 2).
func (o *credentialProcessOptions) validate() error {
	cfg := o.signerConfig()
	for _, err := range []error{dropin.RefuseUnsupported(o.unsupported), o.loadOptions().Validate(), cfg.CheckRequired()} {
		if err != nil {
			return credsUsage("credential-process", err)
		}
	}
	if err := o.totp.validate("credential-process", o.roleSessionName); err != nil {
		return err
	}
	if o.timeout <= 0 {
		return usageErrorf("give --timeout a positive duration such as 30s", "credential-process: --timeout %s is not positive", o.timeout)
	}
	return credsUsage("credential-process", cfg.Validate())
}

// credsUsage is err, a refusal of the credential flags of command cmd, as
// a usage error in the flags' words (hints.Credentials); nil for nil.
func credsUsage(cmd string, err error) error {
	if err == nil {
		return nil
	}
	w := hints.Credentials(cmd, err)
	return &usageError{Err: w, Fix: w.Fix}
}

// signerConfig is the request part of the options.
func (o *credentialProcessOptions) signerConfig() signer.Config {
	return signer.Config{
		TrustAnchorARN:  o.trustAnchorARN,
		ProfileARN:      o.profileARN,
		RoleARN:         o.roleARN,
		Region:          o.region,
		Endpoint:        o.endpoint,
		DurationSeconds: o.sessionDuration,
		RoleSessionName: o.roleSessionName,
		SessionName:     o.sessionName,
		NoVerifySSL:     o.noVerifySSL,
		Timeout:         o.timeout,
		MaxBackoff:      o.retryMaxBackoff,
	}
}

// loadOptions are the files signer.Load reads, without the password.
func (o *credentialProcessOptions) loadOptions() signer.LoadOptions {
	lo := signer.LoadOptions{Certificate: o.certificate, PrivateKey: o.privateKey, AcmeDir: o.acmeDir, Domain: o.domain}
	if o.intermediates != "" {
		lo.Intermediates = []string{o.intermediates}
	}
	return lo
}

// sessionNameKeyParts are the TOTP settings the cache key holds.
func (o *credentialProcessOptions) sessionNameKeyParts() []string {
	return credentials.SessionNameKeyParts(o.totp.digitsOrDefault(), o.totp.fingerprints)
}

// keyPassword returns the key password from --private-key-password-file or
// the environment, nil when neither is set.
func (o *credentialProcessOptions) keyPassword(e *env) ([]byte, error) {
	return readPassword(e, "private-key-password-file", o.privateKeyPasswordFile, envKeyPassword)
}

// readPassword returns a password from the file of flag (when given),
// else from the environment variable envVar, nil when neither is set.
func readPassword(e *env, flag, file, envVar string) ([]byte, error) {
	if file == "" {
		v, ok := e.lookupEnv(envVar)
		if !ok {
			return nil, nil
		}
		return []byte(v), nil
	}
	f, err := credentials.ReadSecretFile(file)
	if err != nil {
		return nil, withHint(fmt.Errorf("read --%s: %w", flag, err), "check the path of the password file and that it is readable by this user")
	}
	if f.Exposed {
		e.log.Warn("password file is readable by group or others: chmod 600 it", "file", file)
	}
	if f.Unchecked != "" {
		e.log.Debug(f.Unchecked)
	}
	return f.Secret, nil
}

// signerInputs loads the certificate material (printing its warnings) and
// builds the request configuration. Errors are ordinary failures (exit 1).
func (o *credentialProcessOptions) signerInputs(e *env) (*signer.Material, signer.Config, error) {
	o.totp.tpmDevice = o.tpmKey.device // a tpm-hmac:PATH fingerprint's TPM
	totpName, err := o.totp.sessionName(e)
	if err != nil {
		return nil, signer.Config{}, err
	}
	if totpName != nil {
		o.sessionName = totpName
	}
	password, err := o.keyPassword(e)
	if err != nil {
		return nil, signer.Config{}, err
	}
	lo := o.loadOptions()
	lo.Password, lo.Now = password, e.now
	if lo.TPMKeyPassword, err = o.tpmKey.password(e); err != nil {
		return nil, signer.Config{}, err
	}
	lo.TPMDevice = o.tpmKey.device
	m, err := signer.Load(lo)
	clear(password)
	clear(lo.TPMKeyPassword)
	if err != nil {
		return nil, signer.Config{}, err
	}
	e.log.Debug("loaded certificate", m.LogAttrs()...)
	for _, w := range m.Warnings {
		e.warnf("%s", w)
	}
	cfg := o.signerConfig()
	cfg.Now = e.now
	cfg.Logger = e.log
	cfg.CABundle = e.getenv("AWS_CA_BUNDLE")
	if o.noVerifySSL {
		fmt.Fprint(e.stderr, noVerifySSLWarning)
	}
	if o.withProxy {
		e.log.Debug("--with-proxy: proxies come from HTTPS_PROXY/NO_PROXY in any case")
	}
	return m, cfg, nil
}

const noVerifySSLWarning = progName + ": warning: --no-verify-ssl: the endpoint's TLS certificate is not verified; anyone on the network path can read the credentials\n"

// passwordFlags are the flags that would take a key password as their value:
// ours of old and the official helper's. All are refused before parsing,
// so that the parser cannot echo the value.
var passwordFlags = dropin.PasswordFlags

// rejectPasswordFlag refuses a key password given as a flag of command cmd
// before the parser could echo it: a process's arguments are readable by
// every local user (ps, /proc/PID/cmdline). The error names the flag,
// never its value.
func rejectPasswordFlag(cmd string, args []string) error {
	return credsUsage(cmd, dropin.RefusePasswordFlag(args))
}

func runCredentialProcess(e *env, args []string) error {
	if e.process {
		// One request, done in sequence: a second P only makes the
		// scheduler start and wake threads for the transport's goroutines
		// (about 0.6 ms of CPU, 6 % of a cold call's wall time). First
		// thing: set later (after the flags, or only on a cache miss) a
		// cold call was 0.2 to 0.3 ms slower, and a hit no faster.
		runtime.GOMAXPROCS(1)
	}
	if err := rejectPasswordFlag("credential-process", args); err != nil {
		return err
	}
	var o credentialProcessOptions
	var cache cacheOptions // cmd_credential_cache.go
	fs := newFlagSet(e, "credential-process", credentialProcessHelp)
	o.addFlags(fs)
	cache.addFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("credential-process takes flags only", "credential-process: unexpected argument %q", fs.Arg(0))
	}
	o.collect(fs)
	if err := o.validate(); err != nil {
		return err
	}
	if err := cache.validate(o.sessionDuration); err != nil {
		return err
	}
	// A cache hit reads no key and builds no client; a miss loads and
	// checks everything before any call.
	creds, err := cache.obtain(e, &o)
	if err != nil {
		return err
	}
	out, err := credentials.ProcessJSON(creds)
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("write credentials to stdout: %w", err)
	}
	e.log.Debug("wrote credentials", "access_key_id", creds.AccessKeyID, "expiration", creds.Expiration.UTC().Format(time.RFC3339))
	return nil
}
