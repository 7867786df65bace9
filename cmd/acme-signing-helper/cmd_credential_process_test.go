package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

var (
	cpTA      = emulator.DefaultTrustAnchorARN(emulator.DefaultRegion, emulator.DefaultAccountID)
	cpProfile = emulator.DefaultProfileARN(emulator.DefaultRegion, emulator.DefaultAccountID)
	cpRole    = emulator.DefaultRoleARN(emulator.DefaultRegion, emulator.DefaultAccountID)
)

// cpEmulator starts the verifying emulator trusting anchors.
func cpEmulator(t *testing.T, anchors ...*x509.Certificate) (*emulator.Server, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{AnchorCerts: anchors})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	return emu, srv.URL
}

// runCP runs credential-process with a hermetic environment (vars only).
func runCP(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	// Hermetic: only vars, plus a private cache directory and --no-cache
	// (these tests are about one CreateSession per run).
	all := map[string]string{"XDG_CACHE_HOME": t.TempDir(), envName("no-cache"): "true"}
	for k, v := range vars {
		all[k] = v
	}
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.lookupEnv = func(k string) (string, bool) { v, ok := all[k]; return v, ok }
	code := runEnv(e, append([]string{"credential-process"}, args...))
	return code, out.String(), errb.String()
}

func arnArgs(endpoint string) []string {
	return []string{"--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole, "--endpoint", endpoint, "--retry-max-backoff", "1ms", "--timeout", "10s"}
}

type processJSON struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// parseOutput checks stdout is exactly one credential_process object.
func parseOutput(t *testing.T, stdout string) processJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var p processJSON
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if dec.More() || !strings.HasSuffix(stdout, "}\n") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not exactly one JSON object and a newline: %q", stdout)
	}
	if p.Version != 1 || p.AccessKeyID == "" || p.SecretAccessKey == "" || p.SessionToken == "" {
		t.Fatalf("incomplete credentials in %q", stdout)
	}
	if _, err := time.Parse(time.RFC3339, p.Expiration); err != nil {
		t.Fatalf("expiration: %v", err)
	}
	return p
}

func TestCredentialProcessValidate(t *testing.T) {
	// Start from the flag defaults, so flags added later keep theirs.
	base := func() credentialProcessOptions {
		var o credentialProcessOptions
		o.addFlags(pflag.NewFlagSet("test", pflag.ContinueOnError))
		o.certificate, o.privateKey = "c.pem", "k.pem"
		o.trustAnchorARN, o.profileARN, o.roleARN = cpTA, cpProfile, cpRole
		return o
	}
	tests := []struct {
		name string
		mod  func(o *credentialProcessOptions)
		want string // "" for valid
	}{
		{"explicit", func(o *credentialProcessOptions) {}, ""},
		{"acme dir", func(o *credentialProcessOptions) {
			o.certificate, o.privateKey, o.acmeDir, o.domain = "", "", "/etc/lego", "h"
		}, ""},
		{"both sources", func(o *credentialProcessOptions) { o.acmeDir, o.domain = "/etc/lego", "h" }, "exclude each other"},
		{"acme dir without domain", func(o *credentialProcessOptions) { o.certificate, o.privateKey, o.acmeDir = "", "", "/etc/lego" }, "go together"},
		{"domain without acme dir", func(o *credentialProcessOptions) { o.certificate, o.privateKey, o.domain = "", "", "h" }, "go together"},
		{"no certificate", func(o *credentialProcessOptions) { o.certificate = "" }, "--certificate is required"},
		{"no key", func(o *credentialProcessOptions) { o.privateKey = "" }, "--private-key is required"},
		{"no trust anchor", func(o *credentialProcessOptions) { o.trustAnchorARN = "" }, "--trust-anchor-arn is required"},
		{"no profile", func(o *credentialProcessOptions) { o.profileARN = "" }, "--profile-arn is required"},
		{"no role", func(o *credentialProcessOptions) { o.roleARN = "" }, "--role-arn is required"},
		{"pkcs11 key", func(o *credentialProcessOptions) { o.privateKey = "pkcs11:token=x" }, "PKCS#11"},
		{"unsupported flag", func(o *credentialProcessOptions) { o.unsupported = []string{"--reuse-pin"} }, "--reuse-pin not supported"},
		{"duration", func(o *credentialProcessOptions) { o.sessionDuration = 100 }, "session duration out of range"},
		{"timeout", func(o *credentialProcessOptions) { o.timeout = 0 }, "--timeout"},
		{"computed name and flag", func(o *credentialProcessOptions) {
			o.roleSessionName = "x1"
			o.sessionName = func(time.Time) (string, error) { return "123456", nil }
		}, "exclude each other"},
		{"region mismatch", func(o *credentialProcessOptions) {
			o.profileARN = strings.Replace(cpProfile, "us-east-1", "eu-west-1", 1)
		}, "different regions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base()
			tt.mod(&o)
			err := o.validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var ue *usageError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ue) || hintOf(err) == "" {
				t.Fatalf("got %v, want a usage error with a hint containing %q", err, tt.want)
			}
		})
	}
}

