package interop

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// officialArgs is an aws_signing_helper credential-process command line for
// p against e.
func officialArgs(e *emu, p pki, extra ...string) []string {
	args := append([]string{"credential-process",
		"--certificate", p.files.Certificate,
		"--private-key", p.files.Key,
		"--endpoint", e.URL(),
		"--no-verify-ssl",
	}, e.arnFlags()...)
	return append(args, extra...)
}

// TestOfficialHelperAccepted is acceptance 2, first half: the official
// aws_signing_helper v1.7.3 gets credentials from the emulator with RSA and
// ECDSA keys and --intermediates. The emulator verifies every byte the
// official helper signs, so this is what proves that the emulator (and the
// sigv4x509 package it shares with our signer) follows the real protocol.
func TestOfficialHelperAccepted(t *testing.T) {
	bin := officialHelper(t)
	for _, tc := range []struct {
		name          string
		leaf, ca      testpki.KeyType
		intermediates int
		keyFormat     testpki.KeyFormat
	}{
		{"ecdsa-p256 sec1, one intermediate", testpki.ECDSAP256, testpki.ECDSAP384, 1, ""},
		{"ecdsa-p384 pkcs8, two intermediates", testpki.ECDSAP384, testpki.ECDSAP384, 2, testpki.PKCS8},
		{"rsa2048 pkcs1, one intermediate", testpki.RSA2048, testpki.RSA2048, 1, ""},
		{"rsa2048 pkcs8, two intermediates, ecdsa CA", testpki.RSA2048, testpki.ECDSAP384, 2, testpki.PKCS8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPKI(t, tc.leaf, tc.ca, tc.intermediates, tc.keyFormat)
			e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
			r := run(t, cleanEnv(t), bin, officialArgs(e, p, "--intermediates", p.files.Chain, "--role-session-name", "interop-official")...)
			if r.code != 0 {
				t.Fatalf("aws_signing_helper refused by the emulator:\n%s", r)
			}
			got := parseProcessOutput(t, r.stdout)
			creds := e.issuedCredentials(t)
			if len(creds) != 1 {
				t.Fatalf("emulator issued %d credential sets, want 1", len(creds))
			}
			assertSameCredentials(t, got, creds[0])

			acc, ok := e.srv.LastAccepted()
			if !ok {
				t.Fatal("emulator accepted nothing")
			}
			if acc.Serial().Cmp(p.h.Leaf.Cert.SerialNumber) != 0 {
				t.Errorf("accepted serial: got %v, want the leaf's %v", acc.Serial(), p.h.Leaf.Cert.SerialNumber)
			}
			want := p.h.Chain()
			if len(acc.Chain) != len(want) {
				t.Fatalf("chain header: got %d certificates, want %d", len(acc.Chain), len(want))
			}
			for i := range want {
				if !acc.Chain[i].Equal(want[i]) {
					t.Errorf("chain[%d]: got %q, want %q (issuer of the leaf first)", i, acc.Chain[i].Subject, want[i].Subject)
				}
			}
			if acc.SessionName != "interop-official" {
				t.Errorf("session name: got %q, want %q", acc.SessionName, "interop-official")
			}
			recs := e.records(t)
			if len(recs) != 1 || recs[0].ErrorCode != "" || recs[0].ResponseElements == nil {
				t.Fatalf("CloudTrail: want one successful record, got %d records", len(recs))
			}
			if ua := recs[0].UserAgent; !strings.HasPrefix(ua, "CredHelper/"+OfficialHelperVersion+" ") {
				t.Errorf("user agent %q: not the official helper %s", ua, OfficialHelperVersion)
			}
			assertNoSecretsIn(t, "CloudTrail log", e.trail.Bytes(), creds)
		})
	}
}

// refusal is what a refused client and the emulator must show.
type refusal struct {
	status  int
	code    string
	message string // a substring of the emulator's message
}

// assertRefused checks that the client exited non-zero with nothing on
// stdout and that the emulator answered exactly one request with want,
// with a Date header, and logged the refusal to CloudTrail.
func assertRefused(t *testing.T, e *emu, r result, want refusal) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("client exit code 0, want non-zero:\n%s", r)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty on refusal: %q", hideSecrets(r.stdout))
	}
	xs := e.proxy.Exchanges()
	if len(xs) != 1 {
		t.Fatalf("emulator answered %d requests, want 1 (403 is not retried)", len(xs))
	}
	x := xs[0]
	var body struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(x.body, &body); err != nil {
		t.Errorf("error body %q is not restJson1: %v", x.body, err)
	}
	if x.status != want.status || x.errorType != want.code || !strings.Contains(strings.ToLower(body.Message), strings.ToLower(want.message)) {
		t.Errorf("emulator answered %d %s %q, want %d %s containing %q", x.status, x.errorType, body.Message, want.status, want.code, want.message)
	}
	if _, err := http.ParseTime(x.date); err != nil {
		t.Errorf("refusal has no valid Date header (%q): %v", x.date, err)
	}
	// The helper shows the service's error code to the user.
	if !strings.Contains(r.stderr, want.code) {
		t.Errorf("client stderr does not name %s:\n%s", want.code, r.stderr)
	}
	recs := e.records(t)
	if len(recs) != 1 || recs[0].ErrorCode != want.code || recs[0].ResponseElements != nil {
		var codes []string
		for _, rec := range recs {
			codes = append(codes, fmt.Sprintf("errorCode=%q responseElements=%v", rec.ErrorCode, rec.ResponseElements != nil))
		}
		t.Errorf("CloudTrail: want one record with errorCode %s and no responseElements, got %d: %s", want.code, len(recs), strings.Join(codes, "; "))
	}
	if len(e.issuedCredentials(t)) != 0 {
		t.Errorf("credentials were issued on a refused request")
	}
}

