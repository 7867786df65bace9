package doctor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestEmptySubjectWarns: a certificate without a subject is a WARN of the
// subject check (signer's typed warning) with the doctor's fix, and no
// failure.
func TestEmptySubjectWarns(t *testing.T) {
	h, err := testpki.New(testpki.Options{Leaf: testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"short.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := h.WritePlain(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{
		Load:        signer.LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}},
		Config:      signer.Config{TrustAnchorARN: testTA, ProfileARN: testProfile, RoleARN: testRole},
		AnchorFiles: []string{filepath.Join(dir, "root.pem")},
		Offline:     true,
	}
	rep := Run(context.Background(), in)
	var subject *Check
	for i, c := range rep.Checks {
		if c.Name == string(signer.CheckSubject) {
			subject = &rep.Checks[i]
		}
		if c.Status == Fail {
			t.Errorf("check %s fails: %s", c.Name, c.Detail)
		}
	}
	if subject == nil {
		t.Fatalf("no subject check in %v", names(rep))
	}
	if subject.Status != Warn || !strings.Contains(subject.Detail, "empty subject") || !strings.Contains(subject.Detail, "short.example.com") {
		t.Errorf("subject check %+v, want WARN with signer's warning", subject)
	}
	for _, want := range []string{"no subject requirement", "x509SAN/DNS", "classic"} {
		if !strings.Contains(subject.Fix, want) {
			t.Errorf("fix %q lacks %q", subject.Fix, want)
		}
	}
}