// TestCredentialProcessEmulator gets credentials from the verifying
// emulator for each way of naming the files (acceptance 3).
func TestCredentialProcessEmulator(t *testing.T) {
	type setup struct {
		args []string
		vars map[string]string
	}
	tests := []struct {
		name  string
		kt    testpki.KeyType
		ints  int
		write func(t *testing.T, h *testpki.Hierarchy, dir string) setup
	}{
		{"explicit leaf and intermediates, ECDSA", testpki.ECDSAP256, 2, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			f, err := h.WritePlain(dir)
			if err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--certificate", f.Certificate, "--private-key", f.Key, "--intermediates", f.Chain}}
		}},
		{"explicit leaf and intermediates, RSA", testpki.RSA2048, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			f, err := h.WritePlain(dir)
			if err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--certificate", f.Certificate, "--private-key", f.Key, "--intermediates", f.Chain}}
		}},
		{"lego full-chain crt", testpki.ECDSAP384, 2, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			f, err := h.WriteLego(dir, "host.example.com")
			if err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--certificate", f.Certificate, "--private-key", f.Key}}
		}},
		{"acme-dir lego RSA", testpki.RSA3072, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			if _, err := h.WriteLego(dir, "host.example.com"); err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--acme-dir", dir, "--domain", "host.example.com"}}
		}},
		{"acme-dir certbot", testpki.ECDSAP256, 2, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			if _, err := h.WriteCertbot(dir, "host.example.com"); err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--acme-dir", dir, "--domain", "host.example.com"}}
		}},
		{"acme-dir acme.sh ECDSA", testpki.ECDSAP256, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			if _, err := h.WriteAcmeSh(dir, "host.example.com"); err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--acme-dir", dir, "--domain", "host.example.com"}}
		}},
		{"acme-dir acme.sh RSA", testpki.RSA2048, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			if _, err := h.WriteAcmeSh(dir, "host.example.com"); err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--acme-dir", dir, "--domain", "host.example.com"}}
		}},
		{"encrypted PKCS#8, password file", testpki.ECDSAP256, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			f, err := h.WritePlain(dir)
			if err != nil {
				t.Fatal(err)
			}
			writeEncryptedKey(t, h, f.Key, "correct horse")
			pw := filepath.Join(dir, "pw")
			if err := os.WriteFile(pw, []byte("correct horse\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return setup{args: []string{"--certificate", f.FullChain, "--private-key", f.Key, "--private-key-password-file", pw}}
		}},
		{"encrypted PKCS#8 RSA, password env", testpki.RSA2048, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			f, err := h.WritePlain(dir)
			if err != nil {
				t.Fatal(err)
			}
			writeEncryptedKey(t, h, f.Key, "battery staple")
			return setup{args: []string{"--certificate", f.Certificate, "--private-key", f.Key, "--intermediates", f.Chain},
				vars: map[string]string{envKeyPassword: "battery staple"}}
		}},
		{"everything from the environment", testpki.ECDSAP256, 1, func(t *testing.T, h *testpki.Hierarchy, dir string) setup {
			if _, err := h.WriteLego(dir, "*.example.com"); err != nil {
				t.Fatal(err)
			}
			return setup{vars: map[string]string{envName("acme-dir"): dir, envName("domain"): "*.example.com"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := testpki.New(testpki.Options{Intermediates: tt.ints, Leaf: testpki.LeafOptions{KeyType: tt.kt}})
			if err != nil {
				t.Fatal(err)
			}
			emu, url := cpEmulator(t, h.Root.Cert)
			s := tt.write(t, h, t.TempDir())
			code, stdout, stderr := runCP(t, s.vars, append(s.args, arnArgs(url)...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("unexpected stderr %q", stderr)
			}
			parseOutput(t, stdout)
			acc, ok := emu.LastAccepted()
			if !ok || !acc.Leaf.Equal(h.Leaf.Cert) {
				t.Fatal("emulator did not accept our leaf")
			}
			var want []string
			for _, c := range h.Chain() {
				want = append(want, base64.StdEncoding.EncodeToString(c.Raw))
			}
			if acc.ChainHeader != strings.Join(want, ",") {
				t.Errorf("X-Amz-X509-Chain has %d certificates, want the %d intermediates issuer first", len(acc.Chain), len(want))
			}
		})
	}
}

func writeEncryptedKey(t *testing.T, h *testpki.Hierarchy, path, password string) {
	t.Helper()
	b, err := testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCredentialProcessFaults injects the emulator's faults (acceptance 5).
func TestCredentialProcessFaults(t *testing.T) {
	h, f := plainPKI(t, t.TempDir(), testpki.Options{})
	files := []string{"--certificate", f.FullChain, "--private-key", f.Key}
	tests := []struct {
		name     string
		fault    string
		extra    []string
		code     int
		stderr   string
		maxTime  time.Duration
		requests int
	}{
		{"429 then success", "429", nil, 0, "", 0, 2},
		{"429 twice then success", "429x2", nil, 0, "", 0, 3},
		{"503 then success", "503", nil, 0, "", 0, 2},
		{"persistent 500", "500x*", nil, 1, "HTTP 500", 0, 3},
		{"persistent throttling", "429x*", nil, 1, "throttled", 0, 3},
		{"truncated response", "truncatex*", nil, 1, "create session:", 0, 0},
		{"hung endpoint", "hangx*", []string{"--timeout", "700ms"}, 1, "timed out", 5 * time.Second, 0},
		{"clock skew", "skew=-10mx*", nil, 1, "clock", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, url := cpEmulator(t, h.Root.Cert)
			fault, err := emulator.ParseFault(tt.fault)
			if err != nil {
				t.Fatal(err)
			}
			emu.InjectFault(fault)
			start := time.Now()
			code, stdout, stderr := runCP(t, nil, append(append(files, arnArgs(url)...), tt.extra...)...)
			took := time.Since(start)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.code == 0 {
				parseOutput(t, stdout)
			} else {
				if stdout != "" {
					t.Errorf("stdout %q, want empty", stdout)
				}
				if !strings.Contains(stderr, tt.stderr) || !strings.Contains(stderr, "\nhint: ") {
					t.Errorf("stderr %q, want %q and a hint", stderr, tt.stderr)
				}
			}
			if tt.maxTime != 0 && took > tt.maxTime {
				t.Errorf("took %v, want under %v", took, tt.maxTime)
			}
			if tt.requests != 0 && emu.Requests() != tt.requests {
				t.Errorf("emulator saw %d requests, want %d", emu.Requests(), tt.requests)
			}
		})
	}
}

// TestCredentialProcessBadInput runs bad input through the CLI: each case
// exits non-zero (1 or 2) with a hint and prints nothing on stdout
// (acceptance 6).
func TestCredentialProcessBadInput(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pki := func(name string, o testpki.Options) testpki.Files {
		_, f := plainPKI(t, filepath.Join(dir, name), o)
		return f
	}
	good := pki("good", testpki.Options{})
	other := pki("other", testpki.Options{})
	expired := pki("expired", testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)}})
	future := pki("future", testpki.Options{Leaf: testpki.LeafOptions{NotBefore: now.Add(48 * time.Hour)}})
	caLeaf := pki("ca", testpki.Options{Leaf: testpki.LeafOptions{IsCA: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}})
	noDS := pki("nods", testpki.Options{Leaf: testpki.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment, KeyType: testpki.RSA2048}})
	ed := pki("ed", testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.Ed25519}})
	rsa1024 := pki("rsa1024", testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.RSA1024}})
	p224 := pki("p224", testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.ECDSAP224}})
	long := pki("long", testpki.Options{Intermediates: 6})
	garbage := write("garbage.pem", []byte("not a certificate\n"))
	encH, encF := plainPKI(t, filepath.Join(dir, "enc"), testpki.Options{})
	writeEncryptedKey(t, encH, encF.Key, "s3cr3t-pw")
	wrongPW := write("wrong-pw", []byte("not-the-password\n"))

	arns := []string{"--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole}
	// Nothing listens here: a case that reached the network would fail
	// differently (and the ones below must fail before any call).
	endpoint := []string{"--endpoint", "http://127.0.0.1:1", "--timeout", "2s"}
	with := func(f testpki.Files, extra ...string) []string {
		return append(append(append([]string{"--certificate", f.Certificate, "--private-key", f.Key, "--intermediates", f.Chain}, arns...), endpoint...), extra...)
	}
	replaceArg := func(args []string, flag, value string) []string {
		out := append([]string(nil), args...)
		for i := range out {
			if out[i] == flag {
				out[i+1] = value
			}
		}
		return out
	}
	goodArgs := with(good)
	tests := []struct {
		name   string
		args   []string
		vars   map[string]string
		code   int
		stderr string
	}{
		{"missing certificate file", replaceArg(goodArgs, "--certificate", filepath.Join(dir, "nope.pem")), nil, 1, "no such file"},
		{"missing key file", replaceArg(goodArgs, "--private-key", filepath.Join(dir, "nope.key")), nil, 1, "no such file"},
		{"missing intermediates file", replaceArg(goodArgs, "--intermediates", filepath.Join(dir, "nope-chain.pem")), nil, 1, "no such file"},
		{"certificate is a directory", replaceArg(goodArgs, "--certificate", dir), nil, 1, "read certificate"},
		{"garbage certificate PEM", replaceArg(goodArgs, "--certificate", garbage), nil, 1, "no usable certificate"},
		{"garbage key PEM", replaceArg(goodArgs, "--private-key", garbage), nil, 1, "no usable private key"},
		{"wrong key", replaceArg(goodArgs, "--private-key", other.Key), nil, 1, "does not match"},
		{"CA certificate as leaf", with(caLeaf), nil, 1, "CA certificate"},
		{"expired", with(expired), nil, 1, "expired on"},
		{"not yet valid", with(future), nil, 1, "not valid yet"},
		{"no digitalSignature", with(noDS), nil, 1, "digitalSignature"},
		{"Ed25519 key", with(ed), nil, 1, "Ed25519"},
		{"RSA 1024", with(rsa1024), nil, 1, "RSA 1024 bits"},
		{"P-224", with(p224), nil, 1, "P-224"},
		{"six intermediates", with(long), nil, 1, "too many intermediate"},
		{"encrypted key without password", with(encF), nil, 1, "encrypted and no password"},
		{"encrypted key wrong password", with(encF, "--private-key-password-file", wrongPW), nil, 1, "wrong password"},
		{"missing password file", with(encF, "--private-key-password-file", filepath.Join(dir, "nope-pw")), nil, 1, "password-file"},
		{"password as a flag", with(encF, "--private-key-password=s3cr3t-pw"), nil, 2, "not accepted as flag values"},
		{"acme-dir with no layout", append(append([]string{"--acme-dir", dir, "--domain", "missing.example.com"}, arns...), endpoint...), nil, 1, "tried"},
		{"malformed trust anchor ARN", replaceArg(goodArgs, "--trust-anchor-arn", "not-an-arn"), nil, 2, "invalid ARN"},
		{"trust anchor ARN of a profile", replaceArg(goodArgs, "--trust-anchor-arn", cpProfile), nil, 2, "trust-anchor/ID"},
		{"wrong-service role ARN", replaceArg(goodArgs, "--role-arn", "arn:aws:sts::123456789012:assumed-role/x/y"), nil, 2, "service \"sts\""},
		{"mismatched regions", replaceArg(goodArgs, "--profile-arn", strings.Replace(cpProfile, "us-east-1", "eu-west-2", 1)), nil, 2, "different regions"},
		{"duration too short", with(good, "--session-duration", "899"), nil, 2, "out of range"},
		{"duration too long", with(good, "--session-duration", "43201"), nil, 2, "out of range"},
		{"duration not a number", with(good, "--session-duration", "1h"), nil, 2, "invalid argument"},
		{"bad session name", with(good, "--role-session-name", "has space"), nil, 2, "session name"},
		{"unknown flag", with(good, "--frobnicate"), nil, 2, "unknown flag: --frobnicate"},
		{"PKCS#11 flag", with(good, "--pkcs11-lib", "/usr/lib/softhsm.so"), nil, 2, "--pkcs11-lib not supported"},
		{"TPM flag from env", goodArgs, map[string]string{envName("tpm-key-password"): "x"}, 2, "--tpm-key-password not supported"},
		{"PKCS#11 URI", replaceArg(goodArgs, "--private-key", "pkcs11:token=t;object=k"), nil, 2, "PKCS#11"},
		{"cert and acme-dir", with(good, "--acme-dir", dir, "--domain", "h"), nil, 2, "exclude each other"},
		{"no certificate", append(append([]string{}, arns...), endpoint...), nil, 2, "--certificate is required"},
		{"no role", with(good, "--role-arn", ""), nil, 2, "--role-arn is required"},
		{"positional argument", with(good, "extra"), nil, 2, "unexpected argument"},
		{"bad timeout", with(good, "--timeout", "0s"), nil, 2, "--timeout"},
		{"unreachable endpoint", goodArgs, nil, 1, "cannot reach"},
	}
	if len(tests) < 25 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCP(t, tt.vars, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want empty", stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
			if !strings.Contains(stderr, "\nhint: ") {
				t.Errorf("stderr %q has no hint line", stderr)
			}
			if strings.Contains(stderr, "s3cr3t-pw") || strings.Contains(stderr, "not-the-password") {
				t.Errorf("stderr shows a password: %q", stderr)
			}
		})
	}
}

