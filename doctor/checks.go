package doctor

import (
	"context"
	"crypto/subtle"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The problems the doctor finds itself, as Check.Err (wrapped with the
// cause where there is one), for the caller to word the fix.
var (
	// ErrAnchorFile: an Inputs.AnchorFiles file cannot be read or holds no
	// certificate.
	ErrAnchorFile = errors.New("trust anchor file unusable")
	// ErrEmbeddedRoots: the embedded Let's Encrypt roots do not parse.
	ErrEmbeddedRoots = errors.New("the embedded Let's Encrypt roots do not parse")
	// ErrUnrelatedCertificates: the chain verifies, but certificates given
	// for it do not chain to the leaf (a warning).
	ErrUnrelatedCertificates = errors.New("certificates given for the chain do not chain to the leaf")
	// ErrIncompleteChain: a Let's Encrypt chain does not verify to the
	// ISRG roots.
	ErrIncompleteChain = errors.New("the chain does not verify to the Let's Encrypt roots")
	// ErrSystemRoots: without anchors, the chain does not verify to the
	// system roots (a private CA?; a warning).
	ErrSystemRoots = errors.New("the chain does not verify to the system roots")
	// ErrNoIntermediates: no intermediates were given and the leaf's
	// issuer is not one of the anchors.
	ErrNoIntermediates = errors.New("no intermediates and the issuer is not a trust anchor")
	// ErrMissingARN: the trust anchor, profile or role ARN is empty.
	ErrMissingARN = errors.New("an ARN is not set")
	// ErrRegionOverride: Config.Region is not the trust anchor's region
	// (the service refuses such a request).
	ErrRegionOverride = errors.New("the region differs from the trust anchor's")
	// ErrEndpoint: the endpoint URL does not make a request.
	ErrEndpoint = errors.New("invalid endpoint URL")
	// ErrUnreachable: the endpoint did not answer.
	ErrUnreachable = errors.New("cannot reach the endpoint")
	// ErrNoDate: the endpoint's answer has no usable Date header (a
	// warning).
	ErrNoDate = errors.New("no usable Date header")
)

// AnchorMismatchError: the chain does not verify to the anchors given.
// Issuer is the issuer named by the top of the chain, the CA the anchors
// should hold.
type AnchorMismatchError struct {
	Issuer string
	Err    error // x509's verification error
}

func (e *AnchorMismatchError) Error() string {
	return fmt.Sprintf("the chain does not verify to the trust anchors (top issuer %q): %v", e.Issuer, e.Err)
}

// Unwrap gives x509's error.
func (e *AnchorMismatchError) Unwrap() error { return e.Err }

// letsEncryptRootsPEM are ISRG Root X1 and X2 (see the file's header).
//
//go:embed letsencrypt_roots.pem
var letsEncryptRootsPEM []byte

// LetsEncryptRoots returns the embedded Let's Encrypt roots, ISRG Root X1
// and X2, with which Run verifies a Let's Encrypt chain when no anchors
// are given.
func LetsEncryptRoots() ([]*x509.Certificate, error) {
	return signer.ParseCertificates(letsEncryptRootsPEM)
}

// issuedByLetsEncrypt reports whether the leaf or its chain names Let's
// Encrypt or ISRG as issuer.
func issuedByLetsEncrypt(m *signer.Material) bool {
	for _, c := range append([]*x509.Certificate{m.Leaf}, m.Chain...) {
		for _, o := range c.Issuer.Organization {
			if o == "Let's Encrypt" || o == "Internet Security Research Group" {
				return true
			}
		}
	}
	return false
}

// chainCheck verifies the chain signer ordered against the anchors, the
// Let's Encrypt roots or the system roots, and reports what signer dropped.
func chainCheck(anchorFiles []string, m *signer.Material, dropped []*x509.Certificate) Check {
	const name = "chain"
	pool := x509.NewCertPool()
	names := make([]string, 0, len(m.Chain))
	for _, c := range m.Chain {
		pool.AddCert(c)
		names = append(names, c.Subject.CommonName)
	}
	desc := intermediates(names)
	var roots *x509.CertPool
	rootsName := "--anchor-cert"
	leRoots := false
	if len(anchorFiles) > 0 {
		roots = x509.NewCertPool()
		for _, f := range anchorFiles {
			certs, err := signer.ReadCertificateFile(f)
			var fe *signer.FileError
			switch {
			case errors.As(err, &fe):
				return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("read --anchor-cert %q: %v", f, fe.Err), Err: fmt.Errorf("%w: %w", ErrAnchorFile, err)}
			case err != nil:
				return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("--anchor-cert %q holds no certificate", f), Err: fmt.Errorf("%w: %w", ErrAnchorFile, err)}
			}
			for _, c := range certs {
				roots.AddCert(c)
			}
		}
	} else if issuedByLetsEncrypt(m) {
		le, err := LetsEncryptRoots()
		if err != nil {
			return Check{Name: name, Status: Fail, Detail: "the Let's Encrypt roots in this program do not parse: " + err.Error(), Err: fmt.Errorf("%w: %w", ErrEmbeddedRoots, err)}
		}
		roots, rootsName = x509.NewCertPool(), "the Let's Encrypt roots shipped in this program (ISRG Root X1, X2)"
		for _, c := range le {
			roots.AddCert(c)
		}
		leRoots = true
	} else if sys, err := x509.SystemCertPool(); err == nil {
		roots, rootsName = sys, "the system roots"
	}
	_, verr := m.Leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: m.Leaf.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	switch {
	case verr == nil && len(dropped) > 0:
		ws := make([]string, 0, len(dropped))
		for _, c := range dropped {
			ws = append(ws, (&signer.DroppedCertificateWarning{Certificate: c}).String())
		}
		return Check{Name: name, Status: Warn, Detail: desc + " verifies to " + rootsName + "; " + strings.Join(ws, "; "), Err: ErrUnrelatedCertificates}
	case verr == nil:
		return Check{Name: name, Status: Pass, Detail: desc + ", verifies to " + rootsName}
	case leRoots:
		return Check{Name: name, Status: Fail, Detail: desc + "; does not verify to " + rootsName + ": " + verr.Error(), Err: fmt.Errorf("%w: %w", ErrIncompleteChain, verr)}
	case len(anchorFiles) == 0:
		return Check{Name: name, Status: Warn, Detail: desc + "; does not verify to the system roots (a private CA?): " + verr.Error(), Err: fmt.Errorf("%w: %w", ErrSystemRoots, verr)}
	case len(m.Chain) == 0:
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("no intermediates, and the issuer %q is not an --anchor-cert", m.Leaf.Issuer.CommonName), Err: fmt.Errorf("%w: %w", ErrNoIntermediates, verr)}
	}
	return Check{Name: name, Status: Fail, Detail: desc + "; does not verify to --anchor-cert: " + verr.Error(),
		Err: &AnchorMismatchError{Issuer: m.Chain[len(m.Chain)-1].Issuer.CommonName, Err: verr}}
}

