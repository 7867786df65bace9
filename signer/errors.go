package signer

import (
	"fmt"
	"time"
)

// Error is a problem this package reports, with a hint that names the fix.
// The package's Err* variables are *Error values; match them with errors.Is.
// Errors that carry details (a path, dates, a status) wrap one of them.
type Error struct {
	msg  string
	hint string
}

func (e *Error) Error() string { return e.msg }

// Hint names the fix for the problem.
func (e *Error) Hint() string { return e.hint }

func newError(msg, hint string) *Error { return &Error{msg: msg, hint: hint} }

// Errors of loading certificate material.
var (
	// ErrNoCertificate: a certificate file holds no PEM CERTIFICATE block or
	// one that does not parse.
	ErrNoCertificate = newError("no usable certificate",
		"give --certificate a PEM file with BEGIN CERTIFICATE blocks (the leaf first), such as lego's NAME.crt, certbot's cert.pem or fullchain.pem")
	// ErrNoPrivateKey: the key file holds no private key PEM block or one
	// that does not parse.
	ErrNoPrivateKey = newError("no usable private key",
		"give --private-key the PEM key file the ACME client wrote (PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY)")
	// ErrKeyPasswordRequired: the key is encrypted and no password was given.
	ErrKeyPasswordRequired = newError("private key is encrypted and no password was given",
		"put the password in a file readable only by you and pass --private-key-password-file FILE, or set ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD")
	// ErrKeyPassword: decryption failed, most likely a wrong password.
	ErrKeyPassword = newError("cannot decrypt private key (wrong password?)",
		"check the password in --private-key-password-file or ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD (a trailing newline in the file is ignored)")
	// ErrUnsupportedEncryption: an encrypted key uses a scheme other than
	// PBES2 with PBKDF2 (HMAC-SHA1/SHA256) and AES-CBC, or legacy PEM
	// encryption.
	ErrUnsupportedEncryption = newError("unsupported private key encryption",
		"re-encrypt the key as PKCS#8 with AES-256-CBC: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in OLD -out NEW")
	// ErrUnsupportedKey: the key is not RSA 2048..4096 nor ECDSA P-256/P-384.
	ErrUnsupportedKey = newError("unsupported key type",
		"IAM Roles Anywhere signs with RSA (2048 to 4096 bits) or ECDSA (P-256 or P-384): have the ACME client issue with such a key (lego --key-type rsa2048|ec256|ec384, certbot --key-type ecdsa --elliptic-curve secp256r1|secp384r1)")
	// ErrKeyMismatch: the private key does not belong to the certificate.
	ErrKeyMismatch = newError("private key does not match the certificate",
		"pass the key file written together with the certificate (lego: NAME.key next to NAME.crt; certbot: privkey.pem of the same live/ directory); after a renewal both files change")
	// ErrExpired: the leaf certificate's NotAfter is in the past.
	ErrExpired = newError("certificate has expired",
		"renew it (lego renew, certbot renew, acme.sh --renew) and check that the renewal timer runs; if the dates look wrong, check the system clock")
	// ErrNotYetValid: the leaf certificate's NotBefore is in the future.
	ErrNotYetValid = newError("certificate is not valid yet",
		"check the system clock (timedatectl status); a certificate issued seconds ago may also need a moment")
	// ErrLeafIsCA: the certificate given as the leaf is a CA certificate.
	ErrLeafIsCA = newError("the certificate is a CA certificate, not an end-entity (leaf) certificate",
		"give --certificate the leaf certificate (or the full chain with the leaf first) and put CA certificates in --intermediates")
	// ErrEmptySubject: the leaf certificate's subject is empty.
	ErrEmptySubject = newError("the certificate has an empty subject, which IAM Roles Anywhere rejects",
		"Let's Encrypt's shortlived and tlsserver profiles issue certificates without a CN: request the classic profile (lego --profile classic, certbot --preferred-profile classic) so the subject carries CN=<first DNS name>")
	// ErrNoDigitalSignature: the leaf lacks the digitalSignature key usage.
	ErrNoDigitalSignature = newError("the certificate's key usage does not include digitalSignature",
		"IAM Roles Anywhere needs keyUsage digitalSignature on the leaf: issue the certificate with an ECDSA key or ask the CA for digitalSignature")
	// ErrChainTooLong: more intermediates than X-Amz-X509-Chain may carry.
	ErrChainTooLong = newError("too many intermediate certificates",
		"IAM Roles Anywhere accepts at most 5 intermediates: keep only the certificates between the leaf and the trust anchor")
	// ErrLayoutNotFound: --acme-dir/--domain matched none of the known layouts.
	ErrLayoutNotFound = newError("no certificate found in any known ACME client layout",
		"--acme-dir is lego's --path (holding certificates/), certbot's config dir (holding live/) or acme.sh's home (holding DOMAIN_ecc/ or DOMAIN/); --domain is the certificate's name there")
)

// Errors of the request configuration.
var (
	// ErrInvalidARN: an ARN does not parse or is not of the expected kind.
	ErrInvalidARN = newError("invalid ARN",
		"copy the ARNs from the IAM Roles Anywhere console or 'aws rolesanywhere list-trust-anchors/list-profiles': arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID, ...:profile/ID, arn:aws:iam::ACCOUNT:role/NAME")
	// ErrRegionMismatch: the trust anchor and the profile are in different
	// regions.
	ErrRegionMismatch = newError("trust anchor and profile are in different regions",
		"a session is created in one region: use the trust anchor and profile of the same region (the region is the fourth field of the ARN)")
	// ErrDuration: the session duration is outside 900..43200 seconds.
	ErrDuration = newError("session duration out of range",
		"give --session-duration between 900 and 43200 seconds (the profile and the role's MaxSessionDuration may lower it)")
	// ErrNoRegion: no region was given and none could be derived.
	ErrNoRegion = newError("no region",
		"pass --region or a trust anchor ARN with a region")
	// ErrSessionName: the session name callback failed or gave an invalid
	// name.
	ErrSessionName = newError("cannot make the role session name",
		"a role session name is 2 to 64 characters of letters, digits and _+=,.@-")
)

