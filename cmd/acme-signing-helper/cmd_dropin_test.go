package main

import (
	"crypto/x509"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestPasswordFlagsRefused: a key password on the command line, under our
// old name or the official helper's, is refused with exit 2 by every
// command that loads a key, naming the command and the flag and never the
// value.
func TestPasswordFlagsRefused(t *testing.T) {
	const secret = "Sekr1t-pw-value"
	for _, cmd := range []string{"credential-process", "update", "serve", "sign-string", "doctor"} {
		for _, flag := range passwordFlags {
			for _, form := range [][]string{{"--" + flag, secret}, {"--" + flag + "=" + secret}} {
				t.Run(cmd+" "+form[0], func(t *testing.T) {
					code, out, errOut := runCmd(t, nil, append([]string{cmd, "--certificate", "c.pem"}, form...)...)
					if code != 2 {
						t.Errorf("exit %d, want 2", code)
					}
					if strings.Contains(out+errOut, secret) {
						t.Errorf("the password appears in the output: %q %q", out, errOut)
					}
					if !strings.Contains(errOut, cmd+": --"+flag+": key passwords are not accepted") {
						t.Errorf("stderr does not name the command and the flag: %q", errOut)
					}
					fileFlag, envVar := "--private-key-password-file", envKeyPassword
					if flag == "tpm-key-password" { // a TPM key's password has its own file flag and variable
						fileFlag, envVar = "--tpm-key-password-file", envTPMPassword
					}
					if !strings.Contains(errOut, "hint: ") || !strings.Contains(errOut, fileFlag) || !strings.Contains(errOut, envVar) {
						t.Errorf("stderr has no hint naming the file flag and the variable: %q", errOut)
					}
				})
			}
		}
	}
	// After "--" nothing is a flag.
	if err := rejectPasswordFlag("serve", []string{"--", "--pkcs8-password=x"}); err != nil {
		t.Errorf("after --: %v", err)
	}
}

// TestServePortFlag: --port's default is the port of the default --listen
// (the table of --listen and --port moved with the rule to
// credentials.ServeOptions.Check, see credentials/serveoptions_test.go).
func TestServePortFlag(t *testing.T) {
	if _, p, _ := net.SplitHostPort(credentials.DefaultAddr); p != strconv.Itoa(defaultPort) {
		t.Fatalf("DefaultAddr %s, defaultPort %d: they must agree", credentials.DefaultAddr, defaultPort)
	}
}

// TestUpdateRetryErrorsOutlivesExpiry: with --retry-errors, update does not
// exit when the credentials expire without a renewal; it keeps retrying
// until stopped.
func TestUpdateRetryErrorsOutlivesExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 6 s")
	}
	const life = 3 * time.Second
	f := newDeliveryFixture(t, 900*time.Second-life)
	path := filepath.Join(f.dir, "credentials")
	vars := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}
	_, stderr, stop, done, _ := startCommand(t, vars, append([]string{"update", "--retry-errors", "--profile", "acme"}, f.args()...)...)
	var first []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(first) == 0; time.Sleep(10 * time.Millisecond) {
		first, _ = os.ReadFile(path)
	}
	if len(first) == 0 {
		t.Fatalf("no credentials written: %s", stderr.String())
	}
	f.emu.InjectFault(emulator.Fault{Status: 500, Count: -1})
	select {
	case <-done:
		t.Fatalf("update exited although --retry-errors: %s", stderr.String())
	case <-time.After(life + 3*time.Second):
	}
	if !strings.Contains(stderr.String(), "credentials expired; refresh keeps failing") {
		t.Errorf("no sign of retrying past expiry:\n%s", stderr.String())
	}
	// The test cancels the parent context (not a signal): the exit code
	// is not that of a SIGTERM stop, so only the stopping is checked.
	stop()
}

func TestUpdateOnceExcludesRetryErrors(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	code, _, errOut := runCmd(t, map[string]string{}, append([]string{"update", "--once", "--retry-errors", "--profile", "p"}, f.args()...)...)
	if code != 2 || !strings.Contains(errOut, "--once and --retry-errors exclude each other") || !strings.Contains(errOut, "hint: ") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCredentialProcessPKCS12Alone: as the official helper, a .p12
// --certificate needs no --private-key; with its password from the
// environment, it gets credentials from the emulator.
func TestCredentialProcessPKCS12Alone(t *testing.T) {
	dir := t.TempDir()
	h, _ := plainPKI(t, dir, testpki.Options{})
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { emu.Close(); srv.Close() })
	pfx, err := pkcs12.Modern2023.Encode(h.Leaf.Key, h.Leaf.Cert, h.Chain(), "p12-pw")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "id.pfx")
	if err := os.WriteFile(p, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"credential-process", "--certificate", p, "--no-cache", "--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole, "--endpoint", srv.URL}
	code, out, errOut := runCmd(t, map[string]string{envKeyPassword: "p12-pw"}, args...)
	if code != 0 || !strings.Contains(out, `"AccessKeyId":"ASIA`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A PEM certificate alone is still refused before any call.
	code, _, errOut = runCmd(t, nil, append([]string{"credential-process", "--certificate", filepath.Join(dir, "leaf.pem")}, args[3:]...)...)
	if code != 2 || !strings.Contains(errOut, "--private-key is required") {
		t.Errorf("PEM alone: exit %d, stderr %q", code, errOut)
	}
}
