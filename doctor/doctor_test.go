package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const (
	testTA      = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-00000000a1c0"
	testProfile = "arn:aws:rolesanywhere:us-east-1:123456789012:profile/00000000-0000-4000-8000-0000000097f1"
	testRole    = "arn:aws:iam::123456789012:role/demo"
)

// healthyInputs are the inputs of a sound setup, offline.
func healthyInputs(t *testing.T) Inputs {
	t.Helper()
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := h.WritePlain(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Inputs{
		Load:        signer.LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}},
		Config:      signer.Config{TrustAnchorARN: testTA, ProfileARN: testProfile, RoleARN: testRole},
		AnchorFiles: []string{filepath.Join(dir, "root.pem")},
		Offline:     true,
	}
}

func names(r Report) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, c.Name)
	}
	return out
}

// TestRunFollowsSigner: the report's first lines are signer's checks, in
// signer's order, then the doctor's own.
func TestRunFollowsSigner(t *testing.T) {
	r := Run(context.Background(), healthyInputs(t))
	var want []string
	for _, c := range signer.Checks() {
		want = append(want, string(c))
	}
	want = append(want, "eku", "arns", "fingerprint", "clock", "call")
	if got := names(r); !slices.Equal(got, want) {
		t.Errorf("checks %v, want %v", got, want)
	}
	if !r.OK {
		t.Errorf("not OK: %+v", r)
	}
	for _, c := range r.Checks {
		if c.Status == Fail || c.Status == Warn && c.Name != "permissions" {
			t.Errorf("%+v", c)
		}
	}
}

// TestNewSignerCheckAppears is acceptance 3 of issue 10: a check that
// signer adds, or a change of its order, shows in the report without a
// change to this package. The made-up check is added to what
// signer.Inspect reports.
func TestNewSignerCheckAppears(t *testing.T) {
	errMadeUp := errors.New("made-up check failed")
	madeUp := signer.CheckResult{Check: "made-up", Outcome: signer.OutcomePassed}
	for _, tt := range []struct {
		name    string
		res     signer.CheckResult
		status  Status
		detail  string
		skipped []string // checks of signer after it
	}{
		{"passed", madeUp, Pass, "checked while loading", nil},
		{"warned", signer.CheckResult{Check: "made-up", Outcome: signer.OutcomeWarned, Warnings: []signer.Warning{madeUpWarning{}}}, Warn, "the made-up thing is odd", nil},
		{"unsupported", signer.CheckResult{Check: "made-up", Outcome: signer.OutcomeUnsupported, Reason: "not checked on Plan 9"}, Warn, "not checked on Plan 9", nil},
		{"failed", signer.CheckResult{Check: "made-up", Outcome: signer.OutcomeFailed, Err: errMadeUp}, Fail, errMadeUp.Error(), []string{"subject", "key-usage", "validity", "chain", "eku"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := healthyInputs(t)
			in.Inspect = func(o signer.LoadOptions) (*signer.Material, *signer.LoadReport, error) {
				m, rep, err := signer.Inspect(o)
				// After the key check, as a new check of signer would be.
				i := slices.IndexFunc(rep.Checks, func(c signer.CheckResult) bool { return c.Check == signer.CheckKey })
				res := tt.res
				if res.Outcome == signer.OutcomeFailed {
					// signer fails: no material, later checks not run.
					m, err = nil, res.Err
					for j := i + 1; j < len(rep.Checks); j++ {
						rep.Checks[j] = signer.CheckResult{Check: rep.Checks[j].Check, Outcome: signer.OutcomeNotRun}
					}
				}
				rep.Checks = slices.Insert(rep.Checks, i+1, res)
				return m, rep, err
			}
			r := Run(context.Background(), in)
			got := names(r)
			want := []string{"files", "permissions", "key", "made-up", "subject", "key-usage", "validity", "chain", "eku", "arns", "fingerprint", "clock", "call"}
			if !slices.Equal(got, want) {
				t.Fatalf("checks %v, want %v", got, want)
			}
			c, _ := r.Check("made-up")
			if c.Status != tt.status || c.Detail != tt.detail {
				t.Errorf("made-up: %+v, want %s %q", c, tt.status, tt.detail)
			}
			if tt.status == Fail && (c.Err != errMadeUp || r.OK) {
				t.Errorf("failure: err %v, OK %v", c.Err, r.OK)
			}
			for _, name := range tt.skipped {
				if c, _ := r.Check(name); c.Status != Skip {
					t.Errorf("%s after the failure: %+v, want SKIP", name, c)
				}
			}
			if len(tt.skipped) == 0 && !r.OK {
				t.Errorf("not OK: %+v", r)
			}
		})
	}
	// A new order of signer's checks is the report's order.
	in := healthyInputs(t)
	in.Inspect = func(o signer.LoadOptions) (*signer.Material, *signer.LoadReport, error) {
		m, rep, err := signer.Inspect(o)
		slices.Reverse(rep.Checks)
		return m, rep, err
	}
	r := Run(context.Background(), in)
	if got := names(r)[:len(signer.Checks())]; got[0] != "chain" || got[len(got)-1] != "files" {
		t.Errorf("reversed signer order: %v", got)
	}
}

