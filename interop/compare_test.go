package interop

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// sameFlags is one credential-process command line that both binaries must
// accept with the same meaning: the drop-in promise of issue 2.
func sameFlags(e *emu, p pki, extra ...string) []string {
	args := append([]string{"credential-process",
		"--certificate", p.files.Certificate,
		"--private-key", p.files.Key,
		"--intermediates", p.files.Chain,
		"--region", e.srv.Region(),
		"--endpoint", e.URL(),
		"--no-verify-ssl",
		"--session-duration", "900",
		"--role-session-name", "interop-compare",
	}, e.arnFlags()...)
	return append(args, extra...)
}

// TestSameFlagsSameRequest runs the official helper and ours with one
// identical flag list against one emulator: both must get credentials, and
// the emulator must have seen the same CreateSession request parameters,
// the same certificate and the same chain from both.
func TestSameFlagsSameRequest(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	for _, tc := range []struct {
		name     string
		leaf, ca testpki.KeyType
	}{
		{"ecdsa", testpki.ECDSAP256, testpki.ECDSAP384},
		{"rsa", testpki.RSA2048, testpki.RSA2048},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPKI(t, tc.leaf, tc.ca, 2, "")
			e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
			args := sameFlags(e, p)

			var chains []string
			for _, bin := range []string{official, ours} {
				start := time.Now()
				r := run(t, cleanEnv(t), bin, args...)
				if r.code != 0 {
					t.Fatalf("%s with the shared flags:\n%s", bin, r)
				}
				got := parseProcessOutput(t, r.stdout)
				creds := e.issuedCredentials(t)
				assertSameCredentials(t, got, creds[len(creds)-1])
				// --session-duration 900 reached the emulator.
				if d := creds[len(creds)-1].Expiration.Sub(start); d < 890*time.Second || d > 930*time.Second {
					t.Errorf("%s: credentials live %v, want about 900s", bin, d)
				}
				acc, ok := e.srv.LastAccepted()
				if !ok {
					t.Fatalf("%s: emulator accepted nothing", bin)
				}
				chains = append(chains, acc.ChainHeader)
				if acc.SessionName != "interop-compare" {
					t.Errorf("%s: session name %q, want interop-compare", bin, acc.SessionName)
				}
			}
			if chains[0] != chains[1] {
				t.Errorf("X-Amz-X509-Chain differs:\nofficial: %s\nours:     %s", chains[0], chains[1])
			}
			recs := e.records(t)
			if len(recs) != 2 {
				t.Fatalf("CloudTrail: %d records, want 2", len(recs))
			}
			a, b := recs[0].RequestParameters, recs[1].RequestParameters
			if a.ProfileArn != b.ProfileArn || a.RoleArn != b.RoleArn || a.TrustAnchorArn != b.TrustAnchorArn ||
				a.DurationSeconds != b.DurationSeconds || a.Cert != b.Cert ||
				a.RoleSessionName == nil || b.RoleSessionName == nil || *a.RoleSessionName != *b.RoleSessionName {
				t.Errorf("request parameters differ:\nofficial: %+v\nours:     %+v", a, b)
			}
			if recs[0].ErrorCode != "" || recs[1].ErrorCode != "" {
				t.Errorf("error codes %q, %q, want none", recs[0].ErrorCode, recs[1].ErrorCode)
			}
			if strings.HasPrefix(recs[1].UserAgent, "CredHelper/") {
				t.Errorf("second record's user agent %q is the official helper's: ours did not run", recs[1].UserAgent)
			}
			assertNoSecretsIn(t, "CloudTrail log", e.trail.Bytes(), e.issuedCredentials(t))
		})
	}
}

// TestSameFlagsSameRefusal: a set-up error the service reports is
// reported by both binaries with the same flags; ours adds a hint that names
// the fix.
func TestSameFlagsSameRefusal(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	other := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	no := false
	for _, tc := range []struct {
		name      string
		anchor    *x509.Certificate
		configure func(*emulator.Config)
		message   string // the service's message, passed on by both
		ourHint   string // in our hint line
	}{
		{"wrong anchor", other.h.Root.Cert, nil, emulator.MsgUntrusted, "anchor"},
		{"profile refuses roleSessionName", p.h.Root.Cert, func(c *emulator.Config) { c.AcceptRoleSessionName = &no },
			emulator.MsgSessionNameRefused, "acceptRoleSessionName"},
		{"clock ten minutes slow", p.h.Root.Cert, func(c *emulator.Config) { c.Now = func() time.Time { return time.Now().Add(10 * time.Minute) } },
			"Signature expired", "behind the server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, []*x509.Certificate{tc.anchor}, tc.configure)
			args := sameFlags(e, p)
			for _, bin := range []string{official, ours} {
				r := run(t, cleanEnv(t), bin, args...)
				if r.code == 0 || r.stdout != "" {
					t.Errorf("%s: want a non-zero exit and empty stdout:\n%s", bin, r)
				}
				if !strings.Contains(r.stderr, tc.message) {
					t.Errorf("%s: stderr does not pass on %q:\n%s", bin, tc.message, r.stderr)
				}
				if bin != ours {
					continue
				}
				_, hint, ok := strings.Cut(r.stderr, "hint:")
				if !ok || !strings.Contains(strings.ToLower(hint), strings.ToLower(tc.ourHint)) {
					t.Errorf("ours: no hint line about %q:\n%s", tc.ourHint, r.stderr)
				}
			}
			recs := e.records(t)
			if len(recs) != 2 || recs[0].ErrorCode != emulator.CodeAccessDenied || recs[1].ErrorCode != emulator.CodeAccessDenied {
				t.Errorf("CloudTrail: want two AccessDenied records, got %d", len(recs))
			}
		})
	}
}

// TestFullChainCertificate: lego's <domain>.crt holds the leaf and its
// issuers. The official helper reads only the first certificate of
// --certificate, so without --intermediates the chain is lost and the
// service refuses it (protocol.md §3); ours sends the chain. Same flags.
func TestFullChainCertificate(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 2, "")
	e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
	args := append([]string{"credential-process",
		"--certificate", p.files.FullChain,
		"--private-key", p.files.Key,
		"--endpoint", e.URL(),
		"--no-verify-ssl",
	}, e.arnFlags()...)

	r := run(t, cleanEnv(t), official, args...)
	if r.code == 0 || !strings.Contains(r.stderr, emulator.MsgUntrusted) {
		t.Errorf("official helper with a full-chain file: want %q (it drops the chain); got:\n%s", emulator.MsgUntrusted, r)
	}
	r = run(t, cleanEnv(t), ours, args...)
	if r.code != 0 {
		t.Fatalf("ours with a full-chain file:\n%s", r)
	}
	parseProcessOutput(t, r.stdout)
	acc, ok := e.srv.LastAccepted()
	if !ok || len(acc.Chain) != 2 || !acc.Chain[0].Equal(p.h.Chain()[0]) || !acc.Chain[1].Equal(p.h.Chain()[1]) {
		t.Errorf("ours did not send the two intermediates, issuer of the leaf first")
	}
}