func arnCheck(cfg signer.Config) Check {
	const name = "arns"
	for _, f := range []struct{ flag, v string }{{"trust-anchor-arn", cfg.TrustAnchorARN}, {"profile-arn", cfg.ProfileARN}, {"role-arn", cfg.RoleARN}} {
		if f.v == "" {
			return Check{Name: name, Status: Fail, Detail: "--" + f.flag + " is not set", Err: ErrMissingARN}
		}
	}
	// A --region other than the ARNs' is refused (signer.ErrSigningRegion)
	// as credential-process refuses it; named here with its own error.
	if ta, err := arn.Parse(cfg.TrustAnchorARN); err == nil && cfg.Region != "" && cfg.Region != ta.Region {
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("--region %s differs from the trust anchor's region %s: the service refuses the request", cfg.Region, ta.Region), Err: ErrRegionOverride}
	}
	if err := cfg.Validate(); err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Fix: "copy the ARNs from the IAM Roles Anywhere console", Err: err}
	}
	ta, _ := arn.Parse(cfg.TrustAnchorARN)
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("trust anchor, profile and role ARNs valid; region %s, partition %s", ta.Region, ta.Partition)}
}

// fingerprintKey derives the TOTP key of the fingerprint sources.
func fingerprintKey(in Inputs) (totp.Key, error) {
	return totp.DeriveKeyFromSpecs(&totp.System{LookupEnv: in.LookupEnv}, in.Fingerprints)
}

func fingerprintCheck(in Inputs) Check {
	const name = "fingerprint"
	if len(in.Fingerprints) == 0 {
		return Check{Name: name, Status: Skip, Detail: "no --fingerprint: the session name is not a TOTP code"}
	}
	if sp, ok := tpmSeed(in); ok { // tpm.go
		return tpmSeedCheck(in, sp)
	}
	k1, err := fingerprintKey(in)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	defer clear(k1)
	k2, err := fingerprintKey(in)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	defer clear(k2)
	if subtle.ConstantTimeCompare(k1, k2) != 1 {
		return Check{Name: name, Status: Fail, Detail: "two reads of the fingerprint sources gave different seeds",
			Fix: "use sources that do not change between runs (a file, machine-id, dmi:product_uuid), not ones that change over time"}
	}
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("%d source(s) readable, two reads give the same seed", len(in.Fingerprints))}
}

