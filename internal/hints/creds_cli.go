package hints

import (
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// The words of the credential commands (credential-process, update,
// serve, aws-config, doctor, sign-string, read-certificate-data) for the
// checks of their flags: signer.LoadOptions.Validate, Config.CheckRequired
// and Validate, SignStringOptions.Check, credentials.UpdateOptions.Check
// and dropin's refusals.

// The errors of internal/dropin (which imports this package through
// internal/cli), matched by their methods.
type (
	unsupportedFlagsError interface{ UnsupportedFlags() []string }
	passwordFlagError     interface{ PasswordFlag() string }
)

// fixUnsupported is the fix for the official helper's PKCS#11, TPM and
// certificate-store flags and for PKCS#11 URIs.
const fixUnsupported = "acme-signing-helper reads the certificate and key from files only: pass --certificate and --private-key (or --acme-dir and --domain); keep aws_signing_helper for PKCS#11, TPM or OS certificate stores"

// fixTPMPasswordFlag and fixPasswordFlag are the fixes for a key password
// given as a flag.
const (
	fixTPMPasswordFlag = "write the TPM key's password to a file only you can read and pass --tpm-key-password-file FILE, or set ACME_SIGNING_HELPER_TPM_PASSWORD"
	fixPasswordFlag    = "write the password to a file only you can read and pass --private-key-password-file FILE, or set ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD"
)

// loadWords are the message and fix of signer.LoadOptions.Validate's
// sentinels.
var loadWords = map[error][2]string{
	signer.ErrSourceConflict:    {"--acme-dir/--domain and --certificate/--private-key exclude each other", "use either --acme-dir DIR --domain NAME or --certificate FILE --private-key FILE"},
	signer.ErrAcmeDirOrDomain:   {"--acme-dir and --domain go together", "pass both --acme-dir DIR and --domain NAME"},
	signer.ErrNoCertificatePath: {"no certificate: --certificate is required", "pass --certificate FILE --private-key FILE, or --acme-dir DIR --domain NAME"},
	signer.ErrNoPrivateKeyPath:  {"no private key: --private-key is required", "pass --private-key FILE with the key written together with the certificate"},
}

// fieldFlags are the flags of the signer.Config and SignStringOptions
// fields.
var fieldFlags = map[string]string{
	"TrustAnchorARN": "trust-anchor-arn", "ProfileARN": "profile-arn", "RoleARN": "role-arn",
	"RoleSessionName": "role-session-name", "Certificate": "certificate", "PrivateKey": "private-key",
	"Digest": "digest", "Format": "format",
}

// Credentials words err, returned by the checks of the credential flags,
// for the command cmd: "CMD: --flag ..." and its fix. An error of another
// kind keeps its text after "CMD: " and For's fix.
func Credentials(cmd string, err error) *SettingError {
	msg, fix := credentialsWords(cmd, err)
	if msg == "" {
		msg = err.Error()
	}
	if fix == "" {
		fix = For(err)
	}
	return &SettingError{Msg: cmd + ": " + msg, Fix: fix, Err: err}
}

func credentialsWords(cmd string, err error) (msg, fix string) {
	switch e := err.(type) {
	case unsupportedFlagsError:
		if f := e.UnsupportedFlags(); len(f) == 1 && f[0] == "--tpm-key-password" {
			return err.Error(), fixTPMPasswordFlag
		}
		return err.Error(), fixUnsupported
	case passwordFlagError:
		if e.PasswordFlag() == "tpm-key-password" {
			return err.Error(), fixTPMPasswordFlag
		}
		return err.Error(), fixPasswordFlag
	case *signer.PKCS11Error:
		return "--" + fieldFlags[e.Field] + ": PKCS#11 URIs are not supported", fixUnsupported
	case *signer.FieldError:
		flag := "--" + fieldFlags[e.Field]
		switch e.Err {
		case signer.ErrRequired:
			return flag + " is required", "pass --trust-anchor-arn, --profile-arn and --role-arn (or set ACME_SIGNING_HELPER_" + strings.ToUpper(strings.ReplaceAll(fieldFlags[e.Field], "-", "_")) + ")"
		case signer.ErrSessionNameConflict:
			return "--role-session-name and a computed session name exclude each other", "the session name is computed (TOTP): drop --role-session-name"
		case signer.ErrUnsupportedDigest:
			return fmt.Sprintf("--digest: %v %q (want %s)", e.Err, e.Value, strings.Join(signer.Digests, ", ")), "pass --digest " + strings.Join(signer.Digests, ", --digest ")
		case signer.ErrUnsupportedFormat:
			return fmt.Sprintf("--format %q is not one of %s", e.Value, strings.Join(signer.SignatureFormats, ", ")), "pass --format json, text or bin"
		}
	case *credentials.UpdateOptionError:
		return updateWords(e)
	}
	if err == signer.ErrNoPrivateKeyPath && cmd == "sign-string" {
		return "no key: --private-key is required", "pass --private-key FILE (or a PKCS#12 --certificate FILE)"
	}
	if w, ok := loadWords[err]; ok {
		return w[0], w[1]
	}
	return "", ""
}

func updateWords(e *credentials.UpdateOptionError) (msg, fix string) {
	me, _ := e.Err.(*credentials.MarginError)
	switch {
	case e.Err == credentials.ErrProfileName:
		return fmt.Sprintf("--profile %q is not a profile name", e.Value), "pass --profile NAME (letters, digits and _.@+-), the profile the SDK will use (AWS_PROFILE=NAME)"
	case e.Err == credentials.ErrOnceAndRetry:
		return "--once and --retry-errors exclude each other", "--once writes once; drop --retry-errors, or --once to keep the profile fresh"
	case e.Err == credentials.ErrNotPositive:
		return fmt.Sprintf("--refresh-margin %v is not positive", e.Value), "give --refresh-margin a positive duration such as 5m"
	case me != nil:
		return fmt.Sprintf("--refresh-margin %s is not shorter than the session (%d s)", me.Margin, int(me.Session.Seconds())), "make --refresh-margin shorter than --session-duration"
	}
	return "", ""
}

// credsCLIHint is the fix for the errors worded above, looking at e alone.
func credsCLIHint(e error) string {
	switch e {
	case signer.ErrRequired:
		return "pass --trust-anchor-arn, --profile-arn and --role-arn"
	case signer.ErrSessionNameConflict:
		return "the session name is computed (TOTP): drop --role-session-name"
	case credentials.ErrProfileName, credentials.ErrOnceAndRetry:
		_, fix := updateWords(&credentials.UpdateOptionError{Err: e})
		return fix
	}
	switch e.(type) {
	case *signer.FieldError, *credentials.UpdateOptionError, unsupportedFlagsError, passwordFlagError:
		_, fix := credentialsWords("", e)
		return fix
	}
	return ""
}
