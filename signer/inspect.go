package signer

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/certsubject"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
)

// Check names one of the checks Load runs.
type Check string

// The checks of Load, in the order it runs them (see Checks).
const (
	// CheckFiles: the files are located, read and parsed.
	CheckFiles Check = "files"
	// CheckPermissions: the private key file is not readable by group or
	// others (a warning; not checked on Windows, where file modes do not
	// describe who can read a file).
	CheckPermissions Check = "permissions"
	// CheckKey: the key is RSA 2048..4096 or ECDSA P-256/P-384 and belongs
	// to the leaf certificate.
	CheckKey Check = "key"
	// CheckSubject: the leaf's subject is not empty (a warning: Let's
	// Encrypt's tlsserver and shortlived profiles issue certificates
	// without one, which AWS documents no rule against).
	CheckSubject Check = "subject"
	// CheckKeyUsage: the leaf is not a CA, has digitalSignature and is
	// signed with SHA-256 or stronger (not MD5 nor SHA-1), AWS's
	// end-entity rules.
	CheckKeyUsage Check = "key-usage"
	// CheckValidity: now is within the leaf's validity (a warning when less
	// than a third of its lifetime is left).
	CheckValidity Check = "validity"
	// CheckChain: the chain is ordered, unrelated certificates are dropped
	// (a warning), at most 5 intermediates remain.
	CheckChain Check = "chain"
)

var checkOrder = []Check{CheckFiles, CheckPermissions, CheckKey, CheckSubject, CheckKeyUsage, CheckValidity, CheckChain}

// Checks returns Load's checks in the order it runs them. Inspect reports
// one CheckResult for each, in this order.
func Checks() []Check { return append([]Check(nil), checkOrder...) }

// Outcome is how a check ended.
type Outcome string

// The outcomes of a check.
const (
	OutcomePassed Outcome = "passed"
	OutcomeWarned Outcome = "warned" // passed with Warnings
	OutcomeFailed Outcome = "failed" // Err is why; Load returns Err
	// OutcomeNotRun: an earlier check failed.
	OutcomeNotRun Outcome = "not run"
	// OutcomeUnsupported: the check means nothing on this platform; Reason
	// says why.
	OutcomeUnsupported Outcome = "unsupported"
)

// CheckResult is the outcome of one check.
type CheckResult struct {
	Check   Check
	Outcome Outcome
	// Err is the error of a failed check, the one Load returns.
	Err error
	// Warnings are those the check added to Material.Warnings.
	Warnings []Warning
	// Reason says why an OutcomeUnsupported check was not made.
	Reason string
}

// LoadReport is what Inspect found, check by check.
type LoadReport struct {
	// Files are the files Locate resolved (zero when it failed).
	Files Files
	// Checks holds one result per check of Checks, in that order: those
	// after a failed one are OutcomeNotRun.
	Checks []CheckResult
	// Dropped are the certificates given for the chain that are not on the
	// leaf's path, and are not sent.
	Dropped []*x509.Certificate
}

// Result is the result of check c (zero when the report has none).
func (r *LoadReport) Result(c Check) CheckResult {
	for _, res := range r.Checks {
		if res.Check == c {
			return res
		}
	}
	return CheckResult{}
}

// The recording methods below do nothing on a nil report, as Load runs.

func (r *LoadReport) add(res CheckResult) {
	if r != nil {
		r.Checks = append(r.Checks, res)
	}
}

func (r *LoadReport) pass(c Check, ws ...Warning) {
	if len(ws) == 0 {
		r.add(CheckResult{Check: c, Outcome: OutcomePassed})
		return
	}
	r.add(CheckResult{Check: c, Outcome: OutcomeWarned, Warnings: ws})
}

