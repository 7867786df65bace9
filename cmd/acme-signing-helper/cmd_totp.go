package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

const totpUsage = `usage: acme-signing-helper totp COMMAND [flags]

TOTP codes from an environment fingerprint, oathtool-compatible.

commands:
  seed    --fingerprint SPEC...                      print the hex key (the seed)
  code    (--fingerprint SPEC... | --seed-file F) [--at TIME] [--digits N] [--algorithm A]
                                                     print the code
  verify  (--fingerprint SPEC... | --seed-file F) [--at TIME] [--window N] [--algorithm A] CODE
                                                     print the matched offset (exit 0), or exit 1
  enroll  --fingerprint SPEC... (--certificate F | --acme-dir D --domain N) [--db FILE [--replace]]
                                                     print (or merge) this machine's seeds-database entry

A fingerprint SPEC is file:PATH, machine-id, dmi:FIELD, hostname or env:NAME;
repeat --fingerprint for several. One file: source gives the key of
'sha1sum FILE'. TIME is RFC 3339, @UNIX-SECONDS or what 'date -R' prints.
Run 'acme-signing-helper totp COMMAND --help' for a command's flags.
`

var totpCommands = map[string]func(e *env, args []string) error{
	"seed":   runTOTPSeed,
	"code":   runTOTPCode,
	"verify": runTOTPVerify,
	"enroll": runTOTPEnroll,
}

func runTOTP(e *env, args []string) error {
	return runSubcommand(e, "totp", totpUsage, totpCommands, args)
}

// keyFlags are the flags that say where the TOTP key comes from.
type keyFlags struct {
	fingerprints []string
	seedFile     string
	tpmDevice    string // of a tpm-hmac:PATH fingerprint (cmd_tpm.go)
}

func (k *keyFlags) add(fs *pflag.FlagSet, seedFile bool) {
	fs.StringArrayVar(&k.fingerprints, "fingerprint", nil, "a fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME); repeat for several")
	if seedFile {
		fs.StringVar(&k.seedFile, "seed-file", "", "read the hex key from `FILE` (mode 0600) instead of a fingerprint")
	}
	fs.StringVar(&k.tpmDevice, "tpm-device", "", "TPM `DEVICE` of a tpm-hmac:PATH fingerprint or of --tpm: a path (default /dev/tpmrm0, else /dev/tpm0), unix:PATH or mssim:HOST:PORT")
}

func (k *keyFlags) validate(cmd string, seedFile bool) error {
	switch {
	case seedFile && len(k.fingerprints) > 0 && k.seedFile != "":
		return usageErrorf("give the key either as --fingerprint SPEC or as --seed-file FILE", "totp %s: --fingerprint and --seed-file exclude each other", cmd)
	case len(k.fingerprints) == 0 && (!seedFile || k.seedFile == ""):
		if seedFile {
			return usageErrorf("pass --fingerprint SPEC (e.g. --fingerprint file:/opt/monkey.jpg) or --seed-file FILE", "totp %s: no key: --fingerprint or --seed-file is required", cmd)
		}
		return usageErrorf("pass --fingerprint SPEC, e.g. --fingerprint file:/opt/monkey.jpg or --fingerprint machine-id", "totp %s: --fingerprint is required", cmd)
	}
	if _, err := totp.ParseSpecs(k.fingerprints); err != nil {
		return &usageError{Err: fmt.Errorf("--fingerprint: %w", err), Fix: hintOf(err)}
	}
	return nil
}

// fingerprintSystem reads fingerprint sources on this machine, with the
// command's environment.
func fingerprintSystem(e *env) *totp.System {
	return &totp.System{LookupEnv: e.lookupEnv}
}

// fingerprintKey derives the key of --fingerprint specs.
func fingerprintKey(e *env, specs []string) (totp.Key, error) {
	k, err := totp.DeriveKeyFromSpecs(fingerprintSystem(e), specs)
	if err != nil {
		return nil, err
	}
	sp, _ := totp.ParseSpecs(specs) // DeriveKeyFromSpecs parsed them
	e.log.Debug("derived totp key", "sources", len(specs), "derivation", totp.Derivation(sp))
	return k, nil
}

// load returns the key the flags name.
func (k *keyFlags) load(e *env) (totp.Key, error) {
	if k.seedFile == "" {
		return fingerprintKey(e, k.fingerprints)
	}
	key, loose, err := totp.ReadKeyFile(k.seedFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, withHint(fmt.Errorf("--seed-file: %w", err), "check the --seed-file path")
		}
		return nil, withHint(err, "check the --seed-file path and that it is readable") // unless err has its own hint
	}
	if loose {
		e.log.Warn("seed file is readable by group or others; seeds are secrets: chmod 600 it", "file", k.seedFile)
	}
	warnModeUnchecked(e, "seed file", k.seedFile)
	return key, nil
}

