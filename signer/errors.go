package signer

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// The package's errors carry facts: the Err* sentinels below, matched with
// errors.Is, and the *FileError, *CertificateError, *LayoutError,
// *DomainError, *CABundleError and *APIError types, matched with errors.As,
// that wrap them or a cause. No message names a command-line flag or a fix:
// the caller words the fix (the command line adds a "hint:" line).

// Errors of loading certificate material.
var (
	// ErrNoCertificate: a certificate file holds no PEM CERTIFICATE block or
	// one that does not parse.
	ErrNoCertificate = errors.New("no usable certificate")
	// ErrNoPrivateKey: the key file holds no private key PEM block or one
	// that does not parse.
	ErrNoPrivateKey = errors.New("no usable private key")
	// ErrKeyPasswordRequired: the key is encrypted and no password was given.
	ErrKeyPasswordRequired = errors.New("private key is encrypted and no password was given")
	// ErrKeyPassword: decryption failed, most likely a wrong password.
	ErrKeyPassword = errors.New("cannot decrypt private key (wrong password?)")
	// ErrUnsupportedEncryption: an encrypted key uses a scheme other than
	// PBES2 with PBKDF2 (HMAC-SHA1/SHA256) and AES-CBC, or legacy PEM
	// encryption.
	ErrUnsupportedEncryption = errors.New("unsupported private key encryption")
	// ErrUnsupportedKey: the key is not RSA 2048..4096 nor ECDSA P-256/P-384.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrKeyMismatch: the private key does not belong to the certificate.
	ErrKeyMismatch = errors.New("private key does not match the certificate")
	// ErrExpired: the leaf certificate's NotAfter is in the past.
	ErrExpired = errors.New("certificate has expired")
	// ErrNotYetValid: the leaf certificate's NotBefore is in the future.
	ErrNotYetValid = errors.New("certificate is not valid yet")
	// ErrLeafIsCA: the certificate given as the leaf is a CA certificate.
	ErrLeafIsCA = errors.New("the certificate is a CA certificate, not an end-entity (leaf) certificate")
	// ErrWeakSignature: the leaf is signed with MD2, MD5 or SHA-1, below
	// AWS's SHA-256 or stronger.
	ErrWeakSignature = errors.New("the certificate is signed with a weak algorithm")
	// ErrNoDigitalSignature: the leaf lacks the digitalSignature key usage.
	ErrNoDigitalSignature = errors.New("the certificate's key usage does not include digitalSignature")
	// ErrChainTooLong: more intermediates than X-Amz-X509-Chain may carry.
	ErrChainTooLong = errors.New("too many intermediate certificates")
	// ErrLayoutNotFound: LoadOptions.AcmeDir and Domain matched none of the
	// known layouts (a *LayoutError says where Locate looked).
	ErrLayoutNotFound = errors.New("no certificate found in any known ACME client layout")
	// ErrFileTooLarge: a certificate or key file is larger than Load reads
	// (1 MiB); the cause of a *FileError.
	ErrFileTooLarge = errors.New("file too large")
)

// Errors of the load options, before any file is read.
var (
	// ErrSourceConflict: LoadOptions has both an ACME directory (AcmeDir,
	// Domain) and explicit paths (Certificate, PrivateKey).
	ErrSourceConflict = errors.New("an ACME directory and certificate/key paths exclude each other")
	// ErrAcmeDirOrDomain: one of LoadOptions.AcmeDir and Domain is missing.
	ErrAcmeDirOrDomain = errors.New("the ACME directory and the domain go together")
	// ErrNoCertificatePath: LoadOptions names no certificate file.
	ErrNoCertificatePath = errors.New("no certificate given")
	// ErrNoPrivateKeyPath: LoadOptions names no private key file.
	ErrNoPrivateKeyPath = errors.New("no private key given")
)

// Errors of Config.CheckRequired and SignStringOptions.Check; a
// *FieldError names the field.
var (
	// ErrRequired: a field that has no default is empty.
	ErrRequired = errors.New("is required")
	// ErrSessionNameConflict: Config has both a fixed RoleSessionName and
	// a computed SessionName.
	ErrSessionNameConflict = errors.New("a fixed and a computed role session name exclude each other")
)

// FieldError is a field of Config or SignStringOptions that a check
// refuses: Field is the Go field's name, Value its value where it is
// safe to repeat (never a session name), Err the rule (ErrRequired,
// ErrSessionNameConflict, ErrUnsupportedDigest, ErrUnsupportedFormat).
type FieldError struct {
	Field string
	Value string
	Err   error
}