// Errors of the CreateSession call.
var (
	// ErrUntrustedCertificate: the service found no chain from the
	// certificate to the trust anchor.
	ErrUntrustedCertificate = newError("IAM Roles Anywhere does not trust the signing certificate",
		"the trust anchor must hold the CA that issued the chain's top certificate: pass the issuer bundle with --intermediates (or a full-chain --certificate), and check that the trust anchor's CA bundle has the current root/intermediate (Let's Encrypt rotates intermediates)")
	// ErrRoleSessionNameNotAllowed: the profile does not accept a session
	// name.
	ErrRoleSessionNameNotAllowed = newError("the profile does not accept a role session name",
		"set acceptRoleSessionName=true on the profile (aws rolesanywhere update-profile --profile-id ID --accept-role-session-name), or drop the session name")
	// ErrClockSkew: the service rejected the signing date.
	ErrClockSkew = newError("the request's signing date was rejected (clock skew)",
		"synchronise the system clock (timedatectl set-ntp true, chronyc makestep)")
	// ErrAccessDenied: another AccessDeniedException.
	ErrAccessDenied = newError("access denied by IAM Roles Anywhere",
		"check that the role's trust policy trusts rolesanywhere.amazonaws.com with its conditions (aws:SourceArn = the trust anchor, principal tags), that the role is listed in the profile and that the trust anchor and profile are enabled")
	// ErrValidation: a ValidationException.
	ErrValidation = newError("IAM Roles Anywhere rejected the request as invalid",
		"check --session-duration against the profile's and role's maximum, the role session name, and the ARNs")
	// ErrResourceNotFound: a ResourceNotFoundException.
	ErrResourceNotFound = newError("IAM Roles Anywhere did not find a resource",
		"check that --trust-anchor-arn, --profile-arn and --role-arn exist in that account and region")
	// ErrThrottled: the service kept throttling after the retries.
	ErrThrottled = newError("IAM Roles Anywhere throttled the request",
		"CreateSession allows about 10 calls per second per account: cache the credentials (--cache) or spread the callers")
	// ErrServer: a 5xx answer after the retries.
	ErrServer = newError("IAM Roles Anywhere answered with a server error",
		"retry later; if it persists with --endpoint, check that the endpoint is a Roles Anywhere endpoint")
	// ErrBadResponse: the answer could not be read (truncated, not JSON,
	// no credentials).
	ErrBadResponse = newError("unreadable answer from the endpoint",
		"check --endpoint and any proxy (HTTPS_PROXY) between you and IAM Roles Anywhere")
	// ErrTimeout: the call did not finish within the overall timeout.
	ErrTimeout = newError("timed out waiting for IAM Roles Anywhere",
		"check network access to the endpoint (proxy: HTTPS_PROXY/NO_PROXY) or raise --timeout")
	// ErrConnect: the endpoint could not be reached or TLS failed.
	ErrConnect = newError("cannot reach the IAM Roles Anywhere endpoint",
		"check --endpoint, DNS and proxy settings (HTTPS_PROXY/NO_PROXY); for a private endpoint CA set AWS_CA_BUNDLE")
	// ErrAPI: any other API error.
	ErrAPI = newError("IAM Roles Anywhere refused the request",
		"run with --debug for the request details")
)

// APIError is a failed CreateSession call: Kind is one of the ErrUntrusted…,
// ErrAccessDenied… variables above, the rest is what the service said.
// errors.Is(err, Kind) holds.
type APIError struct {
	Kind       *Error
	StatusCode int    // HTTP status, 0 when no answer was received
	Code       string // the service's error code, e.g. AccessDeniedException
	Message    string // the service's message
	// Skew is server time minus local time, when the answer had a Date
	// header; set for ErrClockSkew.
	Skew time.Duration
	Err  error // the SDK's error
}

func (e *APIError) Error() string {
	s := "create session: " + e.Kind.msg
	switch {
	case e.StatusCode != 0 && e.Code != "":
		s += fmt.Sprintf(" (HTTP %d %s", e.StatusCode, e.Code)
	case e.StatusCode != 0:
		s += fmt.Sprintf(" (HTTP %d", e.StatusCode)
	case e.Code != "":
		s += " (" + e.Code
	}
	if e.StatusCode != 0 || e.Code != "" {
		if e.Message != "" {
			s += ": " + e.Message
		}
		s += ")"
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Kind == ErrClockSkew && e.Skew != 0 {
		s += fmt.Sprintf("; the server's clock is %s %s ours", abs(e.Skew).Round(time.Second), aheadBehind(e.Skew))
	}
	return s
}

// Hint names the fix; for clock skew it includes the measured offset.
func (e *APIError) Hint() string {
	if e.Kind == ErrClockSkew && e.Skew != 0 {
		local := "ahead of"
		if e.Skew > 0 {
			local = "behind"
		}
		return fmt.Sprintf("the local clock is %s %s the server's: %s", abs(e.Skew).Round(time.Second), local, e.Kind.hint)
	}
	return e.Kind.hint
}

// Unwrap gives Kind and the SDK's error.
func (e *APIError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d > 0 {
		return "ahead"
	}
	return "behind"
}
