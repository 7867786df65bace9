package hints

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
)

func TestDoctorFix(t *testing.T) {
	general := DoctorFix(doctor.Check{Name: "files", Status: doctor.Fail})
	for _, err := range []error{
		doctor.ErrAnchorFile, doctor.ErrEmbeddedRoots, doctor.ErrUnrelatedCertificates,
		doctor.ErrIncompleteChain, doctor.ErrSystemRoots, doctor.ErrNoIntermediates,
		doctor.ErrMissingARN, doctor.ErrRegionOverride, doctor.ErrEndpoint,
		doctor.ErrUnreachable, doctor.ErrNoDate,
		&doctor.AnchorMismatchError{Issuer: "CN=Other CA"},
	} {
		// Wrapped, as Run's checks return them.
		c := doctor.Check{Name: "chain", Status: doctor.Fail, Err: fmt.Errorf("chain: %w", err), Fix: "the doctor's own"}
		if h := DoctorFix(c); h == "" || h == general || h == c.Fix {
			t.Errorf("%v: got fix %q, want one of its own", err, h)
		}
	}
	if h := DoctorFix(doctor.Check{Name: "chain", Status: doctor.Fail, Err: &doctor.AnchorMismatchError{Issuer: "CN=Other CA"}}); !strings.Contains(h, `"CN=Other CA"`) {
		t.Errorf("anchor mismatch: got %q, want the issuer named", h)
	}
	for _, tc := range []struct {
		c    doctor.Check
		want string
	}{
		{doctor.Check{Name: "clock", Err: errors.New("x"), Fix: "sync the clock"}, "sync the clock"},
		{doctor.Check{Name: "fingerprint"}, "make the --fingerprint sources readable"},
		{doctor.Check{Name: "call"}, "run credential-process with --debug"},
		{doctor.Check{Name: "key"}, "check the --certificate/--private-key"},
	} {
		if got := DoctorFix(tc.c); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q...", tc.c.Name, got, tc.want)
		}
	}
}

func TestDoctorFixes(t *testing.T) {
	r := doctor.Report{Checks: []doctor.Check{
		{Name: "files", Status: doctor.Pass, Fix: "kept"},
		{Name: "call", Status: doctor.Skip},
		{Name: "arns", Status: doctor.Fail, Err: doctor.ErrMissingARN},
		{Name: "clock", Status: doctor.Warn, Fix: "sync the clock"},
	}}
	DoctorFixes(&r)
	for i, want := range []string{"kept", "", DoctorFix(r.Checks[2]), "sync the clock"} {
		if got := r.Checks[i].Fix; got != want {
			t.Errorf("%s: got fix %q, want %q", r.Checks[i].Name, got, want)
		}
	}
	if !strings.Contains(r.Checks[2].Fix, "--trust-anchor-arn") {
		t.Errorf("arns: got %q, want the ARN flags named", r.Checks[2].Fix)
	}
}