func (e *FieldError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s %q: %v", e.Field, e.Value, e.Err)
	}
	return e.Field + " " + e.Err.Error()
}

// Unwrap returns the rule the field breaks.
func (e *FieldError) Unwrap() error { return e.Err }

// Errors of the request configuration.
var (
	// ErrInvalidARN: an ARN does not parse or is not of the expected kind.
	ErrInvalidARN = errors.New("invalid ARN")
	// ErrRegionMismatch: the trust anchor and the profile are in different
	// regions.
	ErrRegionMismatch = errors.New("trust anchor and profile are in different regions")
	// ErrSigningRegion: the region given to sign for is not the region of
	// the trust anchor and profile ARNs.
	ErrSigningRegion = errors.New("signing region differs from the ARNs' region")
	// ErrDuration: the session duration is outside 900..43200 seconds.
	ErrDuration = errors.New("session duration out of range")
	// ErrNoRegion: no region was given and none could be derived.
	ErrNoRegion = errors.New("no region")
	// ErrSessionName: the session name callback failed or gave an invalid
	// name.
	ErrSessionName = errors.New("cannot make the role session name")
)

// Errors of the CreateSession call; an *APIError has one as its Kind.
var (
	// ErrUntrustedCertificate: the service found no chain from the
	// certificate to the trust anchor.
	ErrUntrustedCertificate = errors.New("IAM Roles Anywhere does not trust the signing certificate")
	// ErrRoleSessionNameNotAllowed: the profile does not accept a session
	// name.
	ErrRoleSessionNameNotAllowed = errors.New("the profile does not accept a role session name")
	// ErrSessionNameDenied: the role's trust policy refused the session
	// name (a condition on sts:RoleSessionName not met); the profile
	// accepts names.
	ErrSessionNameDenied = errors.New("the role's trust policy refused the role session name")
	// ErrClockSkew: the service rejected the signing date.
	ErrClockSkew = errors.New("the request's signing date was rejected (clock skew)")
	// ErrAccessDenied: another AccessDeniedException.
	ErrAccessDenied = errors.New("access denied by IAM Roles Anywhere")
	// ErrValidation: a ValidationException.
	ErrValidation = errors.New("IAM Roles Anywhere rejected the request as invalid")
	// ErrResourceNotFound: a ResourceNotFoundException.
	ErrResourceNotFound = errors.New("IAM Roles Anywhere did not find a resource")
	// ErrThrottled: the service kept throttling after the retries.
	ErrThrottled = errors.New("IAM Roles Anywhere throttled the request")
	// ErrServer: a 5xx answer after the retries.
	ErrServer = errors.New("IAM Roles Anywhere answered with a server error")
	// ErrBadResponse: the answer could not be read (truncated, not JSON,
	// no credentials).
	ErrBadResponse = errors.New("unreadable answer from the endpoint")
	// ErrTimeout: the call did not finish within the overall timeout.
	ErrTimeout = errors.New("timed out waiting for IAM Roles Anywhere")
	// ErrConnect: the endpoint could not be reached or TLS failed.
	ErrConnect = errors.New("cannot reach the IAM Roles Anywhere endpoint")
	// ErrAPI: any other API error.
	ErrAPI = errors.New("IAM Roles Anywhere refused the request")
)

// FileError is a certificate or key file that cannot be read.
type FileError struct {
	// What is "certificate" or "private key".
	What string
	Path string
	// Err is the cause: an *fs.PathError from opening the file, a read
	// error, or ErrFileTooLarge.
	Err error
}

func (e *FileError) Error() string {
	var pe *fs.PathError
	switch {
	case e.Err == ErrFileTooLarge:
		return fmt.Sprintf("read %s %q: larger than %d bytes", e.What, e.Path, maxFileSize)
	case errors.As(e.Err, &pe) && pe.Op == "open":
		// The open error names the file already.
		return fmt.Sprintf("read %s: %v", e.What, e.Err)
	}
	return fmt.Sprintf("read %s %q: %v", e.What, e.Path, e.Err)
}

// Unwrap gives the cause.
func (e *FileError) Unwrap() error { return e.Err }

