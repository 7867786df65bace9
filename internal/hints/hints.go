// Package hints is the one place where the errors of this module's
// packages meet the command line's words: For returns the fix for an error,
// naming the flags, environment variables and commands of
// acme-signing-helper.
//
// The convention, for every package of this module: an error carries facts
// (the file, field, value and cause) as an exported sentinel
// (var ErrX = errors.New(...)) or an exported type with fields and Unwrap,
// so that callers match it with errors.Is/As. No package error text, and no
// method of one, names a flag, an environment variable of the CLI or a fix.
// The fix, in the CLI's words, is added here, and only here: For walks the
// error chain, outermost first, and asks each package's hint function about
// each error of the chain in turn. The command's own edge errors (usage
// errors, errors wrapped with a hint where the flag is known) carry their
// hint through a Hint() string method, which For asks first.
//
// Security considerations: hints are fixed texts plus facts the error
// already carries (paths, names, durations); they never quote a secret
// value (key password, seed, session token), so they are safe to print.
package hints

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// progName is the command the hints name.
const progName = "acme-signing-helper"

// hinter is implemented by the command's edge errors (usage errors, errors
// given a hint where the flag is known).
type hinter interface{ Hint() string }

// For returns the fix for err, or "" when none is known.
func For(err error) string {
	for err != nil {
		if h := hintAt(err); h != "" {
			return h
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if h := For(e); h != "" {
					return h
				}
			}
			return ""
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// hintAt is the hint of e itself, not of the errors it wraps. The package
// functions below look at e alone: they compare with == and type-assert,
// never errors.Is/As (For does the walking).
func hintAt(e error) string {
	if h, ok := e.(hinter); ok && h.Hint() != "" {
		return h.Hint()
	}
	for _, f := range []func(error) string{
		signerHint,
		credentialsHint,
		totpHint,
		auditHint,
		systemdunitHint,
		trustpolicyHint,
		trustpolicyCLIHint,
		emulatorHint,
		demoHint,
		tpmHint,
		permissionsHint,
		lambdadetectHint,
		settingHint, // detect_cli.go
		totpCLIHint,
		serveCLIHint,
		credsCLIHint, // creds_cli.go
	} {
		if h := f(e); h != "" {
			return h
		}
	}
	return ""
}

// ---- signer ----------------------------------------------------------------

// signerHint names the fix for an error of package signer.
func signerHint(e error) string {
	switch e := e.(type) {
	case *signer.APIError:
		if e.Kind == signer.ErrClockSkew && e.Skew != 0 {
			local := "ahead of"
			if e.Skew > 0 {
				local = "behind"
			}
			skew := e.Skew
			if skew < 0 {
				skew = -skew
			}
			return fmt.Sprintf("the local clock is %s %s the server's: %s", skew.Round(time.Second), local, signerHint(e.Kind))
		}
		return signerHint(e.Kind)
	case *signer.FileError:
		switch {
		case e.Err == signer.ErrFileTooLarge:
			return "point at the PEM file, not an archive or directory"
		case errors.Is(e.Err, fs.ErrNotExist):
			return "check the " + e.What + " path; with an ACME client's files use --acme-dir DIR --domain NAME"
		case errors.Is(e.Err, fs.ErrPermission):
			return "run as the user that owns the " + e.What + " file or grant read access (for certbot: the live/ and archive/ directories)"
		case errors.Is(e.Err, rawfile.ErrNotRegular) && !errors.Is(e.Err, syscall.EISDIR):
			return "point at the " + e.What + " file itself, not a pipe or device"
		}
		return "check the " + e.What + " path"
	case *signer.PKCS11Error:
		return "acme-signing-helper reads the certificate and key from files only: pass --certificate and --private-key (or --acme-dir and --domain); keep aws_signing_helper for PKCS#11, TPM or OS certificate stores"
	case *signer.EmptySubjectRefusedError:
		return "the certificate has no CN (Let's Encrypt's shortlived and tlsserver profiles): a trust policy or profile condition on aws:PrincipalTag/x509Subject/CN never matches it (use x509SAN/DNS); if the service refuses CN-less certificates, request the classic profile (lego --profile classic, certbot --preferred-profile classic) so the subject carries CN=<first DNS name>"
	case *signer.CertificateError:
		return signerHint(signer.ErrNoCertificate)
	case *signer.LayoutError:
		return signerHint(signer.ErrLayoutNotFound)
	case *signer.DomainError:
		return "pass the domain (or certbot certificate name) without a path, e.g. --domain host.example.com"
	case *signer.AnswerTooLargeError:
		return signerHint(signer.ErrBadResponse)
	case *signer.CABundleError:
		if e.Err != nil {
			return "point AWS_CA_BUNDLE at a PEM file of the CA certificates that issued the endpoint's TLS certificate"
		}
		return "point AWS_CA_BUNDLE at a PEM file of CA certificates"
	}
	switch e {
	case signer.ErrNoCertificate:
		return "give --certificate a PEM file with BEGIN CERTIFICATE blocks (the leaf first), such as lego's NAME.crt, certbot's cert.pem or fullchain.pem"
	case signer.ErrNoPrivateKey:
		return "give --private-key the PEM key file the ACME client wrote (PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY)"
	case signer.ErrKeyPasswordRequired:
		return "put the password in a file readable only by you and pass --private-key-password-file FILE, or set ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD"
	case signer.ErrKeyPassword:
		return "check the password in --private-key-password-file or ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD (a trailing newline in the file is ignored)"
	case signer.ErrUnsupportedEncryption:
		return "re-encrypt the key as PKCS#8 with AES-256-CBC: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in OLD -out NEW"
	case signer.ErrUnsupportedKey:
		return "IAM Roles Anywhere signs with RSA (2048 to 4096 bits) or ECDSA (P-256 or P-384): have the ACME client issue with such a key (lego --key-type rsa2048|ec256|ec384, certbot --key-type ecdsa --elliptic-curve secp256r1|secp384r1)"
	case signer.ErrKeyMismatch:
		return "pass the key file written together with the certificate (lego: NAME.key next to NAME.crt; certbot: privkey.pem of the same live/ directory); after a renewal both files change"
	case signer.ErrExpired:
		return "renew it (lego renew, certbot renew, acme.sh --renew) and check that the renewal timer runs; if the dates look wrong, check the system clock"
	case signer.ErrNotYetValid:
		return "check the system clock (timedatectl status); a certificate issued seconds ago may also need a moment"
	case signer.ErrLeafIsCA:
		return "give --certificate the leaf certificate (or the full chain with the leaf first) and put CA certificates in --intermediates"
	case signer.ErrWeakSignature:
		return "IAM Roles Anywhere needs a certificate signed with SHA-256 or stronger: have the CA issue a new one (openssl x509 -sha256, or any ACME CA)"
	case signer.ErrNoDigitalSignature:
		return "IAM Roles Anywhere needs keyUsage digitalSignature on the leaf: issue the certificate with an ECDSA key or ask the CA for digitalSignature"
	case signer.ErrUnsupportedDigest:
		return "pass --digest SHA256, SHA384 or SHA512"
	case signer.ErrChainTooLong:
		return "IAM Roles Anywhere accepts at most 5 intermediates: keep only the certificates between the leaf and the trust anchor"
	case signer.ErrLayoutNotFound:
		return "--acme-dir is lego's --path (holding certificates/), certbot's config dir (holding live/) or acme.sh's home (holding DOMAIN_ecc/ or DOMAIN/); --domain is the certificate's name there"
	case signer.ErrInvalidARN:
		return "copy the ARNs from the IAM Roles Anywhere console or 'aws rolesanywhere list-trust-anchors/list-profiles': arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID, ...:profile/ID, arn:aws:iam::ACCOUNT:role/NAME"
	case signer.ErrRegionMismatch:
		return "a session is created in one region: use the trust anchor and profile of the same region (the region is the fourth field of the ARN)"
	case signer.ErrSigningRegion:
		return "drop --region (the trust anchor ARN's region is used), or pass the ARNs of the region you sign for"
	case signer.ErrDuration:
		return "give --session-duration between 900 and 43200 seconds (the profile and the role's MaxSessionDuration may lower it)"
	case signer.ErrNoRegion:
		return "pass --region or a trust anchor ARN with a region"
	case signer.ErrSessionName:
		return "a role session name is 2 to 64 characters of letters, digits and _+=,.@-"
	case signer.ErrUntrustedCertificate:
		return "the trust anchor must hold the CA that issued the chain's top certificate: pass the issuer bundle with --intermediates (or a full-chain --certificate), and check that the trust anchor's CA bundle has the current root/intermediate (Let's Encrypt rotates intermediates)"
	case signer.ErrRoleSessionNameNotAllowed:
		return "set acceptRoleSessionName=true on the profile (aws rolesanywhere update-profile --profile-id ID --accept-role-session-name), or drop the session name"
	case signer.ErrSessionNameDenied:
		return "the role's trust policy has an sts:RoleSessionName condition the name did not meet: check that --totp-digits matches its pattern (\"??????\" is 6 digits) and that the clock is right; '" + progName + " simulate' shows the failing condition"
	case signer.ErrClockSkew:
		return "synchronise the system clock (timedatectl set-ntp true, chronyc makestep)"
	case signer.ErrAccessDenied:
		return "check that the role's trust policy trusts rolesanywhere.amazonaws.com with its conditions (aws:SourceArn = the trust anchor, principal tags), that the role is listed in the profile and that the trust anchor and profile are enabled"
	case signer.ErrValidation:
		return "check --session-duration against the profile's and role's maximum, the role session name, and the ARNs"
	case signer.ErrResourceNotFound:
		return "check that --trust-anchor-arn, --profile-arn and --role-arn exist in that account and region"
	case signer.ErrThrottled:
		return "CreateSession allows about 10 calls per second per account: cache the credentials (--cache) or spread the callers"
	case signer.ErrServer:
		return "retry later; if it persists with --endpoint, check that the endpoint is a Roles Anywhere endpoint"
	case signer.ErrBadResponse:
		return "check --endpoint and any proxy (HTTPS_PROXY) between you and IAM Roles Anywhere"
	case signer.ErrTimeout:
		return "check network access to the endpoint (proxy: HTTPS_PROXY/NO_PROXY) or raise --timeout"
	case signer.ErrConnect:
		return "check --endpoint, DNS and proxy settings (HTTPS_PROXY/NO_PROXY); for a private endpoint CA set AWS_CA_BUNDLE"
	case signer.ErrAPI:
		return "run with --debug for the request details"
	case signer.ErrFileTooLarge:
		return "point at the PEM file, not an archive or directory"
	case signer.ErrUnsupportedFormat:
		return "pass --format json, text or bin"
	case signer.ErrSourceConflict:
		return "use either --acme-dir DIR --domain NAME or --certificate FILE --private-key FILE"
	case signer.ErrAcmeDirOrDomain:
		return "pass both --acme-dir DIR and --domain NAME"
	case signer.ErrNoCertificatePath:
		return "pass --certificate FILE (or --acme-dir DIR --domain NAME)"
	case signer.ErrNoPrivateKeyPath:
		return "pass --private-key FILE (or --acme-dir DIR --domain NAME)"
	}
	return ""
}

// ---- credentials -----------------------------------------------------------

// credentialsHint names the fix for an error of package credentials.
func credentialsHint(e error) string {
	switch e {
	case credentials.ErrInsecureDir:
		return "make the cache directory private to you (chmod 700 DIR, owned by you), pass another --cache-dir, or --no-cache"
	case credentials.ErrCacheUnavailable:
		return "pass --cache-dir DIR or --no-cache"
	case credentials.ErrExpired:
		return "the last credentials in the file have expired; fix the error above (run 'acme-signing-helper doctor' with the same flags) and restart"
	case credentials.ErrNoCredentials:
		return "wait for the first session, or fix the error logged by the refresh (run 'acme-signing-helper doctor' with the same flags)"
	case credentials.ErrInvalidCredentials:
		return "the endpoint answered without complete credentials: check --endpoint (run 'acme-signing-helper doctor' with the same flags)"
	case credentials.ErrTokenExposed:
		return "chmod o-rwx the token file: whoever reads it gets the credentials"
	case credentials.ErrTokenFormat:
		return "point --auth-token-file at a file holding the token (or at a path where serve may create one)"
	}
	switch e := e.(type) {
	case *credentials.MarginError:
		if e.Margin < 0 {
			return "give --refresh-margin a duration such as 5m"
		}
		return "make --refresh-margin shorter than --session-duration"
	case *credentials.UntrustedEntryError:
		return "the cache holds only what acme-signing-helper writes: find out who made " + shellQuote(e.Path) + "; the next session replaces it"
	case *credentials.NoDefaultPathError:
		if e.What == credentials.WhatCacheDir {
			return "pass --cache-dir DIR (or --no-cache)"
		}
		return "pass --credentials-file FILE"
	case *credentials.ReadyError:
		return "check that the directory of --ready-file exists and is writable"
	case *credentials.TokenFileError:
		switch {
		case e.Err == credentials.ErrTokenExposed:
			return "chmod o-rwx the token file: whoever reads it gets the credentials"
		case e.Op == credentials.TokenRead, e.Op == credentials.TokenMkdir, e.Op == credentials.TokenCreate:
			return "point --auth-token-file at a file holding the token (or at a path where serve may create one)"
		}
	}
	return ""
}

// ---- totp ------------------------------------------------------------------

// totpHint names the fix for an error of package totp.
func totpHint(e error) string {
	switch e := e.(type) {
	case *totp.SpecError:
		if e.Reason == totp.ReasonDuplicate {
			return "give each --fingerprint source once"
		}
		return "a fingerprint source is one of file:PATH, machine-id, dmi:FIELD (e.g. dmi:product_uuid), hostname, env:NAME"
	case *totp.SourceError:
		// The fix depends on why the source failed: e.Err is a field of
		// e (its cause as os or totp reported it), not another error of
		// the chain, so it is looked into here.
		switch {
		case errors.Is(e.Err, fs.ErrPermission):
			return "run as a user that can read the source, or choose another --fingerprint source"
		case errors.Is(e.Err, totp.ErrEmptySource):
			return "an empty source would make every machine alike: fill it or choose another --fingerprint source"
		case errors.Is(e.Err, fs.ErrNotExist):
			return "check the --fingerprint source exists on this machine, or choose another one"
		case errors.Is(e.Err, rawfile.ErrNotRegular):
			return "give file: a regular file, not a pipe or device, or choose another --fingerprint source"
		}
		return "check the --fingerprint source, or choose another one"
	case *totp.PermissionError:
		return fmt.Sprintf("seeds are secrets: chmod 600 %s", shellQuote(e.Path))
	case *totp.EnrollError:
		if e.Op == "write" {
			return "check that the directory of --db exists and is writable"
		}
	case *totp.NoMatchError:
		return "check --at (the time the code was made) and the clock, or widen --window"
	case *totp.SeedChangedError:
		return "the fingerprint of this machine changed (or another machine uses this identity); add --replace to overwrite the stored seed"
	}
	switch e {
	case totp.ErrInvalidTime:
		return "give a time as RFC 3339 (2026-11-21T19:49:42Z), @UNIX-SECONDS (@1795290582) or what 'date -R' prints (Sat, 21 Nov 2026 19:49:42 +0000)"
	case totp.ErrBeforeEpoch:
		return "give a time after 1970-01-01T00:00:00Z"
	case totp.ErrInvalidAlgorithm:
		return "use --algorithm sha1 (the default, as oathtool --totp), sha256 or sha512"
	case totp.ErrInvalidCode:
		return "a code is 6, 7 or 8 digits, leading zeros included, as 'totp code' prints it"
	case totp.ErrInvalidKey:
		return "the seed file holds one hex key, as '" + progName + " totp seed' or sha1sum prints it"
	case totp.ErrInvalidDigits:
		return "use 6 digits (the default), 7 or 8: --digits, or --totp-digits with --fingerprint"
	case totp.ErrInvalidWindow:
		return "--window is how many 30-second steps either side to accept, e.g. --window 1"
	case totp.ErrNoIdentity:
		return "enroll the workload's ACME certificate (it names the host)"
	case totp.ErrCodeLength:
		return "give detect --digits N, or the identity's \"digits\" in the seeds database, the length the workload's codes have (credential-process --totp-digits); a code of another length is never legit"
	case totp.ErrAmbiguousSeed:
		return "keep one seed per identity in the seeds database: remove the other entries, or run '" + progName + " totp enroll --db FILE --replace' on the machine"
	}
	return ""
}

// shellQuote quotes s for a command line in a hint (sh syntax).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- audit -----------------------------------------------------------------

// auditHint names the fix for an error of package audit.
func auditHint(e error) string {
	switch e := e.(type) {
	case *audit.DBError:
		switch {
		case e.Op == "open":
			return "give the seed database with --db FILE (the seed script's env-sha1sum-db.json)"
		case e.Err == audit.ErrDBWritable:
			return fmt.Sprintf("whoever can write it can add a seed and pass as legit: chmod go-w %q (0600 or 0640 is right for a file of secrets)", e.Path)
		case e.Op == "parse":
			return `write the database as the seed's env-sha1sum-db.json, [{"CN=host.example.com":"<hex seed>"}, ...], or as one object {"host.example.com":"<hex seed>", ...}; 'acme-signing-helper totp seed' prints a seed`
		}
	case *audit.OptionError:
		return auditOptionHint(e.Option)
	case *audit.FileError:
		// As for totp.SourceError, the fix depends on the cause, e.Err.
		switch {
		case errors.Is(e.Err, audit.ErrTruncated), errors.Is(e.Err, gzip.ErrChecksum), errors.Is(e.Err, gzip.ErrHeader):
			return "the file is truncated or corrupt: fetch it again (aws s3 cp); the other files were checked"
		case errors.Is(e.Err, audit.ErrNotJSON):
			return "give CloudTrail log files ({\"Records\":[...]}, gzip or not), single events or JSON lines"
		case errors.Is(e.Err, fs.ErrNotExist):
			return "check the path"
		}
	}
	return ""
}

// auditOptionHint is the fix for a detect or permissions generate setting
// (the flags have the options' names).
func auditOptionHint(option string) string {
	switch option {
	case "jobs":
		return "--jobs 0 means one per CPU"
	case "max-record-bytes":
		return "--max-record-bytes must be at least 1024 (CloudTrail records are at most 256 KB)"
	case "identity-field", "session-name-field", "time-field":
		return "write --" + option + " as a dot path into the record, like responseElements.x509Subject or responseElements.credentialSet.0.sourceIdentity"
	case "window":
		return "--window counts 30-second steps either side of the reference time; the seed script uses 1"
	case "digits":
		return "--digits is the length of the workloads' codes (credential-process --totp-digits): 6, 7 or 8"
	case "skew":
		return "--skew is subtracted from the event time; the seed script uses 30s"
	case "replay-horizon":
		return "--replay-horizon is how far behind the newest event time --stream remembers codes and sessions; the default is 1h"
	case "replay-index-size":
		return "--replay-index-size caps each --stream index (entries of about 100 bytes); the default is 65536"
	}
	return ""
}

// ---- systemdunit ----------------------------------------------------------

// systemdunitHint names the fix for an error of package systemdunit (the
// systemd command's options).
func systemdunitHint(e error) string {
	switch e {
	case systemdunit.ErrUnknownMode:
		return "run 'acme-signing-helper systemd --help' for the flags"
	case systemdunit.ErrNotDNSName:
		return "pass the certificate's DNS name, e.g. --domain host.example.com"
	case systemdunit.ErrNotEmail:
		return "pass the ACME account e-mail address, e.g. --email ops@example.com"
	case systemdunit.ErrNotUserName:
		return "user and group names are lower case letters, digits, '_' and '-'"
	case systemdunit.ErrNotProvider:
		return "pass lego's DNS provider name, e.g. --dns route53"
	case systemdunit.ErrNotAbsolutePath:
		return "systemd needs absolute paths; avoid spaces, quotes, '%', '$' and ';' in them"
	case systemdunit.ErrNotCalendar:
		return "see systemd.time(7), e.g. --on-calendar weekly or daily for 6-day certificates"
	case systemdunit.ErrOutOfRange:
		return "give seconds between 0 and 604800"
	case systemdunit.ErrNotProfile:
		return "use letters, digits and _.@+- in --profile"
	case systemdunit.ErrSpecialCharacters:
		return "values must not contain spaces, quotes, '%', '$', ';' or backslashes"
	case systemdunit.ErrNotTPMKey:
		return "pass the TSS2 key file 'tpm keygen --out' wrote (absolute path) or a persistent handle, e.g. --tpm-key handle:0x81000001"
	case systemdunit.ErrNotTPMDevice:
		return "pass --tpm-device /dev/tpmrm0 (or /dev/tpm0), unix:/PATH or mssim:HOST:PORT"
	}
	switch e.(type) {
	case *systemdunit.WriteError:
		return "pass a directory you can write"
	}
	return ""
}

// ---- trustpolicy -----------------------------------------------------------

// trustpolicyHint names the fix for an error of package trustpolicy.
func trustpolicyHint(e error) string {
	switch e {
	case trustpolicy.ErrInvalidPolicy:
		return trustpolicyParseHint
	case trustpolicy.ErrUnsupportedOperator:
		return trustpolicyOperatorHint
	case trustpolicy.ErrBadConditionValue:
		return trustpolicyValueHint
	case trustpolicy.ErrRequired:
		return "give the option; run '" + progName + " trust-policy COMMAND --help' for the flags"
	case trustpolicy.ErrNotPrincipalAllow, trustpolicy.ErrTrustNotPrincipal:
		return "name the principal with \"Principal\": {\"Service\": \"" + trustpolicy.RolesAnywhereService + "\"} instead of NotPrincipal ('" + progName + " trust-policy role' writes such a policy)"
	case trustpolicy.ErrTrustResource:
		return "remove Resource and NotResource from the trust policy: it is attached to the role, which is its resource (limit resources in the role's permission policies)"
	case trustpolicy.ErrUnknownAction:
		return "name one action as the Service Authorization Reference spells it (service:Action, e.g. s3:GetObject)"
	}
	// A *ConditionError wraps ErrUnsupportedOperator or
	// ErrBadConditionValue: hintOf finds their hints.
	switch e := e.(type) {
	case *trustpolicy.ParseError:
		return trustpolicyParseHint
	case *trustpolicy.OptionError:
		return trustpolicyOptionHint(e)
	}
	return ""
}

const (
	trustpolicyParseHint    = "fix the policy document; see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
	trustpolicyOperatorHint = "use one of the String*, Arn*, Bool, IpAddress/NotIpAddress, Numeric*, Date*, BinaryEquals or Null operators, optionally with ForAllValues:/ForAnyValue: and IfExists"
	trustpolicyValueHint    = "fix the condition value in the policy document"
)

// trustpolicyOptionHint is the fix for a bad template option, by option
// and by whether it was missing or wrong.
func trustpolicyOptionHint(e *trustpolicy.OptionError) string {
	missing := e.Err == trustpolicy.ErrRequired
	switch e.Option {
	case "trust-anchor-arn":
		if missing {
			return "give the ARN of the trust anchor that holds your ACME CA"
		}
		return "copy the ARN from 'aws rolesanywhere list-trust-anchors'"
	case "match":
		return "use --match cn or --match san"
	case "workload":
		if missing {
			return "name the certificates allowed, e.g. --workload '*.example.com' or --workload host.example.com"
		}
		return "give a DNS name (host.example.com) or a pattern for one domain (*.example.com)"
	case "totp-digits":
		return "use 6, 7 or 8 (oathtool's range), or 0 for no session-name condition"
	case "issuer-cn":
		return "give the issuing CA's CN, e.g. --issuer-cn YE1,YE2,YR1,YR2"
	case "revoke":
		return "give the exact identity (CN or DNS name) to deny"
	case "zone-id":
		return "copy the ID from 'aws route53 list-hosted-zones-by-name --dns-name example.com'"
	case "domain":
		if missing {
			return "name each domain of the certificate, e.g. --domain '*.example.com'"
		}
		return "give a DNS name such as example.com or *.example.com"
	case "client":
		return "use --client " + strings.Join(trustpolicy.Route53Clients, ", ")
	case "cidr":
		if missing {
			return "give the addresses calls may come from, e.g. --cidr 203.0.113.7/32"
		}
		return "write an address or a CIDR range such as 203.0.113.0/24 or 2001:db8::/32"
	case "session-duration":
		return "use 900 to 43200 seconds"
	case "anchor-cert":
		return "give the PEM file of your ACME CA's root or intermediate certificate (for lego: certificates/<domain>.issuer.crt)"
	}
	return ""
}

// ---- emulator --------------------------------------------------------------

// emulatorHint names the fix for an error of package emulator.
func emulatorHint(e error) string {
	if _, ok := e.(*emulator.NotCAError); ok {
		return "a trust anchor is the CA that issued your certificate (root or intermediate), not the leaf"
	}
	switch e {
	case emulator.ErrNoAnchors:
		return "check --anchor-cert and the --*-arn flags"
	case emulator.ErrFaultSpec:
		return "write --fault as " + emulator.FaultSyntax
	}
	return ""
}

// ---- internal/demo ---------------------------------------------------------

// demoHint names the fix for an error of package internal/demo.
func demoHint(e error) string {
	switch e := e.(type) {
	case *demo.PathError:
		if e.Dir {
			return "pass --dir a directory you can write to"
		}
		return "set TMPDIR to a writable directory"
	case *demo.DirError:
		return "pass --dir a directory you can write to"
	case *demo.ListenError:
		return "the demo needs a loopback TCP port"
	case *demo.CloudTrailError:
		return "check that the directory of --cloudtrail exists and is writable"
	}
	return ""
}

// ---- tpm -------------------------------------------------------------------

func tpmHint(e error) string {
	if e, ok := e.(*tpm.ReadError); ok {
		if e.What == tpm.WhatSeedBlob {
			return "check the path of the blob 'totp enroll --tpm --out' wrote"
		}
		return "check the --key path"
	}
	switch e {
	case tpm.ErrUnsupportedPlatform:
		return "TPM devices are used on Linux only; on this platform use a file key, or a simulator with --tpm-device unix:PATH or mssim:HOST:PORT"
	case tpm.ErrNoTPM:
		return "check --tpm-device (default /dev/tpmrm0, else /dev/tpm0): the TPM must be enabled in the firmware and this user allowed to open it (group tss); for swtpm pass unix:PATH or mssim:HOST:PORT"
	case tpm.ErrInvalidDevice:
		return "pass --tpm-device as a device path, unix:PATH or mssim:HOST:PORT"
	case tpm.ErrNotTSS2Key:
		return "pass a TSS2 PEM key file (-----BEGIN TSS2 PRIVATE KEY-----, from 'acme-signing-helper tpm keygen' or openssl genpkey -provider tpm2) or handle:0x81000001"
	case tpm.ErrInvalidHandle:
		return "a persistent handle is handle:0x81000000 to handle:0x81ffffff; list them with tpm2_getcap handles-persistent"
	case tpm.ErrNoObject:
		return "no key lives at that handle on this TPM: list them with tpm2_getcap handles-persistent, or make one with tpm2_create and tpm2_evictcontrol"
	case tpm.ErrKeyPasswordRequired:
		return "the key has a password: pass --tpm-key-password-file FILE or set ACME_SIGNING_HELPER_TPM_PASSWORD"
	case tpm.ErrKeyPassword:
		return "check the TPM key password (--tpm-key-password-file or ACME_SIGNING_HELPER_TPM_PASSWORD); repeated wrong passwords lock the TPM out for a while"
	case tpm.ErrLockout:
		return "wait for the TPM's lockout to expire (or reset it with tpm2_dictionarylockout --clear-lockout as the owner), then retry with the right password"
	case tpm.ErrForeignKey:
		return "a TPM key file or seed blob works only on the TPM that made it (and not after a TPM clear): use --tpm-device of that TPM, or re-enroll on this one ('acme-signing-helper tpm keygen' and a new certificate for a key, 'acme-signing-helper totp enroll --tpm' for a TOTP seed)"
	case tpm.ErrUnsupportedKey:
		return "use an ECDSA P-256/P-384 or RSA 2048..4096 signing key ('acme-signing-helper tpm keygen --type ecdsa-p256')"
	case tpm.ErrNotHMACKey:
		return "--fingerprint tpm-hmac:FILE takes the blob 'totp enroll --tpm --out FILE' wrote, not a signing key file"
	case tpm.ErrKeyMismatch:
		return "the TPM's key is not the one in the key file or certificate: check --private-key and --tpm-device"
	case tpm.ErrUnsupportedSignature:
		return "TPM keys sign ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512"
	}
	return ""
}

// ---- permissions -----------------------------------------------------------

// permissionsHint is the fix for package permissions' errors (see
// hints.go for the convention).
func permissionsHint(e error) string {
	switch e {
	case permissions.ErrNoActions:
		return "check --role-arn (the role the sessions assumed), --identity, --session and the time window; the report above counts what was read"
	case permissions.ErrBadRoleARN:
		return "give the role's ARN as IAM shows it, e.g. arn:aws:iam::123456789012:role/my_role"
	case permissions.ErrUnknownService, permissions.ErrUnknownAction:
		return "the call is listed in the report; write its permission by hand after checking the Service Authorization Reference"
	case permissions.ErrNotLoopback:
		return "listen on 127.0.0.1 or ::1: client-side monitoring datagrams are unauthenticated"
	case permissions.ErrMalformedDatagram:
		return "only AWS SDK client-side monitoring datagrams (JSON, Type ApiCall or ApiCallAttempt) are accepted"
	}
	switch e.(type) {
	case *permissions.CommandError:
		return "check the command name and that it is on PATH"
	case *permissions.ProcessLineError:
		return "rename the file or directory"
	}
	return ""
}

// ---- lambdadetect ----------------------------------------------------------

// lambdadetectHint names the fix for an error of package lambdadetect (the
// function logs it next to a failed invocation; detect deploy prints it).
func lambdadetectHint(e error) string {
	switch e := e.(type) {
	case *lambdadetect.EnvError:
		return "set " + e.Name + " in the function's environment as 'acme-signing-helper detect deploy --format cloudformation' does (durations like 5m, booleans true or false)"
	case *lambdadetect.SeedsError:
		switch {
		case e.Err == lambdadetect.ErrEmptySecret:
			return "store the seeds database (the seed's env-sha1sum-db.json, or what 'totp enroll' writes) as the secret's value"
		case errors.Is(e.Err, audit.ErrDBFormat):
			return `write the secret's value as the seed's env-sha1sum-db.json, [{"CN=host.example.com":"<hex seed>"}, ...], or as one object {"host.example.com":"<hex seed>", ...}`
		}
		return "check that the secret exists and that the function's role may secretsmanager:GetSecretValue on it (and kms:Decrypt on its key when it is a customer managed key); no verdict is given without the seeds"
	case *lambdadetect.ObjectError:
		var fe *audit.FileError
		if errors.As(e.Err, &fe) {
			return "the log object is truncated or corrupt: the invocation failed so that Lambda retries it and the dead-letter queue keeps the event; check it with 'aws s3 cp s3://" + e.Bucket + "/" + e.Key + " - | acme-signing-helper detect -'"
		}
		return "check that the object exists and that the function's role may s3:GetObject on the trail bucket prefix (the stack's TrailBucket and TrailPrefix)"
	case *lambdadetect.RecordError:
		return "the event's detail is not a CloudTrail record detect reads; check the EventBridge rule's pattern (source aws.rolesanywhere, detail-type AWS API Call via CloudTrail)"
	case *lambdadetect.EventError:
		return "the function takes CloudTrail API call events from EventBridge and S3 object-created events for CloudTrail log files; check what the rule or bucket notification sends"
	case *lambdadetect.PublishError:
		return "check that the topic exists and that the function's role may sns:Publish on it (and use its KMS key)"
	case *lambdadetect.ReplayTableError:
		return "check that the table exists with the key (identity, code) and that the function's role may dynamodb:PutItem and dynamodb:GetItem on it"
	case *lambdadetect.BootstrapError:
		if errors.Is(e.Err, lambdadetect.ErrNotLinuxARM64) {
			return "build the function for the template's arm64 runtime: GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o bootstrap ./cmd/acme-signing-helper, then detect deploy --zip FILE --bootstrap bootstrap"
		}
		return "give --bootstrap the path of a linux/arm64 build of acme-signing-helper"
	}
	switch e {
	case lambdadetect.ErrUnknownEvent:
		return lambdadetectHint(&lambdadetect.EventError{})
	case lambdadetect.ErrEmptySecret:
		return lambdadetectHint(&lambdadetect.SeedsError{Err: e})
	case lambdadetect.ErrMissingEnv:
		return "set the function's environment as 'acme-signing-helper detect deploy --format cloudformation' does"
	case lambdadetect.ErrNotLinuxARM64:
		return lambdadetectHint(&lambdadetect.BootstrapError{Err: e})
	}
	return ""
}
