package signer

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestEmptySubjectWarns: a certificate without a subject (Let's Encrypt's
// tlsserver and shortlived profiles) loads, with an *EmptySubjectWarning
// that the subject check reports.
func TestEmptySubjectWarns(t *testing.T) {
	h := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"short.example.com", "alt.example.com"}}})
	f := writePlain(t, h)
	m, rep, err := Inspect(LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}})
	if err != nil {
		t.Fatalf("Inspect: %v, want the certificate loaded", err)
	}
	var w *EmptySubjectWarning
	for _, x := range m.Warnings {
		if x, ok := x.(*EmptySubjectWarning); ok {
			w = x
		}
	}
	if w == nil || w.Path != f.Certificate || strings.Join(w.DNSNames, ",") != "short.example.com,alt.example.com" {
		t.Fatalf("warnings %v, want an EmptySubjectWarning for %s", m.Warnings, f.Certificate)
	}
	for _, want := range []string{"empty subject", "no x509Subject/CN tag", "no CN source identity", "x509SAN/DNS", "short.example.com"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
	if res := rep.Result(CheckSubject); res.Outcome != OutcomeWarned || len(res.Warnings) != 1 || res.Warnings[0] != w {
		t.Errorf("subject check %+v, want warned with the warning", res)
	}
	// A certificate with a CN passes the check.
	g := writePlain(t, newPKI(t, testpki.Options{}))
	if _, rep, err := Inspect(LoadOptions{Certificate: g.Certificate, PrivateKey: g.Key}); err != nil || rep.Result(CheckSubject).Outcome != OutcomePassed {
		t.Errorf("with a CN: %v, %+v", err, rep.Result(CheckSubject))
	}
}

// TestEmptySubjectRefusal: when the service refuses a CN-less
// certificate, the error says the subject is empty and still matches the
// service's answer; other refusals (untrusted, clock, server) and
// certificates with a CN are left as they are.
func TestEmptySubjectRefusal(t *testing.T) {
	empty := loadPlain(t, newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"h.example.com"}}}))
	withCN := loadPlain(t, newPKI(t, testpki.Options{}))
	for _, tt := range []struct {
		name        string
		m           *Material
		code, msg   string
		status      int
		kind        error
		wantRefused bool
	}{
		{"denied", empty, "AccessDeniedException", "Certificate subject is empty", 403, ErrAccessDenied, true},
		{"validation", empty, "ValidationException", "invalid certificate", 400, ErrValidation, true},
		{"untrusted", empty, "AccessDeniedException", "Untrusted signing certificate", 403, ErrUntrustedCertificate, false},
		{"server", empty, "InternalServerException", "oops", 500, ErrServer, false},
		{"denied with a CN", withCN, "AccessDeniedException", "Requested Role isn't one of those listed in the Profile.", 403, ErrAccessDenied, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ep := newFakeEndpoint(t)
			ep.respond = func(_ int, w http.ResponseWriter) bool {
				w.Header().Set("X-Amzn-ErrorType", tt.code)
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, `{"message":%q}`, tt.msg)
				return true
			}
			cfg := testConfig(ep.srv.URL)
			cfg.MaxBackoff = time.Millisecond
			_, err := CreateSession(context.Background(), tt.m, cfg)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want %v", err, tt.kind)
			}
			var re *EmptySubjectRefusedError
			if got := errors.As(err, &re); got != tt.wantRefused {
				t.Fatalf("EmptySubjectRefusedError: %v in %v, want %v", got, err, tt.wantRefused)
			}
			if tt.wantRefused && (re.Path != tt.m.CertificatePath || !strings.Contains(err.Error(), "empty subject") || !strings.Contains(err.Error(), tt.msg)) {
				t.Errorf("error %q (path %q): want the service's answer and the empty subject", err, re.Path)
			}
		})
	}
}

// TestWeakSignatureRefused: a leaf signed with SHA-1 fails the key-usage
// check with ErrWeakSignature before any call.
func TestWeakSignatureRefused(t *testing.T) {
	for alg, want := range map[x509.SignatureAlgorithm]bool{
		x509.MD2WithRSA: true, x509.MD5WithRSA: true, x509.SHA1WithRSA: true, x509.ECDSAWithSHA1: true, x509.DSAWithSHA1: true,
		x509.SHA256WithRSA: false, x509.SHA384WithRSA: false, x509.SHA512WithRSA: false, x509.ECDSAWithSHA256: false,
		x509.ECDSAWithSHA384: false, x509.SHA256WithRSAPSS: false, x509.PureEd25519: false,
	} {
		if got := weakSignature(alg); got != want {
			t.Errorf("weakSignature(%s) = %v, want %v", alg, got, want)
		}
	}

	h := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.RSA2048}})
	issuer := h.Intermediates[len(h.Intermediates)-1]
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(7),
		Subject:            pkix.Name{CommonName: "sha1.example.com"},
		DNSNames:           []string{"sha1.example.com"},
		NotBefore:          now.Add(-time.Hour),
		NotAfter:           now.Add(24 * time.Hour),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SignatureAlgorithm: x509.ECDSAWithSHA1,
	}
	if _, ok := issuer.Key.Public().(interface{ Size() int }); ok {
		tmpl.SignatureAlgorithm = x509.SHA1WithRSA
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer.Cert, h.Leaf.Key.Public(), issuer.Key)
	if err != nil {
		t.Skipf("this Go does not sign with %s: %v", tmpl.SignatureAlgorithm, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := LoadOptions{
		Certificate: writeFile(t, dir, "sha1.pem", testpki.CertPEM(cert), 0o644),
		PrivateKey:  writeFile(t, dir, "key.pem", keyPEM(t, h.Leaf.Key, testpki.PKCS8), 0o600),
	}
	_, rep, err := Inspect(o)
	if !errors.Is(err, ErrWeakSignature) || !strings.Contains(err.Error(), filepath.Base(o.Certificate)) || !strings.Contains(err.Error(), "SHA1") {
		t.Fatalf("got %v, want ErrWeakSignature naming the file and the algorithm", err)
	}
	if res := rep.Result(CheckKeyUsage); res.Outcome != OutcomeFailed || res.Err != err {
		t.Errorf("key-usage check %+v, want failed", res)
	}
}
