package main

import (
	"crypto/x509"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// doctorSetup is one directory with a PKI in plain layout, a second,
// unrelated PKI, a fingerprint file and an emulator trusting the first.
type doctorSetup struct {
	dir   string
	f     testpki.Files
	other testpki.Files
	url   string
	emu   *emulator.Server
}

func newDoctorSetup(t *testing.T, lo testpki.LeafOptions, emuNow func() time.Time) doctorSetup {
	t.Helper()
	dir := t.TempDir()
	h, f := plainPKI(t, filepath.Join(dir, "pki"), testpki.Options{Leaf: lo})
	_, other := plainPKI(t, filepath.Join(dir, "other"), testpki.Options{})
	os.WriteFile(filepath.Join(dir, "monkey.jpg"), []byte("not really a monkey"), 0o600)
	cfg := emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}}
	if emuNow != nil {
		cfg.Now, cfg.MaxSkew = emuNow, time.Hour
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	return doctorSetup{dir: dir, f: f, other: other, url: srv.URL, emu: emu}
}

// args is a healthy command line; replace swaps flag values.
func (s doctorSetup) args(replace map[string]string, extra ...string) []string {
	flags := [][2]string{
		{"--certificate", s.f.Certificate}, {"--private-key", s.f.Key}, {"--intermediates", s.f.Chain},
		{"--anchor-cert", filepath.Join(s.dir, "pki", "root.pem")},
		{"--trust-anchor-arn", cpTA}, {"--profile-arn", cpProfile}, {"--role-arn", cpRole},
		{"--endpoint", s.url}, {"--fingerprint", "file:" + filepath.Join(s.dir, "monkey.jpg")},
		{"--retry-max-backoff", "1ms"}, {"--timeout", "5s"},
	}
	out := []string{"doctor", "--format", "json"}
	for _, f := range flags {
		v, ok := replace[f[0]]
		if !ok {
			v = f[1]
		}
		if v == "-" {
			continue
		}
		out = append(out, f[0], v)
	}
	return append(out, extra...)
}

func runDoctorJSON(t *testing.T, args []string) (int, doctor.Report, string) {
	t.Helper()
	code, out, errOut := runCmd(t, map[string]string{}, args...)
	var rep doctor.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report (%v): %q\nstderr: %s", err, out, errOut)
	}
	return code, rep, errOut
}

func checkOf(rep doctor.Report, name string) doctor.Check {
	c, _ := rep.Check(name)
	return c
}

// doctorCheckOrder is the order of a healthy report: signer's checks of the
// material, then the doctor's own.
var doctorCheckOrder = []string{"files", "permissions", "key", "subject", "key-usage", "validity", "chain", "eku", "arns", "fingerprint", "clock", "call"}

func TestDoctorHealthy(t *testing.T) {
	s := newDoctorSetup(t, testpki.LeafOptions{}, nil)
	code, rep, errOut := runDoctorJSON(t, s.args(nil, "--call"))
	if code != 0 || !rep.OK {
		t.Fatalf("exit %d, report %+v, stderr %s", code, rep, errOut)
	}
	if len(rep.Checks) != len(doctorCheckOrder) {
		t.Errorf("%d checks, want %d", len(rep.Checks), len(doctorCheckOrder))
	}
	for i, c := range rep.Checks {
		if c.Status != doctor.Pass || c.Name != doctorCheckOrder[i] {
			t.Errorf("check %d: %+v, want %s PASS", i, c, doctorCheckOrder[i])
		}
	}
	// Text output: one line per check, exit 0.
	args := s.args(nil)
	args[2] = "text"
	code, out, _ := runCmd(t, map[string]string{}, args...)
	if code != 0 || strings.Count(out, "\nPASS  ") < 8 || !strings.HasSuffix(out, "doctor: no failures\n") {
		t.Errorf("text output (exit %d):\n%s", code, out)
	}
}

