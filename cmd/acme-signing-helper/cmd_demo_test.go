package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// demoRun runs demo with args and a clock, collecting what the hooks see.
type demoRun struct {
	stdout, stderr string
	creds          signer.Credentials
	secrets        [][]byte
}

func runDemoTest(t *testing.T, now func() time.Time, args ...string) (demoRun, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := newEnv(strings.NewReader(""), &stdout, &stderr)
	e.lookupEnv = func(string) (string, bool) { return "", false }
	if now != nil {
		e.now = now
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e.ctx = ctx
	var r demoRun
	var mu sync.Mutex
	err := runDemoWith(e, args, demoHooks{
		onCredentials: func(c signer.Credentials) { r.creds = c },
		onSecret: func(b []byte) {
			mu.Lock()
			defer mu.Unlock()
			r.secrets = append(r.secrets, bytes.Clone(b))
		},
	})
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r, err
}

// secretForms are the ways a secret could show up on screen: as is, in
// hex, in base64, and for a PEM block each line of its body.
func secretForms(b []byte) []string {
	forms := []string{string(b), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b)}
	if bytes.HasPrefix(b, []byte("-----BEGIN")) {
		for _, line := range strings.Split(string(b), "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				forms = append(forms, line)
			}
		}
	}
	return forms
}

// TestDemoNeverShowsSecrets runs the demo with --debug in each mode and
// checks that no secret it handled (private keys, fingerprint contents,
// TOTP seeds, secret access keys and session tokens of every session)
// reaches stdout or stderr, while the access key ID does.
func TestDemoNeverShowsSecrets(t *testing.T) {
	dir := t.TempDir()
	fpContent := []byte("monkey.jpg: what only this machine can read \x00\x01\x02")
	fp := filepath.Join(dir, "monkey.jpg")
	if err := os.WriteFile(fp, fpContent, 0o600); err != nil {
		t.Fatal(err)
	}
	fpSum := sha1.Sum(fpContent)
	for _, tc := range []struct {
		name       string
		args       []string
		extra      [][]byte // secrets the test knows itself
		minSecrets int
	}{
		// 3 private keys, 3 fingerprint contents, 3 seeds, 3x2 credentials.
		{name: "default totp", args: nil, minSecrets: 15},
		{name: "rsa", args: []string{"--key-type", "rsa2048"}, minSecrets: 15},
		// the host's fingerprint is the test's: 2 fewer from the demo.
		{name: "fingerprint", args: []string{"--fingerprint", "file:" + fp}, extra: [][]byte{fpContent, []byte(hex.EncodeToString(fpSum[:]))}, minSecrets: 13},
		// no impersonators: 1 private key, 1x2 credentials.
		{name: "no-totp", args: []string{"--no-totp"}, minSecrets: 3},
		{name: "role-session-name", args: []string{"--role-session-name", "654321"}, minSecrets: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := runDemoTest(t, nil, append([]string{"--debug"}, tc.args...)...)
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, r.stderr)
			}
			if r.creds.SecretAccessKey == "" || r.creds.SessionToken == "" || r.creds.AccessKeyID == "" {
				t.Fatalf("got credentials %v", r.creds)
			}
			if len(r.secrets) < tc.minSecrets {
				t.Fatalf("the hooks saw %d secrets, want at least %d", len(r.secrets), tc.minSecrets)
			}
			secrets := append(r.secrets, tc.extra...)
			secrets = append(secrets, []byte(r.creds.SecretAccessKey), []byte(r.creds.SessionToken))
			for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				for i, s := range secrets {
					for _, form := range secretForms(s) {
						if strings.Contains(out, form) {
							t.Errorf("%s holds secret %d (%d bytes)", name, i, len(s))
						}
					}
				}
			}
			if !strings.Contains(r.stdout, `"AccessKeyId":"`+r.creds.AccessKeyID+`"`) {
				t.Errorf("stdout lacks the access key ID")
			}
			if !strings.Contains(r.stderr, "CreateSession accepted") {
				t.Errorf("--debug did not log the emulator's decision:\n%s", r.stderr)
			}
		})
	}
}

var (
	demoSessionNameRE = regexp.MustCompile(`(?m)^   session name: +([0-9]+)$`)
	demoSignedAtRE    = regexp.MustCompile(`(?m)^   signed at: +(\S+) `)
	demoDetectLineRE  = regexp.MustCompile(`(?m)^      (legit|mismatch|unknown-identity|no-session-name|malformed|replay) (\S+) (\S+) (\S+) (\S+)`)
	demoImpCodeRE     = regexp.MustCompile(`(?m)^     session name: +([0-9]+): the TOTP code of its own fingerprint`)
)

// section returns the text of step n ("n. ..." up to the next empty line).
func section(t *testing.T, out string, n int) string {
	t.Helper()
	s := regexp.MustCompile(`(?ms)^` + strconv.Itoa(n) + `\. .*?(?:\n\n|\z)`).FindString(out)
	if s == "" {
		t.Fatalf("no step %d in:\n%s", n, out)
	}
	return s
}

