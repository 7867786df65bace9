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

// TestSameFlagsSameRefusal: with an anchor that does not match, both are
// refused with the same service error; ours adds a hint.
func TestSameFlagsSameRefusal(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	other := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	e := startEmulator(t, []*x509.Certificate{other.h.Root.Cert}, nil)
	args := sameFlags(e, p)
	for _, bin := range []string{official, ours} {
		r := run(t, cleanEnv(t), bin, args...)
		if r.code == 0 || r.stdout != "" {
			t.Errorf("%s: want a non-zero exit and empty stdout:\n%s", bin, r)
		}
		if !strings.Contains(r.stderr, emulator.MsgUntrusted) {
			t.Errorf("%s: stderr does not pass on %q:\n%s", bin, emulator.MsgUntrusted, r.stderr)
		}
		if bin == ours && !strings.Contains(r.stderr, "hint:") {
			t.Errorf("ours: no hint line on an untrusted certificate:\n%s", r.stderr)
		}
	}
	recs := e.records(t)
	if len(recs) != 2 || recs[0].ErrorCode != emulator.CodeAccessDenied || recs[1].ErrorCode != emulator.CodeAccessDenied {
		t.Errorf("CloudTrail: want two AccessDenied records, got %d", len(recs))
	}
}