// seed returns the seed the flags name: the TPM's for a lone
// --fingerprint tpm-hmac:PATH (cmd_tpm.go), else the key of load.
func (k *keyFlags) seed(e *env) (totp.Seed, error) {
	if h, ok, err := tpmHMAC(e, k.fingerprints, k.tpmDevice); ok || err != nil {
		return totp.Seed{Device: h}, err
	}
	key, err := k.load(e)
	return totp.Seed{Key: key}, err
}

// warnModeUnchecked says that the mode of a file of seeds was not checked,
// where file modes do not say who may read it (totp.ModeChecked).
func warnModeUnchecked(e *env, what, path string) {
	if !totp.ModeChecked {
		e.log.Warn(what+" permissions are not checked on this platform; seeds are secrets: make sure only you can read it", "file", path)
	}
}

// parseAlgorithmAt parses --algorithm and --at ("" means now).
func parseAlgorithmAt(e *env, algorithm, at string) (totp.Algorithm, time.Time, error) {
	alg, err := totp.ParseAlgorithm(algorithm)
	if err != nil {
		return "", time.Time{}, &usageError{Err: fmt.Errorf("--algorithm: %w", err)} // the hint comes from the error
	}
	if at == "" {
		return alg, e.now(), nil
	}
	t, err := totp.ParseTime(at)
	if err != nil {
		return "", time.Time{}, &usageError{Err: fmt.Errorf("--at: %w", err)} // the hint comes from the error
	}
	return alg, t, nil
}

func noArgs(fs *pflag.FlagSet, cmd string) error {
	if fs.NArg() > 0 {
		return usageErrorf("totp "+cmd+" takes flags only; a fingerprint goes in --fingerprint SPEC", "totp %s: unexpected argument %q", cmd, fs.Arg(0))
	}
	return nil
}

func runTOTPSeed(e *env, args []string) error {
	var kf keyFlags
	fs := newFlagSet(e, "totp seed", totpSeedHelp)
	kf.add(fs, false)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := noArgs(fs, "seed"); err != nil {
		return err
	}
	if err := kf.validate("seed", false); err != nil {
		return err
	}
	k, err := kf.load(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, k.Hex())
	return err
}

type totpCodeOptions struct {
	keyFlags
	at        string
	digits    int
	algorithm string
}

func (o *totpCodeOptions) validate() error {
	if err := o.keyFlags.validate("code", true); err != nil {
		return err
	}
	if o.digits < 6 || o.digits > 8 {
		return usageErrorf("use --digits 6 (the default), 7 or 8", "--digits %d: want 6, 7 or 8", o.digits)
	}
	return nil
}

func runTOTPCode(e *env, args []string) error {
	var o totpCodeOptions
	fs := newFlagSet(e, "totp code", totpCodeHelp)
	o.add(fs, true)
	fs.StringVar(&o.at, "at", "", "compute the code at `TIME` (default now): RFC 3339, @UNIX-SECONDS or 'date -R' output")
	fs.StringVar(&o.at, "now", "", "the same as --at `TIME` (oathtool's name)")
	fs.IntVar(&o.digits, "digits", 6, "code length `N`: 6, 7 or 8")
	fs.StringVar(&o.algorithm, "algorithm", "sha1", "HMAC hash `NAME`: sha1, sha256 or sha512")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := noArgs(fs, "code"); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	alg, at, err := parseAlgorithmAt(e, o.algorithm, o.at)
	if err != nil {
		return err
	}
	seed, err := o.seed(e)
	if err != nil {
		return err
	}
	code, err := seed.Code(at, totp.Options{Digits: o.digits, Algorithm: alg})
	if errors.Is(err, totp.ErrBeforeEpoch) {
		return &usageError{Err: fmt.Errorf("--at: %w", err)} // the hint comes from the error
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, code)
	return err
}

type totpVerifyOptions struct {
	keyFlags
	at        string
	window    int
	algorithm string
}