// fail records err as the failure of c, the checks after c as not run,
// and returns err.
func (r *LoadReport) fail(c Check, err error) error {
	if r == nil {
		return err
	}
	r.add(CheckResult{Check: c, Outcome: OutcomeFailed, Err: err})
	after := false
	for _, o := range checkOrder {
		if after {
			r.add(CheckResult{Check: o, Outcome: OutcomeNotRun})
		}
		after = after || o == c
	}
	return err
}

// Warning is a problem Load found that does not stop a session:
// *KeyFileModeWarning, *EmptySubjectWarning, *ExpiryWarning or
// *DroppedCertificateWarning.
// String is the text to show.
type Warning interface {
	fmt.Stringer
	// Check is the check that found it.
	Check() Check
}

// KeyFileModeWarning: the private key file is readable by group or others.
type KeyFileModeWarning struct {
	Path string
	Mode fs.FileMode
}

func (w *KeyFileModeWarning) String() string {
	return fmt.Sprintf("private key %q is readable by group or others (mode %04o): chmod 600 it", w.Path, w.Mode.Perm())
}

// Check is CheckPermissions.
func (w *KeyFileModeWarning) Check() Check { return CheckPermissions }

// EmptySubjectWarning: the leaf certificate at Path has an empty subject
// (no CN), as Let's Encrypt's tlsserver and shortlived profiles issue them;
// DNSNames are its subject alternative names. AWS's end-entity rules name
// no subject requirement, so the session is attempted; IAM Roles Anywhere
// then has no CN to map: no x509Subject/CN session tag and no CN source
// identity.
type EmptySubjectWarning struct {
	Path     string
	DNSNames []string
}

func (w *EmptySubjectWarning) String() string {
	return fmt.Sprintf("certificate %q has an empty subject (no CN; DNS names %s): the session gets no x509Subject/CN tag and no CN source identity; policies must use x509SAN/DNS",
		w.Path, strings.Join(w.DNSNames, ", "))
}

// Check is CheckSubject.
func (w *EmptySubjectWarning) Check() Check { return CheckSubject }

// ExpiryWarning: the certificate valid from NotBefore to NotAfter has less
// than a third of its lifetime left at Now.
type ExpiryWarning struct {
	NotBefore, NotAfter, Now time.Time
}

func (w *ExpiryWarning) String() string {
	return fmt.Sprintf("certificate expires %s (%s left, less than a third of its lifetime): check that renewal runs",
		w.NotAfter.UTC().Format(time.RFC3339), w.NotAfter.Sub(w.Now).Round(time.Minute))
}

// Check is CheckValidity.
func (w *ExpiryWarning) Check() Check { return CheckValidity }

// DroppedCertificateWarning: a certificate given for the chain does not
// chain to the leaf; it is not sent.
type DroppedCertificateWarning struct {
	Certificate *x509.Certificate
}

func (w *DroppedCertificateWarning) String() string {
	return fmt.Sprintf("certificate %q does not chain to the leaf; not sent", w.Certificate.Subject.String())
}

// Check is CheckChain.
func (w *DroppedCertificateWarning) Check() Check { return CheckChain }

// expiryWarning is the warning of a certificate valid from notBefore to
// notAfter with less than a third of its lifetime left at now, or nil.
func expiryWarning(notBefore, notAfter, now time.Time) *ExpiryWarning {
	if left, life := notAfter.Sub(now), notAfter.Sub(notBefore); left*3 < life {
		return &ExpiryWarning{NotBefore: notBefore, NotAfter: notAfter, Now: now}
	}
	return nil
}

// LifetimeWarning is Load's warning for a certificate valid from notBefore
// to notAfter that has less than a third of its lifetime left at now, ""
// otherwise. A cache that recorded the validity uses it to warn as Load
// would without parsing the certificate again.
func LifetimeWarning(notBefore, notAfter, now time.Time) string {
	if w := expiryWarning(notBefore, notAfter, now); w != nil {
		return w.String()
	}
	return ""
}