// CertificateError is PEM data without a usable certificate. errors.Is(err,
// ErrNoCertificate) holds.
type CertificateError struct {
	// Path is the file, "" when the data did not come from a file.
	Path string
	// Block is the 1-based number of the PEM block that does not parse, 0
	// when there is no CERTIFICATE block at all.
	Block int
	// Err is x509's parse error of Block (nil when Block is 0).
	Err error
}

func (e *CertificateError) Error() string {
	s := ErrNoCertificate.Error() + ": no PEM CERTIFICATE block"
	if e.Block != 0 {
		s = fmt.Sprintf("%s: PEM block %d: %v", ErrNoCertificate, e.Block, e.Err)
	}
	if e.Path != "" {
		s = fmt.Sprintf("certificate %q: %s", e.Path, s)
	}
	return s
}

// Unwrap gives ErrNoCertificate and the parse error.
func (e *CertificateError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrNoCertificate}
	}
	return []error{ErrNoCertificate, e.Err}
}

// LayoutError says where Locate looked for a domain's files in vain.
// errors.Is(err, ErrLayoutNotFound) holds.
type LayoutError struct {
	Dir, Domain string
	// Tried are the certificate paths looked for, in order.
	Tried []string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("%v for %q in %q; tried %s", ErrLayoutNotFound, e.Domain, e.Dir, strings.Join(e.Tried, ", "))
}

// Unwrap gives ErrLayoutNotFound.
func (e *LayoutError) Unwrap() error { return ErrLayoutNotFound }

// DomainError is a LoadOptions.Domain that is a path, not a certificate
// name.
type DomainError struct{ Domain string }

func (e *DomainError) Error() string {
	return fmt.Sprintf("domain %q is not a certificate name", e.Domain)
}

// CABundleError is a Config.CABundle (AWS_CA_BUNDLE) that cannot be used.
type CABundleError struct {
	Path string
	// Err is the read error; nil when the file holds no PEM certificate.
	Err error
}

func (e *CABundleError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("read AWS_CA_BUNDLE: %v", e.Err)
	}
	return fmt.Sprintf("AWS_CA_BUNDLE %q holds no PEM certificate", e.Path)
}

// Unwrap gives the read error.
func (e *CABundleError) Unwrap() error { return e.Err }

// EmptySubjectRefusedError is a CreateSession that IAM Roles Anywhere
// refused (Err, an *APIError of kind ErrAccessDenied, ErrValidation or
// ErrAPI) and that was signed with a certificate without a subject (the
// leaf at Path): the missing CN is a likely cause, either as a rule of the
// service or through a trust policy condition on x509Subject/CN, which such
// a certificate never matches.
type EmptySubjectRefusedError struct {
	Path string
	Err  error
}

func (e *EmptySubjectRefusedError) Error() string {
	return fmt.Sprintf("%v; the certificate %q has an empty subject (no CN)", e.Err, e.Path)
}

// Unwrap gives the *APIError.
func (e *EmptySubjectRefusedError) Unwrap() error { return e.Err }

// APIError is a failed CreateSession call: Kind is one of the ErrUntrusted…,
// ErrAccessDenied… variables above, the rest is what the service said.
// errors.Is(err, Kind) holds.
type APIError struct {
	Kind       error
	StatusCode int    // HTTP status, 0 when no answer was received
	Code       string // the service's error code, e.g. AccessDeniedException
	Message    string // the service's message
	// Skew is server time minus local time, when the answer had a Date
	// header; set for ErrClockSkew.
	Skew time.Duration
	Err  error // the SDK's error
}

func (e *APIError) Error() string {
	// The service's message goes last, unbracketed: it has parentheses of
	// its own ("(20260101T001000Z - 5 min.)").
	s := "create session: " + e.Kind.Error()
	switch {
	case e.StatusCode != 0 && e.Code != "":
		s += fmt.Sprintf(": HTTP %d %s", e.StatusCode, e.Code)
	case e.StatusCode != 0:
		s += fmt.Sprintf(": HTTP %d", e.StatusCode)
	case e.Code != "":
		s += ": " + e.Code
	}
	if e.StatusCode != 0 || e.Code != "" {
		if e.Message != "" {
			s += ": " + e.Message
		}
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Kind == ErrClockSkew && e.Skew != 0 {
		s += fmt.Sprintf("; the server's clock is %s %s ours", abs(e.Skew).Round(time.Second), aheadBehind(e.Skew))
	}
	return s
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
		return "ahead of"
	}
	return "behind"
}