// TestOfficialHelperRefused is acceptance 2, second half: the same
// official helper is refused when the signature, the anchor or the date is
// wrong. Each case changes exactly one thing of a set-up that works, and
// the control run shows that it works.
func TestOfficialHelperRefused(t *testing.T) {
	bin := officialHelper(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	rsa := newPKI(t, testpki.RSA2048, testpki.RSA2048, 1, "")
	other := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")

	t.Run("control", func(t *testing.T) {
		t.Parallel()
		for _, p := range []pki{p, rsa} {
			e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
			r := run(t, cleanEnv(t), bin, officialArgs(e, p, "--intermediates", p.files.Chain)...)
			if r.code != 0 {
				t.Fatalf("the unmodified set-up fails, so the refusals below prove nothing:\n%s", r)
			}
			parseProcessOutput(t, r.stdout)
		}
	})
	for _, tc := range []struct {
		name string
		p    pki
	}{{"flipped signature digit ecdsa", p}, {"flipped signature digit rsa", rsa}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, []*x509.Certificate{tc.p.h.Root.Cert}, nil)
			e.proxy.setTamper(flipSignatureDigit)
			r := run(t, cleanEnv(t), bin, officialArgs(e, tc.p, "--intermediates", tc.p.files.Chain)...)
			assertRefused(t, e, r, refusal{http.StatusForbidden, emulator.CodeAccessDenied, "signature"})
			if x := e.proxy.Exchanges(); len(x) == 1 && !strings.Contains(x[0].authorization, "Signature=") {
				t.Errorf("tampered header lost its signature: %q", x[0].authorization)
			}
		})
	}
	t.Run("wrong anchor", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, []*x509.Certificate{other.h.Root.Cert}, nil)
		r := run(t, cleanEnv(t), bin, officialArgs(e, p, "--intermediates", p.files.Chain)...)
		assertRefused(t, e, r, refusal{http.StatusForbidden, emulator.CodeAccessDenied, emulator.MsgUntrusted})
	})
	t.Run("missing intermediate", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
		r := run(t, cleanEnv(t), bin, officialArgs(e, p)...)
		assertRefused(t, e, r, refusal{http.StatusForbidden, emulator.CodeAccessDenied, emulator.MsgUntrusted})
	})
	// The request as signed names things the emulator does not have: the
	// error shapes of the service, parsed by the official SDK client.
	for _, tc := range []struct {
		name  string
		extra []string // flags appended (pflag: the last value wins)
		want  refusal
	}{
		{"scope region differs", []string{"--region", "us-west-2"},
			refusal{http.StatusForbidden, emulator.CodeAccessDenied, "scoped to a valid region"}},
		{"unknown profile", []string{"--profile-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/11111111-2222-4333-8444-555555555555"},
			refusal{http.StatusNotFound, emulator.CodeResourceNotFound, "not found"}},
		{"unknown trust anchor", []string{"--trust-anchor-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/11111111-2222-4333-8444-555555555555"},
			refusal{http.StatusNotFound, emulator.CodeResourceNotFound, "not found"}},
		{"role not in profile", []string{"--role-arn", "arn:aws:iam::123456789012:role/other"},
			refusal{http.StatusForbidden, emulator.CodeAccessDenied, emulator.MsgRoleNotInProfile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
			r := run(t, cleanEnv(t), bin, officialArgs(e, p, append([]string{"--intermediates", p.files.Chain}, tc.extra...)...)...)
			assertRefused(t, e, r, tc.want)
		})
	}
	for _, tc := range []struct {
		name    string
		shift   time.Duration // emulator clock minus real time
		message string
	}{
		{"stale date", 6 * time.Minute, "Signature expired"},
		{"date from the future", -6 * time.Minute, "Signature not yet current"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, func(c *emulator.Config) {
				c.Now = func() time.Time { return time.Now().Add(tc.shift) }
			})
			r := run(t, cleanEnv(t), bin, officialArgs(e, p, "--intermediates", p.files.Chain)...)
			assertRefused(t, e, r, refusal{http.StatusForbidden, emulator.CodeAccessDenied, tc.message})
			// The Date header carries the emulator's clock, so a client can
			// tell the user how far off it is.
			if xs := e.proxy.Exchanges(); len(xs) == 1 {
				d, err := http.ParseTime(xs[0].date)
				if off := time.Until(d); err == nil && (off-tc.shift > 10*time.Second || tc.shift-off > 10*time.Second) {
					t.Errorf("Date header %s is %v off real time, want about %v", xs[0].date, off, tc.shift)
				}
			}
		})
	}
}