// TestCredentialProcessDebugKeepsSecrets runs with --debug and checks that
// stderr holds none of the private key, password, secret key or session
// token, while it does name the layout.
func TestCredentialProcessDebugKeepsSecrets(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			h, err := testpki.New(testpki.Options{Leaf: testpki.LeafOptions{KeyType: kt}})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			f, err := h.WriteLego(dir, "host.example.com")
			if err != nil {
				t.Fatal(err)
			}
			const password = "Tr0ub4dor&3-debug"
			writeEncryptedKey(t, h, f.Key, password)
			emu, url := cpEmulator(t, h.Root.Cert)
			emu.InjectFault(emulator.Fault{Status: 429}) // a retry is logged too
			code, stdout, stderr := runCP(t, map[string]string{envKeyPassword: password},
				append([]string{"--debug", "--acme-dir", dir, "--domain", "host.example.com", "--role-session-name", "sess-name-42"}, arnArgs(url)...)...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			p := parseOutput(t, stdout)
			if !strings.Contains(stderr, "layout=lego") || !strings.Contains(stderr, "attempt=2") {
				t.Errorf("debug output lacks the layout or the retry:\n%s", stderr)
			}
			der, err := x509.MarshalPKCS8PrivateKey(h.Leaf.Key)
			if err != nil {
				t.Fatal(err)
			}
			keyPEM, err := testpki.KeyPEM(h.Leaf.Key, testpki.PKCS8)
			if err != nil {
				t.Fatal(err)
			}
			keyB64 := strings.Split(string(keyPEM), "\n")[1] // first base64 line
			secrets := map[string]string{
				"secret access key":     p.SecretAccessKey,
				"session token":         p.SessionToken,
				"key password":          password,
				"private key PEM":       keyB64,
				"private key DER (b64)": base64.StdEncoding.EncodeToString(der)[:40],
				"session name":          "sess-name-42",
			}
			for what, s := range secrets {
				if strings.Contains(stderr, s) {
					t.Errorf("--debug output contains the %s", what)
				}
			}
			if strings.Contains(stderr, "PRIVATE KEY") {
				t.Error("--debug output contains a PEM key header")
			}
		})
	}
}