// TestDoctorBrokenSetups is acceptance 5: each broken setup fails the
// expected check, with a fix, and exits 1.
func TestDoctorBrokenSetups(t *testing.T) {
	base := newDoctorSetup(t, testpki.LeafOptions{}, nil)
	worldReadable := filepath.Join(base.dir, "loose-key.pem")
	b, _ := os.ReadFile(base.f.Key)
	os.WriteFile(worldReadable, b, 0o644)
	os.Chmod(worldReadable, 0o644)
	expired := newDoctorSetup(t, testpki.LeafOptions{NotBefore: time.Now().AddDate(0, 0, -100), NotAfter: time.Now().AddDate(0, 0, -10)}, nil)
	caLeaf := newDoctorSetup(t, testpki.LeafOptions{IsCA: true}, nil)
	skewed := newDoctorSetup(t, testpki.LeafOptions{}, func() time.Time { return time.Now().Add(10 * time.Minute) })

	for _, tc := range []struct {
		name    string
		args    []string
		check   string
		inFix   string
		inError string
	}{
		{"wrong key", base.args(map[string]string{"--private-key": base.other.Key}), "key", "key file written together", "does not match"},
		{"missing chain", base.args(map[string]string{"--intermediates": "-"}), "chain", "--intermediates", "no intermediates"},
		{"wrong anchor", base.args(map[string]string{"--anchor-cert": filepath.Join(base.dir, "other", "root.pem")}), "chain", "trust anchor must be the CA", "does not verify"},
		{"expired", expired.args(nil), "validity", "renew", "expired"},
		{"CA as leaf", caLeaf.args(nil), "key-usage", "leaf certificate", "CA certificate"},
		{"missing certificate file", base.args(map[string]string{"--certificate": filepath.Join(base.dir, "nope.pem")}), "files", "", "nope.pem"},
		{"no layout", base.args(map[string]string{"--certificate": "-", "--private-key": "-", "--intermediates": "-"}, "--acme-dir", base.dir, "--domain", "nothere.example.com"), "files", "--acme-dir", "nothere.example.com"},
		{"world-readable key", base.args(map[string]string{"--private-key": worldReadable}), "permissions", "chmod o-rwx", "every user"},
		{"unreadable fingerprint", base.args(map[string]string{"--fingerprint": "file:" + filepath.Join(base.dir, "gone.jpg")}), "fingerprint", "", "gone.jpg"},
		{"regions differ", base.args(map[string]string{"--profile-arn": strings.Replace(cpProfile, emulator.DefaultRegion, "eu-west-2", 1)}), "arns", "same region", "different regions"},
		{"missing ARN", base.args(map[string]string{"--role-arn": "-"}), "arns", "--role-arn", "--role-arn is not set"},
		{"skewed clock", skewed.args(nil), "clock", "synchronise the system clock", "behind"},
		{"endpoint down", base.args(map[string]string{"--endpoint": "http://127.0.0.1:1"}), "clock", "network access", "cannot reach"},
		{"call refused", base.args(map[string]string{"--role-arn": "arn:aws:iam::123456789012:role/not-in-profile"}, "--call"), "call", "", "Requested Role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, rep, errOut := runDoctorJSON(t, tc.args)
			c := checkOf(rep, tc.check)
			if code != 1 || rep.OK || c.Status != doctor.Fail || c.Fix == "" {
				t.Fatalf("exit %d, %s = %+v; want exit 1 and FAIL with a fix\nreport: %+v\nstderr: %s", code, tc.check, c, rep, errOut)
			}
			if !strings.Contains(c.Fix, tc.inFix) || !strings.Contains(c.Detail, tc.inError) {
				t.Errorf("%s: detail %q, fix %q; want %q and %q", tc.check, c.Detail, c.Fix, tc.inError, tc.inFix)
			}
			for _, other := range rep.Checks {
				if other.Status == doctor.Fail && other.Name != tc.check {
					t.Errorf("also failed: %+v", other)
				}
			}
		})
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"doctor", "--format", "yaml"}, `--format "yaml"`},
		{[]string{"doctor", "--call", "--offline"}, "exclude each other"},
		{[]string{"doctor", "extra"}, "unexpected argument"},
	} {
		code, out, errOut := runCmd(t, nil, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
	}
}
