package acme

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// lockedBuffer collects the emulator's CloudTrail lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// emu is an in-process emulator on a loopback TLS server.
type emu struct {
	srv    *emulator.Server
	ts     *httptest.Server
	trail  *lockedBuffer
	caFile string // the TLS server's certificate, for AWS_CA_BUNDLE
}

// startEmu serves an emulator applying policy. wrap, when not nil, puts a
// handler in front of it.
func startEmu(t *testing.T, anchors []*x509.Certificate, policy *trustpolicy.Policy, wrap func(http.Handler) http.Handler) *emu {
	t.Helper()
	authorize, err := emulator.TrustPolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	trail := &lockedBuffer{}
	srv, err := emulator.New(emulator.Config{AnchorCerts: anchors, CloudTrail: trail, Authorize: authorize})
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	ts := httptest.NewTLSServer(h)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	caFile := filepath.Join(t.TempDir(), "emulator-ca.pem")
	if err := WritePEM(caFile, ts.Certificate()); err != nil {
		t.Fatal(err)
	}
	return &emu{srv: srv, ts: ts, trail: trail, caFile: caFile}
}

// flags are the credential-process flags that point at this emulator.
func (e *emu) flags() []string {
	return []string{
		"--trust-anchor-arn", e.srv.TrustAnchorARNs()[0],
		"--profile-arn", e.srv.ProfileARNs()[0],
		"--role-arn", e.srv.RoleARNs()[0],
		"--endpoint", e.ts.URL,
	}
}

func (e *emu) last(t *testing.T) emulator.Accepted {
	t.Helper()
	a, ok := e.srv.LastAccepted()
	if !ok {
		t.Fatal("the emulator accepted no request")
	}
	return a
}

// result is one run of our binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runProduct runs acme-signing-helper with a scrubbed environment, HOME in
// a temporary directory and AWS_CA_BUNDLE naming the emulator's TLS
// certificate (when e is not nil).
func runProduct(t *testing.T, e *emu, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, productBin(t), args...)
	cmd.Env = childEnv(t.TempDir())
	if e != nil {
		cmd.Env = append(cmd.Env, "AWS_CA_BUNDLE="+e.caFile)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run acme-signing-helper %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// hasCommand tells whether our binary has a subcommand yet.
func hasCommand(t *testing.T, name string) bool {
	t.Helper()
	out, _ := exec.Command(productBin(t), "help").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return true
		}
	}
	return false
}

// requireCommand skips the test when our binary lacks a subcommand (it may
// not have landed yet), and fails it in CI, where every step must run.
func requireCommand(t *testing.T, name string) {
	t.Helper()
	if hasCommand(t, name) {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("acme-signing-helper has no %s command", name)
	}
	t.Skipf("acme-signing-helper has no %s command yet", name)
}

// doctorResult is doctor --format json.
type doctorResult struct {
	Checks []struct{ Name, Status, Detail, Fix string }
	OK     bool
}

func (d doctorResult) check(name string) struct{ Name, Status, Detail, Fix string } {
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	return struct{ Name, Status, Detail, Fix string }{Name: name, Status: "(missing)"}
}

func doctorReportOf(t *testing.T, r result) doctorResult {
	t.Helper()
	var d doctorResult
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || len(d.Checks) == 0 {
		t.Fatalf("doctor --format json: %v\n%s", err, r)
	}
	return d
}

// processCredentials is the credential_process JSON.
type processCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// credentialsOf checks that r is one credential_process JSON object.
func credentialsOf(t *testing.T, r result) processCredentials {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("credential-process failed: %s", r)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var c processCredentials
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("stdout is not credential_process JSON: %v\n%s", err, r)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", r.stdout)
	}
	if c.Version != 1 || c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" || c.Expiration.IsZero() {
		t.Fatalf("incomplete credentials: %+v", c)
	}
	return c
}