func (o *totpVerifyOptions) validate(fs *pflag.FlagSet) error {
	if err := o.keyFlags.validate("verify", true); err != nil {
		return err
	}
	if o.window < 0 || o.window > totp.MaxWindow {
		return usageErrorf("--window is how many 30-second steps either side to accept, e.g. --window 1", "--window %d: want 0..%d", o.window, totp.MaxWindow)
	}
	if fs.NArg() != 1 {
		return usageErrorf("pass the code to check as the one argument (or - to read it from stdin)", "totp verify: want one CODE argument, got %d", fs.NArg())
	}
	return nil
}

func runTOTPVerify(e *env, args []string) error {
	var o totpVerifyOptions
	fs := newFlagSet(e, "totp verify", totpVerifyHelp)
	o.add(fs, true)
	fs.StringVar(&o.at, "at", "", "the reference `TIME` (oathtool's --now; default now): RFC 3339, @UNIX-SECONDS or 'date -R' output")
	fs.StringVar(&o.at, "now", "", "the same as --at `TIME` (oathtool's name)")
	fs.IntVar(&o.window, "window", 0, "also accept codes up to `N` steps of 30 s before or after")
	fs.StringVar(&o.algorithm, "algorithm", "sha1", "HMAC hash `NAME`: sha1, sha256 or sha512")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := o.validate(fs); err != nil {
		return err
	}
	alg, at, err := parseAlgorithmAt(e, o.algorithm, o.at)
	if err != nil {
		return err
	}
	code := fs.Arg(0)
	if code == "-" {
		if code, err = totp.ReadCode(e.stdin); err != nil {
			return fmt.Errorf("read code from stdin: %w", err)
		}
	}
	if err := totp.CheckCode(code); err != nil {
		return &usageError{Err: fmt.Errorf("totp verify: CODE: %w", err)} // the hint comes from the error
	}
	k, err := o.load(e)
	if err != nil {
		return err
	}
	res, err := totp.Verify(k, code, at, o.window, alg)
	if err != nil {
		return err
	}
	if !res.Matched {
		return &totp.NoMatchError{Window: o.window, At: at}
	}
	e.log.Debug("code matched", "offset", res.Offset, "delta", res.Delta)
	_, err = fmt.Fprintln(e.stdout, res.Offset)
	return err
}

type totpEnrollOptions struct {
	keyFlags
	certificate string
	acmeDir     string
	domain      string
	db          string
	replace     bool
	tpm         bool   // --tpm: the seed goes into the TPM (cmd_tpm.go)
	out         string // --out: the TPM's blob
}

func (o *totpEnrollOptions) validate(fs *pflag.FlagSet) error {
	if err := noArgs(fs, "enroll"); err != nil {
		return err
	}
	if err := o.validateTPM(); err != nil { // cmd_tpm.go
		return err
	}
	if err := o.keyFlags.validate("enroll", false); !o.tpm && err != nil {
		return err
	}
	switch {
	case o.certificate != "" && (o.acmeDir != "" || o.domain != ""):
		return usageErrorf("use either --certificate FILE or --acme-dir DIR --domain NAME", "totp enroll: --certificate and --acme-dir/--domain exclude each other")
	case o.certificate == "" && o.acmeDir == "" && o.domain == "":
		return usageErrorf("pass --certificate FILE, or --acme-dir DIR --domain NAME for lego/certbot/acme.sh files", "totp enroll: no certificate: --certificate or --acme-dir/--domain is required")
	case o.certificate == "" && (o.acmeDir == "" || o.domain == ""):
		return usageErrorf("pass both --acme-dir DIR and --domain NAME", "totp enroll: --acme-dir and --domain go together")
	case o.replace && o.db == "":
		return usageErrorf("--replace overwrites a seed in --db FILE; without --db the entry is printed", "totp enroll: --replace needs --db")
	case o.domain != "" && signer.CheckDomain(o.domain) != nil:
		return usageErrorf("pass the domain (or certbot certificate name) without a path, e.g. --domain host.example.com", "--domain %q is not a certificate name", o.domain)
	}
	return nil
}

// enrollCertificatePath finds the certificate of --acme-dir/--domain in the
// lego, certbot or acme.sh layout (the private key is not needed).
func enrollCertificatePath(dir, domain string) (string, error) {
	path, err := signer.LocateCertificate(dir, domain)
	var le *signer.LayoutError
	if errors.As(err, &le) {
		return "", withHint(fmt.Errorf("no certificate for %q in %q; tried %s", domain, dir, strings.Join(le.Tried, ", ")),
			"check --acme-dir (lego's --path, /etc/letsencrypt, ~/.acme.sh) and --domain, or pass --certificate FILE")
	}
	return path, err
}

