package hints

import (
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
)

// DoctorFixes sets the Fix of every check of r that warned or failed to
// DoctorFix's (checks that passed or were skipped keep theirs).
func DoctorFixes(r *doctor.Report) {
	for i := range r.Checks {
		if c := &r.Checks[i]; c.Status != doctor.Pass && c.Status != doctor.Skip {
			c.Fix = DoctorFix(*c)
		}
	}
}

// DoctorFix is the fix printed under a check of the doctor command that
// did not pass: the fix of the problem the doctor found itself (its Err*
// and *AnchorMismatchError, in the doctor command's flags), else For of
// the check's error, else the doctor's own Fix, else a general fix by the
// check's name.
func DoctorFix(c doctor.Check) string {
	if h := doctorHint(c.Err); h != "" {
		return h
	}
	if h := For(c.Err); h != "" {
		return h
	}
	if c.Fix != "" {
		return c.Fix
	}
	switch c.Name {
	case "fingerprint":
		return "make the --fingerprint sources readable by this user (see '" + progName + " totp seed')"
	case "call":
		return "run credential-process with --debug for the request details"
	}
	return "check the --certificate/--private-key or --acme-dir/--domain flags"
}

// doctorHint words the fix of a problem the doctor found itself ("" for
// other errors), anywhere in err's chain.
func doctorHint(err error) string {
	var am *doctor.AnchorMismatchError
	switch {
	case errors.As(err, &am):
		return fmt.Sprintf("the trust anchor must be the CA that issued the top of the chain: check --anchor-cert (and the trust anchor's bundle) against the issuer %q, and that no intermediate is missing", am.Issuer)
	case errors.Is(err, doctor.ErrAnchorFile):
		return "give --anchor-cert the PEM file of your trust anchor's CA certificate(s)"
	case errors.Is(err, doctor.ErrEmbeddedRoots):
		return "pass --anchor-cert FILE"
	case errors.Is(err, doctor.ErrUnrelatedCertificates):
		return "drop the unrelated certificates from --intermediates"
	case errors.Is(err, doctor.ErrIncompleteChain):
		return "send every intermediate: use lego's NAME.crt or certbot's fullchain.pem as --certificate, or pass the issuer bundle with --intermediates (Let's Encrypt's current intermediates chain to ISRG Root X1/X2, possibly through the Gen Y cross-signs)"
	case errors.Is(err, doctor.ErrSystemRoots):
		return "pass --anchor-cert FILE with the trust anchor's CA certificate to check the chain against it"
	case errors.Is(err, doctor.ErrNoIntermediates):
		return "IAM Roles Anywhere needs every certificate between the leaf and the trust anchor: pass --intermediates with the issuer bundle (lego NAME.issuer.crt, certbot chain.pem) or a full-chain --certificate"
	case errors.Is(err, doctor.ErrMissingARN):
		return "pass --trust-anchor-arn, --profile-arn and --role-arn (or set them in the --config file)"
	case errors.Is(err, doctor.ErrRegionOverride):
		return "drop --region: the session is made in the trust anchor's region"
	case errors.Is(err, doctor.ErrEndpoint):
		return "check --endpoint"
	case errors.Is(err, doctor.ErrUnreachable):
		return "check network access to the endpoint (proxy: HTTPS_PROXY/NO_PROXY; private CA: AWS_CA_BUNDLE) or pass --offline"
	case errors.Is(err, doctor.ErrNoDate):
		return "check that --endpoint is an IAM Roles Anywhere endpoint"
	}
	return ""
}