// TestCredentialProcessContextCancel checks a cancelled caller context ends
// the call as a failure with empty stdout.
func TestCredentialProcessContextCancel(t *testing.T) {
	h, f := plainPKI(t, t.TempDir(), testpki.Options{})
	emu, url := cpEmulator(t, h.Root.Cert)
	emu.InjectFault(emulator.Fault{Hang: true, Count: -1})
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	noCache := map[string]string{"XDG_CACHE_HOME": t.TempDir(), envName("no-cache"): "true"}
	e.lookupEnv = func(k string) (string, bool) { v, ok := noCache[k]; return v, ok }
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	e.ctx = ctx
	code := runEnv(e, append([]string{"credential-process", "--certificate", f.FullChain, "--private-key", f.Key}, arnArgs(url)...))
	if code != 1 || out.Len() != 0 {
		t.Fatalf("exit %d stdout %q, want 1 and empty", code, out.String())
	}
	if !strings.Contains(errb.String(), "timed out") {
		t.Errorf("stderr %q", errb.String())
	}
}

// TestCredentialProcessTLS: the endpoint's CA from AWS_CA_BUNDLE, refusal
// of an unknown CA, and --no-verify-ssl with its warning.
func TestCredentialProcessTLS(t *testing.T) {
	dir := t.TempDir()
	h, f := plainPKI(t, dir, testpki.Options{})
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := emulator.NewServerTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(emu)
	srv.TLS = st.Config
	srv.StartTLS()
	t.Cleanup(func() { emu.Close(); srv.Close() })
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, st.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--certificate", f.FullChain, "--private-key", f.Key}, arnArgs(srv.URL)...)
	tests := []struct {
		name   string
		vars   map[string]string
		extra  []string
		code   int
		stderr string
	}{
		{"CA bundle", map[string]string{"AWS_CA_BUNDLE": bundle}, nil, 0, ""},
		{"unknown CA", nil, nil, 1, "certificate signed by unknown authority"},
		{"no-verify-ssl", nil, []string{"--no-verify-ssl"}, 0, "warning: --no-verify-ssl"},
		{"missing CA bundle", map[string]string{"AWS_CA_BUNDLE": filepath.Join(dir, "nope.pem")}, nil, 1, "read AWS_CA_BUNDLE"},
		{"CA bundle without certificates", map[string]string{"AWS_CA_BUNDLE": f.Key}, nil, 1, "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCP(t, tt.vars, append(args, tt.extra...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
			if code == 0 {
				parseOutput(t, stdout)
			} else if stdout != "" || !strings.Contains(stderr, "\nhint: ") {
				t.Errorf("stdout %q, stderr %q: want empty stdout and a hint", stdout, stderr)
			}
		})
	}
}