// totpCode is RFC 6238 (HMAC-SHA1, 30 s, 6 digits) written here so the
// check does not depend on the code under test.
func totpCode(key []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// fingerprintFile writes a random "environment" file (the seed's
// /opt/monkey.jpg) and returns its path and TOTP key: SHA-1 of its bytes,
// as gen-creds.sh derives it with sha1sum.
func fingerprintFile(t *testing.T, dir, name string) (string, []byte) {
	t.Helper()
	b := make([]byte, 4096)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	k := sha1.Sum(b)
	return p, k[:]
}

// checkSessionName asserts the session name is the TOTP code of key at
// the time the emulator accepted the call (or the step before: the code is
// made when the request is signed).
func checkSessionName(t *testing.T, a emulator.Accepted, key []byte) {
	t.Helper()
	if a.SessionName != totpCode(key, a.Time) && a.SessionName != totpCode(key, a.Time.Add(-30*time.Second)) {
		t.Errorf("session name %q is not the TOTP code of the fingerprint at %s", a.SessionName, a.Time.Format(time.RFC3339))
	}
}

// TestEndToEnd runs the product on the certificates pebble issued and lego
// wrote: trust policy, credential-process with a TOTP session name, cache,
// totp enroll, a second host, an impostor caught by detect, the chain of
// two intermediates, the CN-less certificate, and the renewal picked up by a
// running serve and by the credential cache. The steps share state and run
// in order.
func TestEndToEnd(t *testing.T) {
	// Parallel tests start once the sequential ones (TestIssuance reads
	// host1's files) are done; the other parallel tests use other names.
	t.Parallel()
	w := getWorld(t)
	productBin(t)
	dir := t.TempDir()
	files := func(name string) (leaf []*x509.Certificate, f CertFiles) {
		h := w.hosts[name]
		f = h.lego.Files(h.domain)
		chain, err := ReadChain(f.Cert)
		if err != nil {
			t.Fatal(err)
		}
		return chain, f
	}
	anchors := []*x509.Certificate{mustCert(t, w.rootA), mustCert(t, w.rootB)}

	// The role trust policy, as the product writes it for the fleet:
	// any name under the domain, the session name a 6-digit code.
	anchorARN := emulator.DefaultTrustAnchorARN(emulator.DefaultRegion, emulator.DefaultAccountID)
	tp := runProduct(t, nil, "trust-policy", "role", "--trust-anchor-arn", anchorARN, "--workload", "*."+fleetDomain)
	if tp.code != 0 {
		t.Fatalf("trust-policy role: %s", tp)
	}
	policy, err := trustpolicy.Parse([]byte(tp.stdout))
	if err != nil {
		t.Fatalf("trust-policy role output does not parse: %v\n%s", err, tp.stdout)
	}
	e := startEmu(t, anchors, policy, nil)

	fp1, key1 := fingerprintFile(t, dir, "host1-monkey.jpg")
	fp2, key2 := fingerprintFile(t, dir, "host2-monkey.jpg")
	fp3, key3 := fingerprintFile(t, dir, "impostor-monkey.jpg")
	cacheDir := filepath.Join(dir, "cache")
	cp := func(name, fingerprint string, extra ...string) result {
		h := w.hosts[name]
		args := append([]string{"credential-process", "--acme-dir", h.lego.Path, "--domain", h.domain, "--fingerprint", "file:" + fingerprint}, e.flags()...)
		return runProduct(t, e, append(args, extra...)...)
	}

	var host1Creds processCredentials
	t.Run("credential-process", func(t *testing.T) {
		chain, _ := files(host1)
		host1Creds = credentialsOf(t, cp(host1, fp1, "--cache-dir", cacheDir))
		a := e.last(t)
		if a.Serial().Cmp(chain[0].SerialNumber) != 0 {
			t.Errorf("emulator got serial %x, want host1's %x", a.Serial(), chain[0].SerialNumber)
		}
		if want := "CN=" + host1; a.SourceIdentity != want {
			t.Errorf("source identity %q, want %q", a.SourceIdentity, want)
		}
		if len(a.Chain) != 1 || !a.Chain[0].Equal(chain[1]) {
			t.Errorf("chain sent: %d certificates, want pebble's intermediate", len(a.Chain))
		}
		checkSessionName(t, a, key1)
	})

	t.Run("cache", func(t *testing.T) {
		calls := e.srv.Calls()
		again := credentialsOf(t, cp(host1, fp1, "--cache-dir", cacheDir))
		if e.srv.Calls() != calls {
			t.Errorf("a second credential-process called the endpoint (%d calls, want %d)", e.srv.Calls(), calls)
		}
		if again.AccessKeyID != host1Creds.AccessKeyID {
			t.Errorf("cached credentials differ from the first ones")
		}
	})

	seeds := filepath.Join(dir, "env-sha1sum-db.json")
	t.Run("totp enroll", func(t *testing.T) {
		for _, h := range []struct{ name, fp string }{{host1, fp1}, {host2, fp2}} {
			r := runProduct(t, e, "totp", "enroll", "--fingerprint", "file:"+h.fp, "--acme-dir", w.hosts[h.name].lego.Path, "--domain", h.name, "--db", seeds)
			if r.code != 0 {
				t.Fatalf("totp enroll %s: %s", h.name, r)
			}
		}
		st, err := os.Stat(seeds)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("seeds database mode %04o, want 0600", st.Mode().Perm())
		}
		b, _ := os.ReadFile(seeds)
		for _, h := range []struct {
			name string
			key  []byte
		}{{host1, key1}, {host2, key2}} {
			if !bytes.Contains(b, []byte(`"CN=`+h.name+`"`)) || !bytes.Contains(b, []byte(fmt.Sprintf("%x", h.key))) {
				t.Errorf("seeds database lacks CN=%s with the sha1sum of its fingerprint file:\n%s", h.name, b)
			}
		}
	})

	t.Run("second host", func(t *testing.T) {
		chain, _ := files(host2)
		credentialsOf(t, cp(host2, fp2))
		a := e.last(t)
		if a.Serial().Cmp(chain[0].SerialNumber) != 0 || a.SourceIdentity != "CN="+host2 {
			t.Errorf("emulator got serial %x identity %q, want host2's %x", a.Serial(), a.SourceIdentity, chain[0].SerialNumber)
		}
		checkSessionName(t, a, key2)
	})

	t.Run("impostor", func(t *testing.T) {
		// A valid certificate for host1's name from another lego, in an
		// environment with another fingerprint: the CA and the trust
		// policy cannot tell; the session name can.
		chain, _ := files(impostor)
		credentialsOf(t, cp(impostor, fp3))
		a := e.last(t)
		if a.Serial().Cmp(chain[0].SerialNumber) != 0 || a.SourceIdentity != "CN="+host1 {
			t.Errorf("emulator got serial %x identity %q, want the impostor's %x as CN=%s", a.Serial(), a.SourceIdentity, chain[0].SerialNumber, host1)
		}
		checkSessionName(t, a, key3)
	})

	t.Run("detect", func(t *testing.T) {
		trail := filepath.Join(dir, "cloudtrail.jsonl")
		if err := os.WriteFile(trail, e.trail.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runProduct(t, e, "detect", "--db", seeds, "--format", "json", trail)
		t.Logf("detect --format json:\n%s", r.stdout)
		if r.code != 1 {
			t.Errorf("detect exit %d, want 1 (a finding)", r.code)
		}
		h1, _ := files(host1)
		h2, _ := files(host2)
		imp, _ := files(impostor)
		want := map[string]string{ // serial → verdict
			h1[0].SerialNumber.Text(16):  "legit",
			h2[0].SerialNumber.Text(16):  "legit",
			imp[0].SerialNumber.Text(16): "mismatch",
		}
		identity := map[string]string{
			h1[0].SerialNumber.Text(16):  host1,
			h2[0].SerialNumber.Text(16):  host2,
			imp[0].SerialNumber.Text(16): host1, // the impostor's certificate names host1
		}
		got := map[string]string{}
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		for sc.Scan() {
			var v struct {
				Verdict, Identity, CertSerial string
			}
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("detect line %q: %v", sc.Text(), err)
			}
			got[normalizeSerial(v.CertSerial)] = v.Verdict
			if serial := normalizeSerial(v.CertSerial); identity[serial] != "" && v.Identity != identity[serial] {
				t.Errorf("session of certificate %s: identity %q, want %q", serial, v.Identity, identity[serial])
			}
		}
		if len(got) != len(want) {
			t.Errorf("detect reported %d sessions, want %d:\n%s", len(got), len(want), r)
		}
		for serial, verdict := range want {
			if got[serial] != verdict {
				t.Errorf("session of certificate %s: verdict %q, want %q\n%s", serial, got[serial], verdict, r)
			}
		}
	})

	t.Run("trust policy enforced", func(t *testing.T) {
		// The policy wants a 6-character session name: a fixed longer
		// one is refused by the emulator's evaluation of the policy.
		calls := e.srv.Calls()
		r := runProduct(t, e, append([]string{"credential-process", "--acme-dir", w.hosts[host1].lego.Path, "--domain", host1,
			"--role-session-name", "not-a-totp-code", "--no-cache"}, e.flags()...)...)
		if r.code == 0 || r.stdout != "" {
			t.Fatalf("a session name the trust policy does not allow got credentials: %s", r)
		}
		if e.srv.Calls() != calls+1 || !strings.Contains(r.stderr, "AccessDenied") {
			t.Errorf("want the emulator to refuse (AccessDenied), calls %d→%d: %s", calls, e.srv.Calls(), r)
		}
	})

	t.Run("two intermediates", func(t *testing.T) {
		chain, f := files(geny)
		credentialsOf(t, cp(geny, fp1, "--no-cache"))
		a := e.last(t)
		if a.Serial().Cmp(chain[0].SerialNumber) != 0 {
			t.Fatalf("emulator got serial %x, want geny's %x", a.Serial(), chain[0].SerialNumber)
		}
		// X-Amz-X509-Chain: the leaf's issuer first, then its issuer.
		parts := strings.Split(a.ChainHeader, ",")
		if len(parts) != 2 {
			t.Fatalf("X-Amz-X509-Chain has %d certificates, want 2: %q", len(parts), a.ChainHeader)
		}
		for i, p := range parts {
			der, err := base64.StdEncoding.DecodeString(p)
			if err != nil {
				t.Fatalf("chain header element %d: %v", i, err)
			}
			if !bytes.Equal(der, chain[i+1].Raw) {
				t.Errorf("chain header element %d is not %s", i, chain[i+1].Subject)
			}
		}
		if err := chain[0].CheckSignatureFrom(a.Chain[0]); err != nil {
			t.Errorf("first certificate of the chain header is not the leaf's issuer: %v", err)
		}

		// With the second intermediate missing, the emulator refuses.
		leafOnly := filepath.Join(dir, "geny-leaf.pem")
		oneIntermediate := filepath.Join(dir, "geny-one-intermediate.pem")
		if err := WritePEM(leafOnly, chain[0]); err != nil {
			t.Fatal(err)
		}
		if err := WritePEM(oneIntermediate, chain[1]); err != nil {
			t.Fatal(err)
		}
		calls := e.srv.Calls()
		r := runProduct(t, e, append([]string{"credential-process", "--certificate", leafOnly, "--intermediates", oneIntermediate,
			"--private-key", f.Key, "--fingerprint", "file:" + fp1, "--no-cache"}, e.flags()...)...)
		if r.code == 0 || r.stdout != "" {
			t.Fatalf("credentials with an intermediate missing: %s", r)
		}
		if e.srv.Calls() != calls+1 || !strings.Contains(r.stderr, emulator.MsgUntrusted) {
			t.Errorf("want the emulator to refuse with %q (calls %d→%d): %s", emulator.MsgUntrusted, calls, e.srv.Calls(), r)
		}
		if e.last(t).Serial().Cmp(chain[0].SerialNumber) != 0 {
			t.Error("the refused request was recorded as accepted")
		}
	})

	t.Run("CN-less certificate", func(t *testing.T) {
		// Issue 11: AWS documents no subject requirement, so the call is
		// made with a warning; a refusal (here by the trust policy, whose
		// conditions a CN-less certificate may not meet) is explained.
		calls := e.srv.Calls()
		r := cp(nocn, fp1, "--no-cache")
		if !strings.Contains(r.stderr, "warning: certificate") || !strings.Contains(r.stderr, "has an empty subject (no CN") || !strings.Contains(r.stderr, "x509SAN/DNS") {
			t.Errorf("want the one-line empty-subject warning: %s", r)
		}
		if e.srv.Calls() != calls+1 {
			t.Errorf("the CN-less certificate did not reach the endpoint (calls %d→%d)", calls, e.srv.Calls())
		}
		if r.code != 0 && (!strings.Contains(r.stderr, "; the certificate") || !strings.Contains(r.stderr, "\nhint: the certificate has no CN")) {
			t.Errorf("a refusal of the CN-less certificate must say the subject is empty and explain: %s", r)
		}
	})

	t.Run("doctor", func(t *testing.T) {
		requireCommand(t, "doctor")
		rootFile := filepath.Join(dir, "pebble-root.pem")
		if err := os.WriteFile(rootFile, w.rootA, 0o644); err != nil {
			t.Fatal(err)
		}
		calls := e.srv.Calls()
		r := runProduct(t, e, append([]string{"doctor", "--acme-dir", w.hosts[host1].lego.Path, "--domain", host1, "--fingerprint", "file:" + fp1,
			"--anchor-cert", rootFile, "--call", "--format", "json"}, e.flags()...)...)
		rep := doctorReportOf(t, r)
		if r.code != 0 || !rep.OK {
			t.Errorf("doctor on host1 does not pass: %s", r)
		}
		for _, c := range rep.Checks {
			if c.Status == "FAIL" {
				t.Errorf("doctor check %s fails on host1: %s (%s)", c.Name, c.Detail, c.Fix)
			}
		}
		if c := rep.check("call"); c.Status != "PASS" || e.srv.Calls() != calls+1 {
			t.Errorf("doctor --call: check %+v, endpoint calls %d→%d", c, calls, e.srv.Calls())
		}
		if c := rep.check("chain"); c.Status != "PASS" {
			t.Errorf("doctor chain check on host1 with pebble's root as anchor: %+v", c)
		}

		calls = e.srv.Calls()
		d := runProduct(t, e, append([]string{"doctor", "--acme-dir", w.hosts[nocn].lego.Path, "--domain", nocn,
			"--anchor-cert", rootFile, "--format", "json"}, e.flags()...)...)
		rep = doctorReportOf(t, d)
		if c := rep.check("subject"); c.Status != "WARN" || !strings.Contains(c.Detail, "empty subject") || !strings.Contains(c.Fix, "x509SAN/DNS") || !strings.Contains(c.Fix, "classic") {
			t.Errorf("doctor subject check on the CN-less certificate: %+v, want WARN naming the empty subject, x509SAN/DNS and the classic profile", c)
		}
		if e.srv.Calls() != calls {
			t.Error("doctor without --call called the endpoint")
		}
	})

	t.Run("renewal", func(t *testing.T) {
		testRenewal(t, w, e, anchors, policy, cp, fp1, key1, cacheDir)
	})
}

