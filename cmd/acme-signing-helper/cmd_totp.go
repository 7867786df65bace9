package main

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpenroll"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
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

// addKeyFlags binds the flags that say where the TOTP key comes from to s
// (seedFile: the command also takes --seed-file).
func addKeyFlags(fs *pflag.FlagSet, s *totpkey.Source, seedFile bool) {
	fs.StringArrayVar(&s.Fingerprints, "fingerprint", nil, "a fingerprint source `SPEC` (file:PATH, machine-id, dmi:FIELD, hostname, env:NAME); repeat for several")
	if seedFile {
		fs.StringVar(&s.SeedFile, "seed-file", "", "read the hex key from `FILE` (mode 0600) instead of a fingerprint")
	}
	fs.StringVar(&s.TPMDevice, "tpm-device", "", "TPM `DEVICE` of a tpm-hmac:PATH fingerprint or of --tpm: a path (default /dev/tpmrm0, else /dev/tpm0), unix:PATH or mssim:HOST:PORT")
}

// keySource is a key source with the command's environment and log (the
// log of --debug once the flags are parsed).
func keySource(e *env) totpkey.Source {
	return totpkey.Source{LookupEnv: e.lookupEnv, Logger: e.log}
}

// fingerprintKey derives the key of --fingerprint specs.
func fingerprintKey(e *env, specs []string) (totp.Key, error) {
	s := keySource(e)
	s.Fingerprints = specs
	return s.Key()
}

// totpUsageError is the usage error of the totp command cmd for an error of
// an option check, in the flags' words (hints.TOTPUsage).
func totpUsageError(cmd string, err error) error {
	w := hints.TOTPUsage(cmd, err)
	return &usageError{Err: w, Fix: w.Fix}
}

func noArgs(fs *pflag.FlagSet, cmd string) error {
	if fs.NArg() > 0 {
		return usageErrorf("totp "+cmd+" takes flags only; a fingerprint goes in --fingerprint SPEC", "totp %s: unexpected argument %q", cmd, fs.Arg(0))
	}
	return nil
}

func runTOTPSeed(e *env, args []string) error {
	s := keySource(e)
	fs := newFlagSet(e, "totp seed", totpSeedHelp)
	addKeyFlags(fs, &s, false)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	s.Logger = e.log
	if err := noArgs(fs, "seed"); err != nil {
		return err
	}
	if err := s.Check(false); err != nil {
		return totpUsageError("totp seed", err)
	}
	k, err := s.Key()
	if err != nil {
		return hints.TOTPError(err)
	}
	_, err = fmt.Fprintln(e.stdout, k.Hex())
	return err
}

// totpCodeOptions are the flags of totp code and totp verify.
type totpCodeOptions struct {
	totpkey.Source
	at        string
	digits    int
	window    int
	algorithm string
}

// addFlags adds the key flags and --at of totp code and totp verify; when
// is what --at says.
func (o *totpCodeOptions) addFlags(fs *pflag.FlagSet, when string) {
	addKeyFlags(fs, &o.Source, true)
	fs.StringVar(&o.at, "at", "", when)
	fs.StringVar(&o.at, "now", "", "the same as --at `TIME` (oathtool's name)")
}

