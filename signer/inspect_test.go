package signer

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// outcomes are the check names and outcomes of a report, "name=outcome".
func outcomes(r *LoadReport) []string {
	var out []string
	for _, c := range r.Checks {
		out = append(out, string(c.Check)+"="+string(c.Outcome))
	}
	return out
}

func TestInspectHealthy(t *testing.T) {
	f := writePlain(t, newPKI(t, testpki.Options{}))
	m, rep, err := Inspect(LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}})
	if err != nil {
		t.Fatal(err)
	}
	if m == nil || rep.Files.Certificate != f.Certificate || rep.Files.PrivateKey != f.Key {
		t.Fatalf("material %v, files %+v", m, rep.Files)
	}
	var names []Check
	for _, c := range rep.Checks {
		names = append(names, c.Check)
	}
	if !slices.Equal(names, Checks()) {
		t.Errorf("checks %v, want Checks() %v", names, Checks())
	}
	want := "passed"
	for _, c := range rep.Checks {
		if c.Check == CheckPermissions && runtime.GOOS == "windows" {
			if c.Outcome != OutcomeUnsupported || !strings.Contains(c.Reason, "Windows") {
				t.Errorf("permissions on Windows: %+v", c)
			}
			continue
		}
		if string(c.Outcome) != want || c.Err != nil {
			t.Errorf("%s: %+v, want passed", c.Check, c)
		}
	}
}

// TestInspectFailures: the failing check is the one named, its Err is
// Load's error, and every later check is not run.
func TestInspectFailures(t *testing.T) {
	now := time.Now()
	good := writePlain(t, newPKI(t, testpki.Options{}))
	other := writePlain(t, newPKI(t, testpki.Options{}))
	expired := writePlain(t, newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.AddDate(0, 0, -30), NotAfter: now.AddDate(0, 0, -1)}}))
	ca := writePlain(t, newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{IsCA: true}}))
	for _, tt := range []struct {
		name   string
		o      LoadOptions
		failed Check
		want   error
	}{
		{"no certificate file", LoadOptions{Certificate: filepath.Join(t.TempDir(), "none.pem"), PrivateKey: good.Key}, CheckFiles, os.ErrNotExist},
		{"bad intermediates", LoadOptions{Certificate: good.Certificate, PrivateKey: good.Key, Intermediates: []string{good.Key}}, CheckFiles, ErrNoCertificate},
		{"no layout", LoadOptions{AcmeDir: t.TempDir(), Domain: "h.example.com"}, CheckFiles, ErrLayoutNotFound},
		{"key mismatch", LoadOptions{Certificate: good.Certificate, PrivateKey: other.Key}, CheckKey, ErrKeyMismatch},
		{"CA leaf", LoadOptions{Certificate: ca.Certificate, PrivateKey: ca.Key}, CheckKeyUsage, ErrLeafIsCA},
		{"expired", LoadOptions{Certificate: expired.Certificate, PrivateKey: expired.Key}, CheckValidity, ErrExpired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, rep, err := Inspect(tt.o)
			if m != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", m, err, tt.want)
			}
			if len(rep.Checks) != len(Checks()) {
				t.Fatalf("report %v, want one result per check", outcomes(rep))
			}
			seen := false
			for _, c := range rep.Checks {
				switch {
				case c.Check == tt.failed:
					if c.Outcome != OutcomeFailed || c.Err != err {
						t.Errorf("%s: %+v, want failed with Load's error", c.Check, c)
					}
					seen = true
				case seen && c.Outcome != OutcomeNotRun:
					t.Errorf("%s after the failure: %s, want not run", c.Check, c.Outcome)
				case !seen && c.Outcome == OutcomeFailed:
					t.Errorf("%s failed before %s", c.Check, tt.failed)
				}
			}
			if _, lerr := Load(tt.o); lerr == nil || lerr.Error() != err.Error() {
				t.Errorf("Load: %v, Inspect: %v", lerr, err)
			}
		})
	}
}