// enrollLeaf reads the leaf certificate: the first non-CA certificate of the
// file (a full chain works).
func enrollLeaf(path string) (*x509.Certificate, error) {
	leaf, err := signer.ReadLeafCertificate(path)
	if fe := (*signer.FileError)(nil); errors.As(err, &fe) && fe.Err != signer.ErrFileTooLarge {
		return nil, withHint(fmt.Errorf("read certificate: %w", fe.Err), "check the certificate path")
	}
	return leaf, err
}

// enrollDBError words an error of totp.Enroll or totp.EnrollDevice for
// --db FILE; other is returned for any other error.
func enrollDBError(err error, db string, other error) error {
	var ee *totp.EnrollError
	switch {
	case errors.As(err, &ee) && ee.Op == "load":
		return withHint(err, "check --db: a JSON array of {\"IDENTITY\": \"SEED\"} objects, mode 0600")
	case errors.As(err, &ee) && ee.Op == "merge":
		return fmt.Errorf("--db %q: %w", db, ee.Err)
	}
	return other
}

func runTOTPEnroll(e *env, args []string) error {
	var o totpEnrollOptions
	set := newFlagSet(e, "totp enroll", totpEnrollHelp)
	o.add(set, false)
	set.StringVar(&o.certificate, "certificate", "", "the workload's certificate `FILE` (leaf or full chain)")
	set.StringVar(&o.acmeDir, "acme-dir", "", "find the certificate in this lego/certbot/acme.sh `DIR`")
	set.StringVar(&o.domain, "domain", "", "the certificate's `NAME` in --acme-dir")
	set.StringVar(&o.db, "db", "", "merge the entry into this seeds database `FILE` (written atomically, mode 0600)")
	set.BoolVar(&o.replace, "replace", false, "with --db: overwrite a different seed stored for this identity")
	set.BoolVar(&o.tpm, "tpm", false, "draw a random seed and give it to the TPM: write its blob to --out (for --fingerprint tpm-hmac:FILE) and the seed to the database only")
	set.StringVar(&o.out, "out", "", "with --tpm: write the TPM's blob of the seed to `FILE` (mode 0600, not overwritten)")
	if err := parseFlags(e, set, args); err != nil {
		return err
	}
	if err := o.validate(set); err != nil {
		return err
	}
	certPath := o.certificate
	if certPath == "" {
		var err error
		if certPath, err = enrollCertificatePath(o.acmeDir, o.domain); err != nil {
			return err
		}
	}
	leaf, err := enrollLeaf(certPath)
	if err != nil {
		return err
	}
	id, err := totp.CertificateIdentity(leaf)
	if err != nil {
		return fmt.Errorf("certificate %q has %w", certPath, err) // the hint comes from the error
	}
	if o.tpm {
		return enrollTPM(e, &o, id) // cmd_tpm.go
	}
	k, err := fingerprintKey(e, o.fingerprints)
	if err != nil {
		return err
	}
	if o.db == "" {
		b, err := totp.EntryJSON(id, k)
		if err != nil {
			return fmt.Errorf("encode seeds database entry: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	res, err := totp.Enroll(o.db, id, k, o.replace)
	if res.Created {
		e.log.Debug("creating seeds database", "file", o.db)
	}
	if res.OthersCanRead {
		e.log.Warn("seeds database is readable by group or others; seeds are secrets (a rewrite makes it 0600)", "file", o.db)
	}
	warnModeUnchecked(e, "seeds database", o.db)
	switch {
	case err != nil:
		return enrollDBError(err, o.db, err) // a write error's hint comes from the error
	case !res.Changed:
		fmt.Fprintf(e.stderr, "%s: %s is already enrolled with this seed in %s\n", progName, id, o.db)
		return nil
	}
	fmt.Fprintf(e.stderr, "%s: enrolled %s in %s\n", progName, id, o.db)
	return nil
}

const totpSeedHelp = `[flags]

Print the hex key (the seed) derived from the --fingerprint sources; one
file: source gives the key of 'sha1sum FILE'.
`

const totpCodeHelp = `[flags]

Print the TOTP code of the fingerprint key or --seed-file at --at TIME
(default now), as oathtool --totp does; --now is accepted as oathtool's
name for --at.
`

const totpVerifyHelp = `[flags] CODE

Check CODE against the key at --at TIME within --window steps: print the
matched offset (exit 0), or exit 1.
`

const totpEnrollHelp = `[flags]

Print this machine's seeds-database entry (the certificate's identity and
the fingerprint key), or merge it into --db FILE.
`