func runTOTPCode(e *env, args []string) error {
	o := totpCodeOptions{Source: keySource(e)}
	fs := newFlagSet(e, "totp code", totpCodeHelp)
	o.addFlags(fs, "compute the code at `TIME` (default now): RFC 3339, @UNIX-SECONDS or 'date -R' output")
	fs.IntVar(&o.digits, "digits", 6, "code length `N`: 6, 7 or 8")
	fs.StringVar(&o.algorithm, "algorithm", "sha1", "HMAC hash `NAME`: sha1, sha256 or sha512")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.Logger = e.log
	if err := noArgs(fs, "code"); err != nil {
		return err
	}
	if err := cmp.Or(o.Check(true), totpkey.CheckDigits(o.digits)); err != nil {
		return totpUsageError("totp code", err)
	}
	alg, at, err := totpkey.ParseAlgorithmAt(o.algorithm, o.at, e.now)
	if err != nil {
		return totpUsageError("totp code", err)
	}
	seed, err := o.Seed()
	if err != nil {
		return hints.TOTPError(err)
	}
	code, err := seed.Code(at, totp.Options{Digits: o.digits, Algorithm: alg})
	if errors.Is(err, totp.ErrBeforeEpoch) {
		return totpUsageError("totp code", err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, code)
	return err
}

func runTOTPVerify(e *env, args []string) error {
	o := totpCodeOptions{Source: keySource(e)}
	fs := newFlagSet(e, "totp verify", totpVerifyHelp)
	o.addFlags(fs, "the reference `TIME` (oathtool's --now; default now): RFC 3339, @UNIX-SECONDS or 'date -R' output")
	fs.IntVar(&o.window, "window", 0, "also accept codes up to `N` steps of 30 s before or after")
	fs.StringVar(&o.algorithm, "algorithm", "sha1", "HMAC hash `NAME`: sha1, sha256 or sha512")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.Logger = e.log
	if err := cmp.Or(o.Check(true), totpkey.CheckWindow(o.window)); err != nil {
		return totpUsageError("totp verify", err)
	}
	if fs.NArg() != 1 {
		return usageErrorf("pass the code to check as the one argument (or - to read it from stdin)", "totp verify: want one CODE argument, got %d", fs.NArg())
	}
	alg, at, err := totpkey.ParseAlgorithmAt(o.algorithm, o.at, e.now)
	if err != nil {
		return totpUsageError("totp verify", err)
	}
	code := fs.Arg(0)
	if code == "-" {
		if code, err = totp.ReadCode(e.stdin); err != nil {
			return fmt.Errorf("read code from stdin: %w", err)
		}
	}
	if err := totp.CheckCode(code); err != nil {
		return totpUsageError("totp verify", err)
	}
	k, err := o.Key()
	if err != nil {
		return hints.TOTPError(err)
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

func runTOTPEnroll(e *env, args []string) error {
	o := totpenroll.Options{Key: keySource(e)}
	set := newFlagSet(e, "totp enroll", totpEnrollHelp)
	addKeyFlags(set, &o.Key, false)
	set.StringVar(&o.Certificate, "certificate", "", "the workload's certificate `FILE` (leaf or full chain)")
	set.StringVar(&o.ACMEDir, "acme-dir", "", "find the certificate in this lego/certbot/acme.sh `DIR`")
	set.StringVar(&o.Domain, "domain", "", "the certificate's `NAME` in --acme-dir")
	set.StringVar(&o.DB, "db", "", "merge the entry into this seeds database `FILE` (written atomically, mode 0600)")
	set.BoolVar(&o.Replace, "replace", false, "with --db: overwrite a different seed stored for this identity")
	set.BoolVar(&o.TPM, "tpm", false, "draw a random seed and give it to the TPM: write its blob to --out (for --fingerprint tpm-hmac:FILE) and the seed to the database only")
	set.StringVar(&o.Out, "out", "", "with --tpm: write the TPM's blob of the seed to `FILE` (mode 0600, not overwritten)")
	if err := parseFlags(e, set, args); err != nil {
		return err
	}
	o.Key.Logger = e.log
	if err := noArgs(set, "enroll"); err != nil {
		return err
	}
	if err := o.Check(); err != nil {
		return totpUsageError("totp enroll", err)
	}
	res, err := totpenroll.Run(o)
	defer clear(res.Entry)
	switch {
	case err != nil:
		return hints.TOTPError(err)
	case o.DB == "":
		if _, err := fmt.Fprintf(e.stdout, "%s\n", res.Entry); err != nil || !o.TPM {
			return err
		}
		fmt.Fprintf(e.stderr, "%s: wrote the TPM's blob of the seed to %s; the entry above is the only copy of the seed: put it in the seeds database\n", progName, o.Out)
	case o.TPM:
		fmt.Fprintf(e.stderr, "%s: enrolled %s in %s; the TPM holds the seed (blob %s)\n", progName, res.Identity, o.DB, o.Out)
	case !res.Changed:
		fmt.Fprintf(e.stderr, "%s: %s is already enrolled with this seed in %s\n", progName, res.Identity, o.DB)
	default:
		fmt.Fprintf(e.stderr, "%s: enrolled %s in %s\n", progName, res.Identity, o.DB)
	}
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
