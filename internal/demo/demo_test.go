package demo

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 10, 0, time.UTC)

// testOptions are the options of a default run.
func testOptions(stdout io.Writer) Options {
	return Options{
		Domain: "host.example.com", KeyType: testpki.ECDSAP256, DurationSeconds: 3600,
		Stdout: stdout, Now: func() time.Time { return t0 }, TempDir: os.TempDir(),
	}
}

// TestRun runs the whole demo: the trust policy admits the host, denies
// the impersonator of another name on its certificate's CN (a tag derived
// from the certificate), and detect catches both impersonators.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	var secrets int
	o := testOptions(&out)
	o.OnSecret = func([]byte) { secrets++ }
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, re := range []string{
		`(?m)^   evaluated: +sts:AssumeRole +ALLOW: allowed by statement 2`,
		`(?m)^   decision: +ALLOW: `,
		`(?m)^      [0-9]{8}/us-east-1/rolesanywhere/aws4_request$`,
		`(?m)^      legit host\.example\.com \S+Z [0-9]{6} 127\.0\.0\.1\b`,
		`(?m)^     trust policy: +DENY with the policy above \(implicitly denied: .*x509Subject/CN.* not met\)`,
		`(?m)^      unknown-identity evil\.example\.com \S+Z [0-9]{6} 127\.0\.0\.1\b`,
		`(?m)^      mismatch host\.example\.com \S+Z [0-9]{6} 127\.0\.0\.1\b`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("output lacks %s", re)
		}
	}
	if secrets < 15 {
		t.Errorf("OnSecret saw %d secrets, want at least 15", secrets)
	}
}

// TestEvaluationUsesCertificate: the demo's trust policy step evaluates
// the accepted request with the principal tags of its certificate, so a
// condition on the issuer's CN (which only the certificate carries)
// decides.
func TestEvaluationUsesCertificate(t *testing.T) {
	h, err := testpki.New(testpki.Options{Now: t0, CAKeyType: testpki.ECDSAP256, Leaf: testpki.LeafOptions{DNSNames: []string{"host.example.com"}, KeyType: testpki.ECDSAP256}})
	if err != nil {
		t.Fatal(err)
	}
	anchor := emulator.DefaultTrustAnchorARN("us-east-1", emulator.DefaultAccountID)
	in := emulator.AuthorizeInput{Leaf: h.Leaf.Cert, TrustAnchorARN: anchor, RoleSessionName: "123456", Time: t0}
	for _, tc := range []struct {
		issuer string
		want   bool
	}{{h.Leaf.Cert.Issuer.CommonName, true}, {"YE1", false}} {
		p, err := trustpolicy.Role(trustpolicy.RoleOptions{TrustAnchorARNs: []string{anchor}, Workloads: []string{"host.example.com"}, TOTPDigits: 6, IssuerCNs: []string{tc.issuer}})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		got, err := printEvaluation(&printer{w: &out}, p, in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || (!got && !strings.Contains(out.String(), "x509Issuer/CN")) {
			t.Errorf("issuer %q: got %v, want %v\n%s", tc.issuer, got, tc.want, out.String())
		}
	}
}

// TestRunErrors: a temporary directory that cannot be made and a Dir
// that cannot be made are told apart, before anything is printed.
func TestRunErrors(t *testing.T) {
	var out bytes.Buffer
	o := testOptions(&out)
	o.TempDir = filepath.Join(t.TempDir(), "missing")
	var pe *PathError
	if err := Run(context.Background(), o); !errors.As(err, &pe) || pe.Dir || !strings.HasPrefix(err.Error(), "demo: make a temporary directory: ") {
		t.Errorf("missing TempDir: got %v, want a *PathError outside Dir", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o = testOptions(&out)
	o.Dir = filepath.Join(file, "sub")
	var de *DirError
	if err := Run(context.Background(), o); !errors.As(err, &de) || de.Path != o.Dir {
		t.Errorf("Dir under a file: got %v, want a *DirError for %q", err, o.Dir)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q before failing", out.String())
	}
}

// TestRunKeepsRoot: with Dir, the kept PKI includes the root CA
// (Dir/root.pem), the anchor the leaf's chain verifies to, so the kept
// files work with 'serve-emulator --anchor-cert DIR/root.pem'; without
// Dir nothing names a root file.
func TestRunKeepsRoot(t *testing.T) {
	var out bytes.Buffer
	o := testOptions(&out)
	o.Dir = filepath.Join(t.TempDir(), "kept")
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	root := filepath.Join(o.Dir, RootFile)
	rootPEM, err := os.ReadFile(root)
	if err != nil {
		t.Fatalf("the root CA was not kept: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("%s holds no certificate", root)
	}
	leafPEM, err := os.ReadFile(filepath.Join(o.Dir, "certificates", "host.example.com.crt"))
	if err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for rest := leafPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	if len(certs) < 2 {
		t.Fatalf("lego's .crt holds %d certificates, want leaf and issuer", len(certs))
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: t0, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the kept leaf does not verify to %s: %v", root, err)
	}
	for _, want := range []string{root + " (the root CA, for serve-emulator --anchor-cert)", "serve-emulator --anchor-cert " + root + "'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}

	out.Reset()
	o = testOptions(&out)
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), RootFile) || !strings.Contains(out.String(), "--anchor-cert YOUR-CA.pem'") {
		t.Errorf("without Dir the output names a root file or lacks the YOUR-CA.pem line:\n%s", out.String())
	}
}