// TestDemoLoop checks the whole product loop of the default demo with
// clocks that stand still and that cross a TOTP step boundary during the
// run: the session name is a 6-digit code, the trust policy admits it,
// detect says legit, then unknown-identity for the other name and
// mismatch for the wrong fingerprint. With a known fingerprint the codes
// are checked against the seed independently.
func TestDemoLoop(t *testing.T) {
	dir := t.TempDir()
	fpContent := []byte("a fingerprint the test knows")
	fp := filepath.Join(dir, "monkey.jpg")
	if err := os.WriteFile(fp, fpContent, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(fpContent)
	seed := totp.Key(sum[:])
	boundary := time.Unix(59843103*30, 0) // a step boundary in 2026
	ticking := func(start time.Time, d time.Duration) func() time.Time {
		var mu sync.Mutex
		t := start
		return func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			t = t.Add(d)
			return t
		}
	}
	for _, tc := range []struct {
		name string
		now  func() time.Time
		args []string
	}{
		{name: "fixed clock", now: func() time.Time { return boundary.Add(-time.Second) }},
		{name: "clock crossing a step", now: ticking(boundary.Add(-1500*time.Millisecond), 100*time.Millisecond)},
		{name: "real clock", now: nil},
		{name: "known fingerprint, crossing a step", now: ticking(boundary.Add(-1500*time.Millisecond), 100*time.Millisecond), args: []string{"--fingerprint", "file:" + fp}},
		{name: "other domain", now: nil, args: []string{"--domain", "db.internal.example.org", "--key-type", "p384"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := runDemoTest(t, tc.now, tc.args...)
			if err != nil {
				t.Fatalf("demo: %v\n%s", err, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			out := r.stdout
			domain, other := "host.example.com", "evil.example.com"
			if len(tc.args) > 1 && tc.args[0] == "--domain" {
				domain, other = tc.args[1], "evil.internal.example.org"
			}
			m := demoSessionNameRE.FindStringSubmatch(out)
			if m == nil || len(m[1]) != 6 {
				t.Fatalf("session name shown %v, want a 6-digit code", m)
			}
			code := m[1]
			if !strings.Contains(out, `"roleSessionName": "`+code+`"`) {
				t.Errorf("the CloudTrail record lacks roleSessionName %s", code)
			}
			policy := section(t, out, 9)
			for _, want := range []string{
				"--workload " + domain + " ",
				"--totp-digits 6\n",
				"StringLike sts:RoleSessionName = ??????\n",
				"StringLike aws:PrincipalTag/x509Subject/CN = " + domain + "\n",
				"sts:RoleSessionName = " + code + "\n",
				"decision:        ALLOW: ",
			} {
				if !strings.Contains(policy, want) {
					t.Errorf("trust policy step lacks %q:\n%s", want, policy)
				}
			}
			if strings.Count(policy, " ALLOW: allowed by ") != 3 {
				t.Errorf("want the three actions allowed:\n%s", policy)
			}
			first := demoDetectLineRE.FindAllStringSubmatch(section(t, out, 10), -1)
			if len(first) != 1 || first[0][1] != "legit" || first[0][2] != domain || first[0][4] != code {
				t.Errorf("first detect: got %v, want legit %s with %s", first, domain, code)
			}
			imps := demoImpCodeRE.FindAllStringSubmatch(section(t, out, 11), -1)
			if len(imps) != 2 || len(imps[0][1]) != 6 || len(imps[1][1]) != 6 {
				t.Fatalf("impersonator codes: got %v", imps)
			}
			got := demoDetectLineRE.FindAllStringSubmatch(section(t, out, 12), -1)
			want := [][2]string{{"legit", domain}, {"unknown-identity", other}, {"mismatch", domain}}
			codes := []string{code, imps[0][1], imps[1][1]}
			if len(got) != len(want) {
				t.Fatalf("second detect: got %v, want %v", got, want)
			}
			for i := range want {
				if got[i][1] != want[i][0] || got[i][2] != want[i][1] || got[i][4] != codes[i] {
					t.Errorf("second detect line %d: got %v, want %v with code %s", i, got[i][1:], want[i], codes[i])
				}
			}
			if !strings.Contains(section(t, out, 12), "exit status:     1: not every session is legit") {
				t.Errorf("second detect does not say it would fail")
			}
			if len(tc.args) == 0 || tc.args[0] != "--fingerprint" {
				return
			}
			// Independent check with the known seed: the host's code is the
			// seed's at the signing time, the impostor's is not accepted.
			at := demoSignedAtRE.FindStringSubmatch(out)
			if at == nil {
				t.Fatal("no signing time shown")
			}
			signed, err := time.Parse(time.RFC3339, at[1])
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := totp.Code(seed, signed, totp.Options{}); c != code {
				t.Errorf("host code %s, want the seed's %s at %s", code, c, signed)
			}
			eventTime, err := time.Parse(time.RFC3339, got[2][3])
			if err != nil {
				t.Fatal(err)
			}
			if res, err := totp.VerifyWithPolicy(seed, imps[1][1], eventTime, totp.SeedScriptPolicy); err != nil || res.Matched {
				t.Errorf("the wrong fingerprint's code verifies for the host: %+v, %v", res, err)
			}
		})
	}
}

// TestDemoWriteFailure: an unwritable temporary directory fails before
// anything is printed, with a hint.
func TestDemoWriteFailure(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	r, err := runDemoTest(t, nil)
	if err == nil || hintOf(err) == "" || !strings.Contains(hintOf(err), "TMPDIR") {
		t.Fatalf("got %v (hint %q), want an error with a TMPDIR hint", err, hintOf(err))
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q", r.stdout)
	}
}

// BenchmarkDemo measures a whole default demo run (TOTP, three sessions,
// trust policy, two detect runs); the target is under 100 ms.
func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		e := newEnv(strings.NewReader(""), io.Discard, io.Discard)
		e.lookupEnv = func(string) (string, bool) { return "", false }
		if err := runDemoWith(e, nil, demoHooks{}); err != nil {
			b.Fatal(err)
		}
	}
}
