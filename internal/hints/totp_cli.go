package hints

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/totpenroll"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The words of the totp commands (totp seed, code, verify, enroll) and of
// the TOTP session name flags of credential-process (--fingerprint,
// --totp-digits): the usage messages of the option checks of
// internal/totpkey and internal/totpenroll, which name the flags, and the
// fixes of those packages' errors.

// TOTPFlagError is an error of the totp commands' packages in the command
// line's words: its text is Msg, which names the flags, Fix is its hint
// line, and it unwraps to the package's error Err.
type TOTPFlagError struct {
	Msg, Fix string
	Err      error
}

func (e *TOTPFlagError) Error() string { return e.Msg }

// Unwrap returns the package's error.
func (e *TOTPFlagError) Unwrap() error { return e.Err }

// Hint is Fix.
func (e *TOTPFlagError) Hint() string { return e.Fix }

// totpCLIHint is the fix for an error of internal/totpkey or
// internal/totpenroll, and for a *totp.EnrollError reading the seeds
// database of totp enroll --db.
func totpCLIHint(e error) string {
	switch e := e.(type) {
	case *totpkey.SeedFileError:
		if h := For(e.Err); h != "" {
			return h
		}
		if errors.Is(e.Err, fs.ErrNotExist) {
			return "check the --seed-file path"
		}
		return "check the --seed-file path and that it is readable"
	case *totpenroll.CertificateError:
		if fe, ok := e.Err.(*signer.FileError); ok {
			if h := For(fe.Err); h != "" {
				return h
			}
			return "check the certificate path"
		}
		return For(e.Err)
	case *totpenroll.DeviceError:
		if errors.Is(e.Err, fs.ErrExist) {
			return "choose another --out: the file there is the TPM's blob of a seed already enrolled (remove it only if that seed is retired)"
		}
		return ""
	case *totp.EnrollError:
		if e.Op != "load" {
			return ""
		}
		if h := For(e.Err); h != "" {
			return h
		}
		return "check --db: a JSON array of {\"IDENTITY\": \"SEED\"} objects, mode 0600"
	}
	switch e {
	case totpkey.ErrBothSources:
		return "give the key either as --fingerprint SPEC or as --seed-file FILE"
	case totpkey.ErrNoSource:
		return "pass --fingerprint SPEC (e.g. --fingerprint file:/opt/monkey.jpg) or --seed-file FILE"
	case totpkey.ErrNoFingerprint:
		return "pass --fingerprint SPEC, e.g. --fingerprint file:/opt/monkey.jpg or --fingerprint machine-id"
	case totpkey.ErrFixedName:
		return "with --fingerprint the session name is the TOTP code: drop --role-session-name"
	case totpkey.ErrDigitsWithoutSource:
		return "--totp-digits sets the length of the TOTP session name: add --fingerprint SPEC, or drop --totp-digits"
	case totpenroll.ErrTPMNeedsOut:
		return "pass --out SEED.tpm: the file for the TPM's blob of the seed"
	case totpenroll.ErrOutNeedsTPM:
		return "--out is the blob of --tpm: add --tpm, or drop --out"
	case totpenroll.ErrTPMFingerprint:
		return "with --tpm the seed is random and held by the TPM: drop --fingerprint"
	case totpenroll.ErrDeviceNeedsTPM:
		return "--tpm-device is the TPM of --tpm: add --tpm, or drop --tpm-device"
	case totpenroll.ErrCertificateAndLayout:
		return "use either --certificate FILE or --acme-dir DIR --domain NAME"
	case totpenroll.ErrNoCertificate:
		return "pass --certificate FILE, or --acme-dir DIR --domain NAME for lego/certbot/acme.sh files"
	case totpenroll.ErrLayoutIncomplete:
		return "pass both --acme-dir DIR and --domain NAME"
	case totpenroll.ErrReplaceNeedsDB:
		return "--replace overwrites a seed in --db FILE; without --db the entry is printed"
	}
	return ""
}

// totpUsages are the usage messages of the option checks' sentinels, with
// %s for the command ("totp code").
var totpUsages = map[error]string{
	totpkey.ErrBothSources:             "%s: --fingerprint and --seed-file exclude each other",
	totpkey.ErrNoSource:                "%s: no key: --fingerprint or --seed-file is required",
	totpkey.ErrNoFingerprint:           "%s: --fingerprint is required",
	totpenroll.ErrTPMNeedsOut:          "%s: --tpm needs --out",
	totpenroll.ErrOutNeedsTPM:          "%s: --out needs --tpm",
	totpenroll.ErrTPMFingerprint:       "%s: --tpm and --fingerprint exclude each other",
	totpenroll.ErrDeviceNeedsTPM:       "%s: --tpm-device needs --tpm",
	totpenroll.ErrCertificateAndLayout: "%s: --certificate and --acme-dir/--domain exclude each other",
	totpenroll.ErrNoCertificate:        "%s: no certificate: --certificate or --acme-dir/--domain is required",
	totpenroll.ErrLayoutIncomplete:     "%s: --acme-dir and --domain go together",
	totpenroll.ErrReplaceNeedsDB:       "%s: --replace needs --db",
}