// KeyFileWarning is Load's warning for a private key file at path with
// mode that group or others can read, "" otherwise (always "" on Windows,
// where Load does not check the mode).
func KeyFileWarning(path string, mode fs.FileMode) string {
	if !keyFileModeChecked || mode.Perm()&0o044 == 0 {
		return ""
	}
	return (&KeyFileModeWarning{Path: path, Mode: mode}).String()
}

// Load reads and checks certificate material, running the checks of
// Checks in order and stopping at the first failure. Every error names
// the file and wraps one of the package's Err* values.
func Load(o LoadOptions) (*Material, error) {
	return load(o, nil)
}

// Inspect is Load that also reports each check's outcome: rep is never
// nil, and err (Load's error) is the Err of rep's failed check.
func Inspect(o LoadOptions) (m *Material, rep *LoadReport, err error) {
	rep = &LoadReport{}
	m, err = load(o, rep)
	return m, rep, err
}

func load(o LoadOptions, r *LoadReport) (*Material, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	files, err := Locate(o)
	if err != nil {
		return nil, r.fail(CheckFiles, err)
	}
	if r != nil {
		r.Files = files
	}
	m := &Material{Layout: files.Layout, CertificatePath: files.Certificate, PrivateKeyPath: files.PrivateKey, IntermediatePaths: files.Intermediates}
	chainFiles := files.Intermediates

	// files
	certPEM, err := readFile("certificate", m.CertificatePath)
	if err != nil {
		return nil, r.fail(CheckFiles, err)
	}
	m.CertificateFileSHA256 = sha256.Sum256(certPEM)
	var certs []*x509.Certificate
	if isPKCS12(certPEM) { // leaf, chain and key in one .p12/.pfx (pkcs12.go)
		if _, certs, err = parsePKCS12(certPEM, o.Password); err != nil {
			return nil, r.fail(CheckFiles, fmt.Errorf("certificate %q: %w", m.CertificatePath, err))
		}
	} else {
		var cerr *CertificateError
		if certs, cerr = parseCertificates(certPEM); cerr != nil {
			cerr.Path = m.CertificatePath
			return nil, r.fail(CheckFiles, cerr)
		}
	}
	key, err := loadPrivateKey(m.PrivateKeyPath, o) // tpmkey.go
	var keyErr error                                // a key of an unsupported type fails the key check
	if err != nil {
		if !errors.Is(err, ErrUnsupportedKey) {
			return nil, r.fail(CheckFiles, err)
		}
		keyErr = err
	}
	var chainCerts []*x509.Certificate
	for _, p := range chainFiles {
		cs, err := ReadCertificateFile(p)
		if err != nil {
			return nil, r.fail(CheckFiles, err)
		}
		chainCerts = append(chainCerts, cs...)
	}
	r.pass(CheckFiles)

	// permissions
	if !keyFileModeChecked {
		r.add(CheckResult{Check: CheckPermissions, Outcome: OutcomeUnsupported, Reason: "not checked on Windows"})
	} else if IsTPMHandle(m.PrivateKeyPath) {
		r.add(CheckResult{Check: CheckPermissions, Outcome: OutcomeUnsupported, Reason: "a TPM handle, not a file"})
	} else if st, err := os.Stat(m.PrivateKeyPath); err == nil && st.Mode().Perm()&0o044 != 0 {
		w := &KeyFileModeWarning{Path: m.PrivateKeyPath, Mode: st.Mode()}
		m.Warnings = append(m.Warnings, w)
		r.pass(CheckPermissions, w)
	} else {
		r.pass(CheckPermissions)
	}

	// key
	if keyErr != nil {
		return nil, r.fail(CheckKey, keyErr)
	}
	if m.Algorithm, err = algorithmFor(key.Public()); err != nil {
		return nil, r.fail(CheckKey, fmt.Errorf("private key %q: %w", m.PrivateKeyPath, err))
	}
	m.Key = key
	// The leaf is the certificate of the key, wherever it is in the file;
	// without a match, the first one (and the mismatch is reported).
	leafIdx := 0
	for i, c := range certs {
		if samePublicKey(c.PublicKey, key.Public()) {
			leafIdx = i
			break
		}
	}
	leaf := certs[leafIdx]
	m.Leaf = leaf
	if err := checkKey(leaf, key, m.CertificatePath, m.PrivateKeyPath); err != nil {
		return nil, r.fail(CheckKey, err)
	}
	r.pass(CheckKey)

	// subject
	if certsubject.Empty(leaf) {
		w := &EmptySubjectWarning{Path: m.CertificatePath, DNSNames: leaf.DNSNames}
		m.Warnings = append(m.Warnings, w)
		r.pass(CheckSubject, w)
	} else {
		r.pass(CheckSubject)
	}

	// key-usage
	if leaf.IsCA {
		return nil, r.fail(CheckKeyUsage, fmt.Errorf("%w: %q (%s)", ErrLeafIsCA, m.CertificatePath, leaf.Subject))
	}
	if leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, r.fail(CheckKeyUsage, fmt.Errorf("%w: %q", ErrNoDigitalSignature, m.CertificatePath))
	}
	if weakSignature(leaf.SignatureAlgorithm) {
		return nil, r.fail(CheckKeyUsage, fmt.Errorf("%w: %q is signed with %s", ErrWeakSignature, m.CertificatePath, leaf.SignatureAlgorithm))
	}
	r.pass(CheckKeyUsage)

	// validity
	t := now()
	if t.After(leaf.NotAfter) {
		return nil, r.fail(CheckValidity, fmt.Errorf("%w: %q expired on %s (now %s)", ErrExpired, m.CertificatePath, leaf.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339)))
	}
	if t.Before(leaf.NotBefore) {
		return nil, r.fail(CheckValidity, fmt.Errorf("%w: %q is valid from %s (now %s)", ErrNotYetValid, m.CertificatePath, leaf.NotBefore.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339)))
	}
	if w := expiryWarning(leaf.NotBefore, leaf.NotAfter, now()); w != nil {
		m.Warnings = append(m.Warnings, w)
		r.pass(CheckValidity, w)
	} else {
		r.pass(CheckValidity)
	}

	// chain
	others := make([]*x509.Certificate, 0, len(certs)+len(chainCerts))
	others = append(others, certs[:leafIdx]...)
	others = append(others, certs[leafIdx+1:]...)
	others = append(others, chainCerts...)
	chain, dropped := OrderChain(leaf, others)
	var ws []Warning
	for _, c := range dropped {
		ws = append(ws, &DroppedCertificateWarning{Certificate: c})
	}
	if r != nil {
		r.Dropped = dropped
	}
	if len(chain) > sigv4x509.MaxChain {
		return nil, r.fail(CheckChain, fmt.Errorf("%w: %d after the leaf in %s", ErrChainTooLong, len(chain), strings.Join(append([]string{m.CertificatePath}, chainFiles...), ", ")))
	}
	m.Warnings = append(m.Warnings, ws...)
	r.pass(CheckChain, ws...)
	m.Chain = chain
	return m, nil
}

// checkKey fails when the key does not belong to the leaf or the leaf's
// key is of a type IAM Roles Anywhere does not sign with.
func checkKey(leaf *x509.Certificate, key crypto.Signer, certPath, keyPath string) error {
	if !samePublicKey(leaf.PublicKey, key.Public()) {
		return fmt.Errorf("%w: certificate %q (serial %s) and key %q", ErrKeyMismatch, certPath, leaf.SerialNumber, keyPath)
	}
	if _, err := algorithmFor(leaf.PublicKey); err != nil {
		return fmt.Errorf("certificate %q: %w", certPath, err)
	}
	return nil
}

// weakSignature reports whether a certificate signed with alg falls short
// of AWS's "SHA-256 or stronger": MD2, MD5 and SHA-1 signatures.
func weakSignature(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}
