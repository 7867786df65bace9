package doctor

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Status is the verdict of one check.
type Status string

// The statuses of a check. Only Fail makes a report not OK.
const (
	Pass Status = "PASS"
	Warn Status = "WARN"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Check is one line of the checklist.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	// Fix is the doctor's own advice, "" when it has none or when the
	// caller words it from Err.
	Fix string `json:"fix,omitempty"`
	// Err is the error behind a Warn or Fail, for the caller to word the
	// fix (a signer or totp error, or one of this package's Err* and
	// *AnchorMismatchError); nil when Fix says all.
	Err error `json:"-"`
}

// Report is the checklist, in order: signer's checks of the certificate
// material as signer.Inspect reports them, then eku, arns, fingerprint,
// clock and call.
type Report struct {
	Checks []Check `json:"checks"`
	// OK is false when any check failed.
	OK bool `json:"ok"`
}

// Check returns the check called name, and whether there is one.
func (r Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Inputs are what Run checks: plain values, as a caller that made a
// credential_process call would hold them.
type Inputs struct {
	// Load says where the certificate material is. Its Password is set
	// from KeyPassword when that is not nil.
	Load signer.LoadOptions
	// KeyPassword reads the key password (nil when there is none); an
	// error fails the files check. Nil: Load.Password is used as is.
	KeyPassword func() ([]byte, error)
	// TPMKeyPassword reads a TPM key's password as KeyPassword does, into
	// Load.TPMKeyPassword. Load.TPMDevice is the TPM of a TPM key and of a
	// tpm-hmac fingerprint (tpm.go).
	TPMKeyPassword func() ([]byte, error)
	// Config is the CreateSession request, with the Now, Logger and
	// CABundle a call would use; Run sets its SessionName from
	// Fingerprints.
	Config signer.Config
	// AnchorFiles are PEM files of the trust anchor's CA certificates to
	// verify the chain against. Without them, a Let's Encrypt chain is
	// verified against the embedded ISRG roots, any other against the
	// system roots.
	AnchorFiles []string
	// Fingerprints are the totp fingerprint source specs whose TOTP code
	// is the session name; none: the session name is not a TOTP code.
	Fingerprints []string
	// Digits of the TOTP session name (0: 6).
	Digits int
	// LookupEnv reads the environment for env: fingerprint sources (nil:
	// os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Now is the local clock (nil: time.Now); Run gives it to Load and
	// Config when their Now is nil, so every check reads one clock.
	Now func() time.Time
	// Offline skips the checks that contact the endpoint (clock).
	Offline bool
	// Call makes a real CreateSession call (excludes Offline).
	Call bool
	// MaxSkew is the clock offset that fails (0: 5 minutes).
	MaxSkew time.Duration
	// Inspect loads and checks the certificate material (nil:
	// signer.Inspect). Every result of its report becomes a check, in the
	// report's order, whether the doctor knows the check or not.
	Inspect func(signer.LoadOptions) (*signer.Material, *signer.LoadReport, error)
}

// skipAfterFailure is the detail of a check that an earlier failure
// prevents.
const skipAfterFailure = "not checked: fix the failure above first"

// Run makes every check and returns the report. It returns when the
// checks are done, or ctx ends the network ones.
func Run(ctx context.Context, in Inputs) Report {
	if in.Now == nil {
		in.Now = time.Now
	}
	if in.Load.Now == nil {
		in.Load.Now = in.Now
	}
	if in.Config.Now == nil {
		in.Config.Now = in.Now
	}
	if in.MaxSkew <= 0 {
		in.MaxSkew = 5 * time.Minute
	}
	if in.Inspect == nil {
		in.Inspect = signer.Inspect
	}
	var r Report
	m, lrep := inspect(in)
	for _, res := range lrep.Checks {
		r.Checks = append(r.Checks, materialCheck(in, res, m, lrep))
	}
	if usesTPM(in, lrep) { // tpm.go
		r.Checks = append(r.Checks, tpmCheck(in))
	}
	r.Checks = append(r.Checks, ekuCheck(m))
	r.Checks = append(r.Checks, arnCheck(in.Config))
	r.Checks = append(r.Checks, fingerprintCheck(in))
	r.Checks = append(r.Checks, clockCheck(ctx, in))
	r.Checks = append(r.Checks, callCheck(ctx, in, m, r))
	r.OK = true
	for _, c := range r.Checks {
		if c.Status == Fail {
			r.OK = false
		}
	}
	return r
}

// filesFailed is the report of a load that failed before signer ran: the
// files check failed with err, every other check not run.
func filesFailed(err error) *signer.LoadReport {
	rep := &signer.LoadReport{}
	for _, c := range signer.Checks() {
		rep.Checks = append(rep.Checks, signer.CheckResult{Check: c, Outcome: signer.OutcomeNotRun})
	}
	rep.Checks[0] = signer.CheckResult{Check: rep.Checks[0].Check, Outcome: signer.OutcomeFailed, Err: err}
	return rep
}

// inspect loads the material. A failure to read the password fails the
// files check, before signer runs.
func inspect(in Inputs) (*signer.Material, *signer.LoadReport) {
	lo := in.Load
	if in.KeyPassword != nil {
		password, err := in.KeyPassword()
		if err != nil {
			return nil, filesFailed(err)
		}
		lo.Password = password
		defer clear(password)
	}
	if in.TPMKeyPassword != nil {
		password, err := in.TPMKeyPassword()
		if err != nil {
			return nil, filesFailed(err)
		}
		lo.TPMKeyPassword = password
		defer clear(password)
	}
	m, rep, _ := in.Inspect(lo)
	return m, rep
}

// materialCheck is the line of one of signer's checks. The doctor words
// the checks it knows from the material; any other is reported from its
// outcome alone. Permissions and chain add the doctor's own rules.
func materialCheck(in Inputs, res signer.CheckResult, m *signer.Material, rep *signer.LoadReport) Check {
	name := string(res.Check)
	switch res.Outcome {
	case signer.OutcomeFailed:
		return Check{Name: name, Status: Fail, Detail: res.Err.Error(), Err: res.Err}
	case signer.OutcomeNotRun:
		return Check{Name: name, Status: Skip, Detail: skipAfterFailure}
	}
	switch res.Check {
	case signer.CheckPermissions:
		// The doctor's rule, not signer's warning: group-readable is the
		// seed's scheme (the helper's group reads the key).
		return permissionsCheck(rep.Files.PrivateKey)
	case signer.CheckFiles:
		if m == nil {
			return Check{Name: name, Status: Pass, Detail: "certificate and key files read"}
		}
		return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("%s layout: certificate %q, key %q, %s", m.Layout, m.CertificatePath, m.PrivateKeyPath, plural(len(m.Chain), "intermediate"))}
	}
	if m == nil {
		// An earlier check passed; a later one failed.
		if res.Outcome == signer.OutcomeUnsupported {
			return Check{Name: name, Status: Warn, Detail: res.Reason}
		}
		return Check{Name: name, Status: Pass, Detail: "checked while loading"}
	}
	leaf := m.Leaf
	switch res.Check {
	case signer.CheckKey:
		return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("%s key matches the certificate (serial %s)", keyDescription(m), leaf.SerialNumber)}
	case signer.CheckSubject:
		if res.Outcome == signer.OutcomeWarned {
			return Check{Name: name, Status: Warn, Detail: warningsText(res.Warnings), Fix: emptySubjectFix}
		}
		return Check{Name: name, Status: Pass, Detail: leaf.Subject.String()}
	case signer.CheckKeyUsage:
		return Check{Name: name, Status: Pass, Detail: "end-entity certificate with digitalSignature"}
	case signer.CheckValidity:
		life, left := leaf.NotAfter.Sub(leaf.NotBefore), leaf.NotAfter.Sub(in.Now())
		validity := fmt.Sprintf("valid until %s: %s left of %s", leaf.NotAfter.UTC().Format(time.RFC3339), days(left), days(life))
		if res.Outcome == signer.OutcomeWarned {
			return Check{Name: name, Status: Warn, Detail: validity + " (less than a third)", Fix: "check that renewal runs: systemctl list-timers lego-renew-cert.timer, journalctl -u lego-renew-cert"}
		}
		return Check{Name: name, Status: Pass, Detail: validity}
	case signer.CheckChain:
		return chainCheck(in.AnchorFiles, m, rep.Dropped)
	}
	// A check the doctor does not know: its outcome says it.
	switch res.Outcome {
	case signer.OutcomeWarned:
		return Check{Name: name, Status: Warn, Detail: warningsText(res.Warnings)}
	case signer.OutcomeUnsupported:
		return Check{Name: name, Status: Warn, Detail: res.Reason}
	}
	return Check{Name: name, Status: Pass, Detail: "checked while loading"}
}