// testRenewal renews host1's certificate under a running serve and a warm
// credential cache, and checks both use the new certificate.
func testRenewal(t *testing.T, w *world, e *emu, anchors []*x509.Certificate, policy *trustpolicy.Policy,
	cp func(name, fingerprint string, extra ...string) result, fp1 string, key1 []byte, cacheDir string) {
	old, _ := func() ([]*x509.Certificate, CertFiles) {
		h := w.hosts[host1]
		f := h.lego.Files(h.domain)
		c, err := ReadChain(f.Cert)
		if err != nil {
			t.Fatal(err)
		}
		return c, f
	}()
	oldSerial := old[0].SerialNumber

	// serve renews its session at half its life when that is shorter
	// than twice the refresh margin. A second emulator whose sessions
	// last 10 s (its answers' expiration is rewritten; the service's
	// shortest is 900 s) makes serve renew every 5 s, so it meets the new
	// certificate within seconds.
	var short *shortSessions
	se := startEmu(t, anchors, policy, func(h http.Handler) http.Handler {
		short = &shortSessions{h: h, life: 10 * time.Second, serial: map[string]*big.Int{}}
		return short
	})
	requireCommand(t, "serve")
	var sp *Process
	base := ""
	{
		ready := filepath.Join(t.TempDir(), "ready")
		var err error
		args := append([]string{"serve", "--acme-dir", w.hosts[host1].lego.Path, "--domain", host1, "--fingerprint", "file:" + fp1,
			"--listen", "127.0.0.1:0", "--ready-file", ready, "--session-duration", "900"}, se.flags()...)
		home := t.TempDir()
		sp, err = startProcess("serve", filepath.Join(home, "serve.log"), childEnv(home, "AWS_CA_BUNDLE="+se.caFile), productBin(t), args...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sp.Stop)
		err = sp.waitReady(context.Background(), readyTimeout, func(context.Context) error {
			b, err := os.ReadFile(ready)
			if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
				return errors.New("no ready file yet")
			}
			base = strings.TrimSpace(string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c1 := imdsCredentials(t, base, se.srv.RoleARNs()[0])
		if got := short.serialOf(c1.AccessKeyID); got == nil || got.Cmp(oldSerial) != 0 {
			t.Fatalf("serve's credentials come from a session signed with serial %x, want host1's %x", got, oldSerial)
		}
		checkSessionName(t, se.last(t), key1)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("serve log:\n%s", sp.Log(4000))
			}
		})
	}

	// The forced renewal, as lego's timer would run it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := w.hosts[host1]
	if _, err := h.lego.Renew(ctx, h.req); err != nil {
		t.Fatal(err)
	}
	renewed, err := ReadChain(h.lego.Files(host1).Cert)
	if err != nil {
		t.Fatal(err)
	}
	newSerial := renewed[0].SerialNumber
	if newSerial.Cmp(oldSerial) == 0 {
		t.Fatal("lego renew did not change the certificate")
	}

	{
		deadline := time.Now().Add(30 * time.Second)
		for se.last(t).Serial().Cmp(newSerial) != 0 {
			if time.Now().After(deadline) || sp.Exited() {
				t.Fatalf("serve did not sign with the renewed certificate %x within 30 s (last serial %x, exited %v)", newSerial, se.last(t).Serial(), sp.Exited())
			}
			time.Sleep(200 * time.Millisecond)
		}
		// serve swaps the credentials it serves once the new session
		// is in; allow it the moment between the two.
		var c2 processCredentials
		for {
			c2 = imdsCredentials(t, base, se.srv.RoleARNs()[0])
			if got := short.serialOf(c2.AccessKeyID); got != nil && got.Cmp(newSerial) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve still serves credentials of serial %x after the renewal to %x", short.serialOf(c2.AccessKeyID), newSerial)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// The credential cache is keyed by the leaf: the renewed certificate
	// means a new session, signed with it.
	calls := e.srv.Calls()
	credentialsOf(t, cp(host1, fp1, "--cache-dir", cacheDir))
	if e.srv.Calls() != calls+1 {
		t.Errorf("credential-process after the renewal: %d endpoint calls, want 1 (cache keyed by the old certificate)", e.srv.Calls()-calls)
	}
	if got := e.last(t).Serial(); got.Cmp(newSerial) != 0 {
		t.Errorf("credential-process signed with %x after the renewal, want the new %x", got, newSerial)
	}
}

// shortSessions wraps the emulator so the credentials it issues expire
// after life, and remembers which leaf serial each access key was issued to.
type shortSessions struct {
	h    http.Handler
	life time.Duration

	mu     sync.Mutex
	serial map[string]*big.Int // access key ID → leaf serial
}

func (s *shortSessions) serialOf(accessKeyID string) *big.Int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serial[accessKeyID]
}