// TOTPUsage words err, an error of the option checks of a totp command
// cmd ("totp code": totpkey.Source.Check, totpkey.CheckDigits and
// CheckWindow, totpkey.ParseAlgorithmAt, totp.CheckCode,
// totpenroll.Options.Check), as the usage error the command reports: the
// message names the flag, the fix is For's (the flag's own for --digits).
func TOTPUsage(cmd string, err error) *TOTPFlagError {
	w := &TOTPFlagError{Err: err, Fix: For(err)}
	var de *totpkey.DigitsError
	var we *totpkey.WindowError
	var dom *signer.DomainError
	switch {
	case totpUsages[err] != "":
		w.Msg = fmt.Sprintf(totpUsages[err], cmd)
	case errors.As(err, &de):
		w.Msg, w.Fix = fmt.Sprintf("--digits %d: want 6, 7 or 8", de.Digits), "use --digits 6 (the default), 7 or 8"
	case errors.As(err, &we):
		w.Msg = fmt.Sprintf("--window %d: want 0..%d", we.Window, totp.MaxWindow)
	case errors.As(err, &dom):
		w.Msg = fmt.Sprintf("--domain %q is not a certificate name", dom.Domain)
	case errors.Is(err, totp.ErrInvalidSpec):
		w.Msg = "--fingerprint: " + err.Error()
	case errors.Is(err, totp.ErrInvalidAlgorithm):
		w.Msg = "--algorithm: " + err.Error()
	case errors.Is(err, totp.ErrInvalidTime), errors.Is(err, totp.ErrBeforeEpoch):
		w.Msg = "--at: " + err.Error()
	case errors.Is(err, totp.ErrInvalidCode):
		w.Msg = cmd + ": CODE: " + err.Error()
	default:
		w.Msg = cmd + ": " + err.Error()
	}
	return w
}

// TOTPSessionUsage words an error of totpkey.Session.Check for cmd
// (credential-process) as its usage error: the message names the
// --fingerprint and --totp-digits flags.
func TOTPSessionUsage(cmd string, err error) *TOTPFlagError {
	w := &TOTPFlagError{Err: err, Fix: For(err)}
	var de *totpkey.DigitsError
	switch {
	case err == totpkey.ErrFixedName:
		w.Msg = cmd + ": --fingerprint and --role-session-name exclude each other"
	case err == totpkey.ErrDigitsWithoutSource:
		w.Msg = cmd + ": --totp-digits needs --fingerprint"
	case errors.As(err, &de):
		w.Msg = fmt.Sprintf("%s: --totp-digits %d: want 6, 7 or 8", cmd, de.Digits)
		w.Fix = "use --totp-digits 6 (the default, what a trust policy's sts:RoleSessionName \"??????\" expects), 7 or 8"
	default:
		w.Msg = cmd + ": --fingerprint: " + err.Error()
	}
	return w
}

// TOTPError returns err, an error of internal/totpkey (loading a key or
// seed) or internal/totpenroll (Run), in the words of the flags it came
// from where its text does not say them: a missing --seed-file, the TPM
// of --fingerprint tpm-hmac:PATH, totp enroll's --acme-dir/--domain
// layout, --db and --tpm. Any other error (and nil) is returned as it is;
// its hint is For's.
func TOTPError(err error) error {
	var sf *totpkey.SeedFileError
	var ds *totpkey.DeviceSeedError
	var le *signer.LayoutError
	var ee *totp.EnrollError
	var de *totpenroll.DeviceError
	switch {
	case errors.As(err, &sf) && errors.Is(sf.Err, fs.ErrNotExist):
		return &TOTPFlagError{Msg: "--seed-file: " + err.Error(), Err: err, Fix: For(err)}
	case errors.As(err, &ds):
		return &TOTPFlagError{Msg: fmt.Sprintf("--fingerprint %s: %v", ds.Spec, ds.Err), Err: err, Fix: For(err)}
	case errors.As(err, &le):
		return &TOTPFlagError{Msg: fmt.Sprintf("no certificate for %q in %q; tried %s", le.Domain, le.Dir, strings.Join(le.Tried, ", ")), Err: err,
			Fix: "check --acme-dir (lego's --path, /etc/letsencrypt, ~/.acme.sh) and --domain, or pass --certificate FILE"}
	case errors.As(err, &ee) && ee.Op == "merge":
		return &TOTPFlagError{Msg: fmt.Sprintf("--db %q: %v", ee.Path, ee.Err), Err: err, Fix: For(err)}
	case errors.As(err, &de):
		return &TOTPFlagError{Msg: "totp enroll --tpm: " + err.Error(), Err: err, Fix: For(err)}
	}
	return err
}