// TestInspectWarnings: the warnings are values of the checks that found
// them, the same as Material.Warnings.
func TestInspectWarnings(t *testing.T) {
	now := time.Now()
	h := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.AddDate(0, 0, -70), NotAfter: now.AddDate(0, 0, 20)}})
	stranger := newPKI(t, testpki.Options{})
	dir := t.TempDir()
	o := LoadOptions{
		Certificate:   writeFile(t, dir, "c.pem", testpki.CertPEM(h.Leaf.Cert), 0o644),
		PrivateKey:    writeFile(t, dir, "k.pem", keyPEM(t, h.Leaf.Key, testpki.PKCS8), 0o644),
		Intermediates: []string{writeFile(t, dir, "chain.pem", testpki.CertPEM(append(h.Chain(), stranger.Chain()...)...), 0o644)},
		Now:           func() time.Time { return now },
	}
	m, rep, err := Inspect(o)
	if err != nil {
		t.Fatal(err)
	}
	var exp *ExpiryWarning
	var drop *DroppedCertificateWarning
	var mode *KeyFileModeWarning
	for _, w := range m.Warnings {
		switch w := w.(type) {
		case *ExpiryWarning:
			exp = w
		case *DroppedCertificateWarning:
			drop = w
		case *KeyFileModeWarning:
			mode = w
		}
		if res := rep.Result(w.Check()); res.Outcome != OutcomeWarned || !slices.Contains(res.Warnings, w) {
			t.Errorf("warning %q: check %s is %+v", w, w.Check(), res)
		}
	}
	if exp == nil || !exp.NotAfter.Equal(h.Leaf.Cert.NotAfter) || !strings.Contains(exp.String(), "less than a third") {
		t.Errorf("expiry warning %+v", exp)
	}
	if drop == nil || !drop.Certificate.Equal(stranger.Chain()[0]) || len(rep.Dropped) != 1 {
		t.Errorf("dropped %+v, report %v", drop, rep.Dropped)
	}
	if runtime.GOOS == "windows" {
		if mode != nil {
			t.Errorf("mode warning on Windows: %v", mode)
		}
	} else if mode == nil || mode.Mode.Perm() != 0o644 || mode.Path != o.PrivateKey {
		t.Errorf("mode warning %+v", mode)
	}
}

func TestLocateCertificate(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	dir := t.TempDir()
	f, err := h.WriteCertbot(dir, "h.example.com")
	if err != nil {
		t.Fatal(err)
	}
	// certbot: fullchain.pem first, as Load's layout search.
	got, err := LocateCertificate(dir, "h.example.com")
	if err != nil || got != f.FullChain {
		t.Errorf("certbot: got %q, %v; want %q", got, err, f.FullChain)
	}
	files, err := Locate(LoadOptions{AcmeDir: dir, Domain: "h.example.com"})
	if err != nil || files.Certificate != got {
		t.Errorf("Locate found %q (%v), LocateCertificate %q", files.Certificate, err, got)
	}
	// Without the key, the certificate is still found.
	os.Remove(f.Key)
	if got, err := LocateCertificate(dir, "h.example.com"); err != nil || got != f.FullChain {
		t.Errorf("without the key: got %q, %v", got, err)
	}
	var le *LayoutError
	if _, err := LocateCertificate(dir, "other.example.com"); !errors.As(err, &le) || !errors.Is(err, ErrLayoutNotFound) || len(le.Tried) != 5 || le.Domain != "other.example.com" {
		t.Errorf("not found: %v", err)
	}
	var de *DomainError
	if _, err := LocateCertificate(dir, "../x"); !errors.As(err, &de) {
		t.Errorf("path as domain: %v", err)
	}
}

func TestReadCertificateFile(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	f := writePlain(t, h)
	certs, err := ReadCertificateFile(f.FullChain)
	if err != nil || len(certs) != 2 || !certs[0].Equal(h.Leaf.Cert) {
		t.Fatalf("got %d certificates, %v", len(certs), err)
	}
	var fe *FileError
	if _, err := ReadCertificateFile(filepath.Join(f.Dir, "none.pem")); !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) || fe.What != "certificate" {
		t.Errorf("missing file: %v", err)
	}
	var ce *CertificateError
	if _, err := ReadCertificateFile(f.Key); !errors.As(err, &ce) || !errors.Is(err, ErrNoCertificate) || ce.Path != f.Key || ce.Block != 0 {
		t.Errorf("key file: %v", err)
	}
	if want := `certificate "` + f.Key + `": no usable certificate: no PEM CERTIFICATE block`; ce == nil || ce.Error() != want {
		t.Errorf("error %q, want %q", ce, want)
	}
	big := writeFile(t, f.Dir, "big.pem", make([]byte, maxFileSize+1), 0o644)
	if _, err := ReadCertificateFile(big); !errors.Is(err, ErrFileTooLarge) {
		t.Errorf("large file: %v", err)
	}
}

func TestEndpointURL(t *testing.T) {
	ta := "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/x"
	for _, tt := range []struct {
		c    Config
		want string
	}{
		{Config{Endpoint: "127.0.0.1:8443"}, "https://127.0.0.1:8443"},
		{Config{Endpoint: "http://127.0.0.1:1", TrustAnchorARN: ta}, "http://127.0.0.1:1"},
		{Config{TrustAnchorARN: ta}, "https://rolesanywhere.eu-west-2.amazonaws.com"},
		{Config{TrustAnchorARN: ta, Region: "cn-north-1"}, "https://rolesanywhere.cn-north-1.amazonaws.com.cn"},
		{Config{}, ""},
	} {
		if got := tt.c.EndpointURL(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestFileErrorText: the texts Load's errors had before they were types.
func TestFileErrorText(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the system's error texts differ")
	}
	dir := t.TempDir()
	if _, err := ReadCertificateFile(dir); err == nil || err.Error() != `read certificate "`+dir+`": read `+dir+`: is a directory` {
		t.Errorf("directory: %v", err)
	}
	p := filepath.Join(dir, "none.pem")
	if _, err := ReadCertificateFile(p); err == nil || err.Error() != "read certificate: open "+p+": no such file or directory" {
		t.Errorf("missing: %v", err)
	}
}
