package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"

	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// deliveryFixture is a PKI in plain layout and an emulator trusting it.
type deliveryFixture struct {
	files testpki.Files
	emu   *emulator.Server
	url   string
	dir   string
}

// newDeliveryFixture starts an emulator whose clock runs behind by lag, so
// that a 900-second session expires 900s-lag after the real now (short
// sessions for expiry tests). lag 0 is a normal emulator.
func newDeliveryFixture(t *testing.T, lag time.Duration) *deliveryFixture {
	t.Helper()
	dir := t.TempDir()
	h, f := plainPKI(t, dir, testpki.Options{})
	cfg := emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}}
	if lag > 0 {
		cfg.Now = func() time.Time { return time.Now().Add(-lag) }
		cfg.MaxSkew = lag + time.Minute
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	return &deliveryFixture{files: f, emu: emu, url: srv.URL, dir: dir}
}

func (f *deliveryFixture) args(extra ...string) []string {
	return append([]string{"--certificate", f.files.Certificate, "--private-key", f.files.Key, "--intermediates", f.files.Chain,
		"--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole, "--endpoint", f.url,
		"--retry-max-backoff", "1ms", "--timeout", "5s", "--session-duration", "900"}, extra...)
}

// startCommand runs a long-running command in the background with a
// hermetic environment. done is closed when it returns; *code then holds
// its exit code. stop cancels it and returns the exit code.
func startCommand(t *testing.T, vars map[string]string, args ...string) (stdout, stderr *syncBuffer, stop func() int, done <-chan struct{}, code *int) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	e := newEnv(strings.NewReader(""), stdout, stderr)
	e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	e.ctx = ctx
	ch := make(chan struct{})
	code = new(int)
	go func() { *code = runEnv(e, args); close(ch) }()
	stop = func() int {
		cancel()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not stop within 10 s of cancellation", args[0])
			return -1
		}
		return *code
	}
	t.Cleanup(func() { stop() })
	return stdout, stderr, stop, ch, code
}

func waitReady(t *testing.T, path string, done <-chan struct{}, stderr *syncBuffer) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-done:
			t.Fatalf("exited early: %s", stderr.String())
		default:
		}
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatalf("not ready after 10 s: %s", stderr.String())
	return ""
}

type imdsDoc struct {
	Code, Type, AccessKeyId, SecretAccessKey, Token, Expiration, LastUpdated string
}

func imdsGet(t *testing.T, base string) (int, imdsDoc, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "21600")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d %s", resp.StatusCode, tok)
	}
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("X-aws-ec2-metadata-token", string(tok))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, role := get("/latest/meta-data/iam/security-credentials/")
	if code != 200 {
		t.Fatalf("role listing: %d %s", code, role)
	}
	code, body := get("/latest/meta-data/iam/security-credentials/" + string(role))
	var d imdsDoc
	if code == 200 {
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	return code, d, string(body)
}

func TestServeIMDSAndECS(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	ready := filepath.Join(f.dir, "ready")
	tokFile := filepath.Join(f.dir, "ecs", "token")
	stdout, stderr, stop, done, _ := startCommand(t, map[string]string{}, append([]string{"serve", "--debug", "--listen", "127.0.0.1:0", "--ready-file", ready, "--auth-token-file", tokFile}, f.args()...)...)
	base := waitReady(t, ready, done, stderr)

	code, doc, body := imdsGet(t, base)
	if code != 200 || doc.Code != "Success" || doc.Type != "AWS-HMAC" || !strings.HasPrefix(doc.AccessKeyId, "ASIA") || doc.SecretAccessKey == "" || doc.Token == "" {
		t.Fatalf("IMDS credentials: %d %s", code, body)
	}
	// ECS with the token from the file it created (0600).
	st, err := os.Stat(tokFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	tok, _ := os.ReadFile(tokFile)
	req, _ := http.NewRequest(http.MethodGet, base+"/credentials", nil)
	req.Header.Set("Authorization", string(tok))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ecs struct{ AccessKeyId, SecretAccessKey, Token, Expiration string }
	json.NewDecoder(resp.Body).Decode(&ecs)
	resp.Body.Close()
	if resp.StatusCode != 200 || ecs.AccessKeyId != doc.AccessKeyId || ecs.Token != doc.Token || ecs.Expiration != doc.Expiration {
		t.Errorf("ECS: %d %+v, want the IMDS credentials", resp.StatusCode, ecs)
	}
	req.Header.Set("Authorization", "wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("ECS with a wrong token: %v %v", resp, err)
	}
	if n := f.emu.Calls(); n != 1 {
		t.Errorf("CreateSession calls = %d, want 1", n)
	}
	// Usage on stdout: the variables to set.
	for _, want := range []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + base + "/\n", "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + base + "/credentials\n", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + tokFile + "\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	// --debug logs the requests and the refresh, never a secret.
	if !strings.Contains(stderr.String(), "level=DEBUG") {
		t.Errorf("--debug logged nothing:\n%s", stderr.String())
	}
	for _, secret := range []string{doc.SecretAccessKey, doc.Token, string(tok)} {
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("a secret appears in the output")
		}
	}
	// Graceful stop: exit 0.
	if code := stop(); code != 0 {
		t.Errorf("exit code after cancel = %d: %s", code, stderr.String())
	}
}