type madeUpWarning struct{}

func (madeUpWarning) String() string      { return "the made-up thing is odd" }
func (madeUpWarning) Check() signer.Check { return "made-up" }

// TestRunLoadFailure: a signer failure is the failing line with signer's
// error, for the caller's hint; what signer did not run is skipped.
func TestRunLoadFailure(t *testing.T) {
	in := healthyInputs(t)
	other, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := other.WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	in.Load.PrivateKey = f.Key
	r := Run(context.Background(), in)
	key, _ := r.Check("key")
	if r.OK || key.Status != Fail || !errors.Is(key.Err, signer.ErrKeyMismatch) || key.Detail != key.Err.Error() {
		t.Errorf("key: %+v", key)
	}
	for _, name := range []string{"subject", "key-usage", "validity", "chain", "eku"} {
		if c, _ := r.Check(name); c.Status != Skip || c.Detail != skipAfterFailure {
			t.Errorf("%s: %+v", name, c)
		}
	}
	if c, _ := r.Check("files"); c.Status != Pass || c.Detail != "certificate and key files read" {
		t.Errorf("files: %+v", c)
	}
}

// TestRunKeyPassword: a password that cannot be read fails the files
// check before signer runs.
func TestRunKeyPassword(t *testing.T) {
	in := healthyInputs(t)
	errNoPassword := errors.New("read the password file: no such file")
	in.KeyPassword = func() ([]byte, error) { return nil, errNoPassword }
	in.Inspect = func(signer.LoadOptions) (*signer.Material, *signer.LoadReport, error) {
		t.Fatal("inspected without a password")
		return nil, nil, nil
	}
	r := Run(context.Background(), in)
	if c, _ := r.Check("files"); c.Status != Fail || c.Err != errNoPassword {
		t.Errorf("files: %+v", c)
	}
}

// TestRunFindings: the doctor's own findings carry an error for the
// caller's fix.
func TestRunFindings(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mod   func(*Inputs)
		check string
		want  error
	}{
		{"missing ARN", func(in *Inputs) { in.Config.RoleARN = "" }, "arns", ErrMissingARN},
		{"region override", func(in *Inputs) { in.Config.Region = "eu-west-2" }, "arns", ErrRegionOverride},
		{"invalid ARN", func(in *Inputs) { in.Config.RoleARN = "role/x" }, "arns", signer.ErrInvalidARN},
		{"missing anchor", func(in *Inputs) { in.AnchorFiles = []string{filepath.Join(t.TempDir(), "none.pem")} }, "chain", ErrAnchorFile},
		{"no intermediates", func(in *Inputs) { in.Load.Intermediates = nil }, "chain", ErrNoIntermediates},
		{"unreachable", func(in *Inputs) { in.Offline, in.Config.Endpoint = false, "http://127.0.0.1:1" }, "clock", ErrUnreachable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := healthyInputs(t)
			tt.mod(&in)
			r := Run(context.Background(), in)
			c, _ := r.Check(tt.check)
			if c.Status == Pass || !errors.Is(c.Err, tt.want) {
				t.Errorf("%s: %+v, want an error wrapping %v", tt.check, c, tt.want)
			}
		})
	}
	// The wrong anchor names the issuer the anchors should hold.
	in := healthyInputs(t)
	other, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := other.WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	in.AnchorFiles = []string{filepath.Join(f.Dir, "root.pem")}
	c, _ := Run(context.Background(), in).Check("chain")
	var am *AnchorMismatchError
	if !errors.As(c.Err, &am) || am.Issuer == "" || !strings.Contains(c.Detail, "does not verify") {
		t.Errorf("wrong anchor: %+v", c)
	}
}

// TestLetsEncryptRoots pins the embedded roots to their published SHA-256
// fingerprints.
func TestLetsEncryptRoots(t *testing.T) {
	certs, err := LetsEncryptRoots()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ISRG Root X1": "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6",
		"ISRG Root X2": "69729b8e15a86efc177a57afb7171dfc64add28c2fca8cf1507e34453ccb1470",
	}
	if len(certs) != len(want) {
		t.Fatalf("%d roots, want %d", len(certs), len(want))
	}
	for _, c := range certs {
		sum := sha256.Sum256(c.Raw)
		if got := hex.EncodeToString(sum[:]); want[c.Subject.CommonName] != got {
			t.Errorf("%s: fingerprint %s, want %s", c.Subject.CommonName, got, want[c.Subject.CommonName])
		}
	}
}