// clockCheck compares the local clock with the endpoint's Date header,
// through the HTTP client CreateSession would use.
func clockCheck(ctx context.Context, in Inputs) Check {
	const name = "clock"
	if in.Offline {
		return Check{Name: name, Status: Skip, Detail: "--offline"}
	}
	url := in.Config.EndpointURL()
	if url == "" {
		return Check{Name: name, Status: Skip, Detail: "no endpoint: set the ARNs or --endpoint"}
	}
	client, err := in.Config.NewHTTPClient()
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("endpoint %q: %v", url, err), Err: fmt.Errorf("%w: %w", ErrEndpoint, err)}
	}
	t0 := in.Now()
	resp, err := client.Do(req)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("cannot reach %s: %v", url, err), Err: fmt.Errorf("%w: %w", ErrUnreachable, err)}
	}
	resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return Check{Name: name, Status: Warn, Detail: fmt.Sprintf("%s sent no usable Date header", url), Err: ErrNoDate}
	}
	offset, uncertainty := clockOffset(t0, in.Now(), date)
	abs := offset
	if abs < 0 {
		abs = -abs
	}
	side := "behind"
	if offset >= 0 {
		side = "ahead of"
	}
	detail := fmt.Sprintf("local clock %s the endpoint's Date header by %s (±%s)", side, abs.Round(time.Second), uncertainty.Round(time.Millisecond))
	if abs <= uncertainty {
		detail = fmt.Sprintf("local clock agrees with the endpoint's Date header (±%s)", uncertainty.Round(time.Millisecond))
	}
	switch {
	case abs >= in.MaxSkew:
		return Check{Name: name, Status: Fail, Detail: detail + ": requests will be rejected", Fix: "synchronise the system clock (timedatectl set-ntp true; chronyc makestep)"}
	case abs >= time.Minute:
		return Check{Name: name, Status: Warn, Detail: detail, Fix: "synchronise the system clock (timedatectl set-ntp true)"}
	}
	return Check{Name: name, Status: Pass, Detail: detail}
}

// clockOffset is the local clock minus the server's, measured by a request
// sent at t0 and answered at t1 with the Date header date, and the
// measurement's own uncertainty: the server read its clock at some moment
// of the round trip (compare with the middle: ± half of it), and the header
// truncates to the second (compare with the middle of that second: ±0.5 s).
func clockOffset(t0, t1, date time.Time) (offset, uncertainty time.Duration) {
	half := t1.Sub(t0) / 2
	if half < 0 {
		half = 0
	}
	return t0.Add(half).Sub(date.Add(500 * time.Millisecond)), half + 500*time.Millisecond
}

// intermediates describes the chain's intermediates by common name.
func intermediates(names []string) string {
	switch len(names) {
	case 0:
		return "no intermediates"
	case 1:
		return "1 intermediate (" + names[0] + ")"
	}
	return fmt.Sprintf("%d intermediates, leaf's issuer first (%s)", len(names), strings.Join(names, " <- "))
}

// callCheck makes the CreateSession call when asked and nothing it needs
// failed before.
func callCheck(ctx context.Context, in Inputs, m *signer.Material, r Report) Check {
	const name = "call"
	if !in.Call {
		return Check{Name: name, Status: Skip, Detail: "no --call: CreateSession not tried"}
	}
	if m == nil {
		return Check{Name: name, Status: Skip, Detail: "not tried: the certificate material failed above"}
	}
	if c, _ := r.Check("arns"); c.Status == Fail {
		return Check{Name: name, Status: Skip, Detail: "not tried: the ARNs failed above"}
	}
	cfg := in.Config
	if len(in.Fingerprints) > 0 {
		k, err := fingerprintKey(in)
		if err != nil {
			return Check{Name: name, Status: Fail, Detail: err.Error(), Fix: "fix the fingerprint sources", Err: err}
		}
		defer clear(k)
		opts := totp.Options{Digits: in.Digits}
		cfg.SessionName = func(t time.Time) (string, error) {
			code, err := totp.Code(k, t, opts)
			if err != nil {
				return "", fmt.Errorf("totp session name: %w", err)
			}
			return code, nil
		}
	}
	cr, err := signer.CreateSession(ctx, m, cfg)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("CreateSession returned %s, valid until %s", cr.AccessKeyID, cr.Expiration.UTC().Format(time.RFC3339))}
}