func (s *shortSessions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusCreated {
		var serial *big.Int
		if der, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-X509")); err == nil {
			if c, err := x509.ParseCertificate(der); err == nil {
				serial = c.SerialNumber
			}
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err == nil {
			set, _ := v["credentialSet"].([]any)
			for _, c := range set {
				if m, ok := c.(map[string]any); ok {
					if cr, ok := m["credentials"].(map[string]any); ok {
						cr["expiration"] = time.Now().Add(s.life).UTC().Format(time.RFC3339)
						if id, ok := cr["accessKeyId"].(string); ok {
							s.mu.Lock()
							s.serial[id] = serial
							s.mu.Unlock()
						}
					}
				}
			}
			if b, err := json.Marshal(v); err == nil {
				body = b
			}
		}
	}
	for k, vs := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// imdsCredentials fetches credentials from serve's IMDSv2 endpoint.
func imdsCredentials(t *testing.T, base, roleARN string) processCredentials {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok := new(bytes.Buffer)
	tok.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IMDS token: %s", resp.Status)
	}
	role := roleARN[strings.LastIndex(roleARN, "/")+1:]
	req, _ = http.NewRequest(http.MethodGet, base+"/latest/meta-data/iam/security-credentials/"+role, nil)
	req.Header.Set("X-aws-ec2-metadata-token", tok.String())
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Code            string
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		Token           string
		Expiration      time.Time
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK || v.Code != "Success" || v.AccessKeyID == "" || v.Token == "" {
		t.Fatalf("IMDS credentials: %s, %v, code %q", resp.Status, err, v.Code)
	}
	return processCredentials{Version: 1, AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.Token, Expiration: v.Expiration}
}

func mustCert(t *testing.T, pemBytes []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("no PEM block")
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// normalizeSerial turns a serial as detect prints it (hex, maybe with
// colons or a 0x, or decimal) into lower-case hex without leading zeros.
func normalizeSerial(s string) string {
	s = strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(s, ":", ""), "0x"))
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return s
	}
	return n.Text(16)
}