// emptySubjectFix is the doctor's advice for a certificate without a
// subject: what is known (AWS documents no subject rule; without a CN there
// is no x509Subject/CN tag nor CN source identity) and the way back to a CN.
const emptySubjectFix = "AWS documents no subject requirement, so the call is made: write trust and key policies on aws:PrincipalTag/x509SAN/DNS, not x509Subject/CN; " +
	"if CreateSession refuses the certificate, or a CN is wanted, request Let's Encrypt's classic profile (lego --profile classic, certbot --preferred-profile classic)"

// warningsText joins the texts of a check's warnings.
func warningsText(ws []signer.Warning) string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.String())
	}
	return strings.Join(out, "; ")
}

func keyDescription(m *signer.Material) string {
	switch k := m.Key.Public().(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	}
	return "key"
}

func days(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func ekuCheck(m *signer.Material) Check {
	const name = "eku"
	if m == nil {
		return Check{Name: name, Status: Skip, Detail: skipAfterFailure}
	}
	leaf := m.Leaf
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return Check{Name: name, Status: Pass, Detail: "no extended key usage: any use"}
	}
	server := false
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return Check{Name: name, Status: Pass, Detail: "extended key usage includes TLS client authentication"}
		}
		server = server || u == x509.ExtKeyUsageServerAuth
	}
	if server {
		return Check{Name: name, Status: Pass, Detail: "TLS server authentication only, as Let's Encrypt issues since it dropped clientAuth from the classic profile on 2026-02-11; IAM Roles Anywhere documents no EKU requirement"}
	}
	return Check{Name: name, Status: Warn, Detail: "extended key usage has neither TLS client nor server authentication",
		Fix: "IAM Roles Anywhere documents no EKU requirement; if CreateSession refuses the certificate, issue one with the usual TLS usages"}
}

// plural is "no NOUNs", "1 NOUN" or "N NOUNs".
func plural(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun + "s"
	case 1:
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