// TestServeKeepsLastGoodUntilExpiry is acceptance 3's failure case: the
// endpoint fails every refresh; serve keeps serving the last good
// credentials until they expire, then answers 503, never Success.
func TestServeKeepsLastGoodUntilExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 6 s")
	}
	const life = 4 * time.Second
	f := newDeliveryFixture(t, 900*time.Second-life)
	ready := filepath.Join(f.dir, "ready")
	_, stderr, _, done, _ := startCommand(t, map[string]string{}, append([]string{"serve", "--listen", "127.0.0.1:0", "--ready-file", ready}, f.args()...)...)
	base := waitReady(t, ready, done, stderr)
	code, first, body := imdsGet(t, base)
	if code != 200 {
		t.Fatalf("first: %d %s", code, body)
	}
	exp, err := time.Parse(time.RFC3339, first.Expiration)
	if err != nil {
		t.Fatal(err)
	}
	f.emu.InjectFault(emulator.Fault{Status: 503, Count: -1})
	sawExpired := false
	for deadline := exp.Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		before := time.Now()
		code, doc, body := imdsGet(t, base)
		switch {
		case code == 200:
			if doc.Code != "Success" || doc.AccessKeyId != first.AccessKeyId || doc.Token != first.Token {
				t.Fatalf("served something else than the last good credentials: %s", body)
			}
			if !before.Before(exp) {
				t.Fatalf("served credentials expiring %s at %s", exp, before)
			}
		case code == http.StatusServiceUnavailable:
			if strings.Contains(body, "Success") || strings.Contains(body, "AccessKeyId") {
				t.Fatalf("error document with credentials: %s", body)
			}
			if time.Now().Add(time.Second).Before(exp) {
				t.Fatalf("503 at %s, well before expiry %s: %s", time.Now(), exp, body)
			}
			sawExpired = true
		default:
			t.Fatalf("unexpected %d: %s", code, body)
		}
	}
	if !sawExpired {
		t.Error("never answered 503 after expiry")
	}
	if n := f.emu.Requests(); n < 3 {
		t.Errorf("calls = %d: want the first one and retried refreshes", n)
	}
	if !strings.Contains(stderr.String(), "refresh failed; keeping the last good credentials") {
		t.Errorf("no warning about the failed refresh in stderr:\n%s", stderr.String())
	}
}

func TestServeValidate(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:9911"}, "is not a loopback address"},
		{[]string{"--listen", "nonsense"}, "--listen \"nonsense\""},
		{[]string{"--hop-limit", "300"}, "--hop-limit 300 out of range"},
		{[]string{"--ecs-path", "credentials"}, "--ecs-path"},
		{[]string{"--ecs-path", "/latest/x"}, "--ecs-path"},
		{[]string{"--refresh-margin", "0s"}, "--refresh-margin"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		code, out, errOut := runCmd(t, map[string]string{}, append(append([]string{"serve"}, f.args()...), tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q with a hint", tc.args, code, out, errOut, tc.want)
		}
	}
	if f.emu.Calls() != 0 {
		t.Errorf("usage errors made %d calls", f.emu.Calls())
	}
	// The first session must work: exit 1 without serving.
	code, out, errOut := runCmd(t, map[string]string{}, append([]string{"serve", "--listen", "127.0.0.1:0"}, f.args("--role-arn", "arn:aws:iam::123456789012:role/other")...)...)
	if code != 1 || out != "" || !strings.Contains(errOut, "hint: ") {
		t.Errorf("failing first session: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// runCmd runs a command to completion with a hermetic environment.
func runCmd(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code := runEnv(e, args)
	return code, out.String(), errb.String()
}
