package interop

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// emulatorProcess is `acme-signing-helper serve-emulator --tls` running as
// a child process, the way a user tries a set-up offline.
type emulatorProcess struct {
	url    string // https://127.0.0.1:PORT
	ca     string // the throwaway server CA (--ca-out), for AWS_CA_BUNDLE
	trail  string // --cloudtrail file
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error // receives Wait's result once
}

// startServeEmulator starts serve-emulator trusting the PEM file anchor and
// waits until it has written its URL.
func startServeEmulator(t *testing.T, anchor string, extra ...string) *emulatorProcess {
	t.Helper()
	ours := ourBinary(t)
	dir := t.TempDir()
	p := &emulatorProcess{ca: filepath.Join(dir, "ca.pem"), trail: filepath.Join(dir, "trail.jsonl"), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	addr := filepath.Join(dir, "addr")
	args := append([]string{"serve-emulator", "--anchor-cert", anchor, "--tls", "--ca-out", p.ca, "--addr-file", addr, "--cloudtrail", p.trail}, extra...)
	p.cmd = exec.Command(ours, args...)
	p.cmd.Env = cleanEnv(t)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start serve-emulator: %v", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
	})
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-p.done:
			t.Fatalf("serve-emulator exited before listening (%v):\n%s", err, p.stderr.Bytes())
		case <-deadline:
			t.Fatalf("serve-emulator wrote no URL to --addr-file within 30s:\n%s", p.stderr.Bytes())
		case <-tick.C:
		}
		b, err := os.ReadFile(addr)
		if u := strings.TrimSpace(string(b)); err == nil && strings.HasPrefix(u, "https://") {
			p.url = u
			return p
		}
	}
}

// stop sends SIGTERM and returns the exit error (nil for exit 0).
func (p *emulatorProcess) stop(t *testing.T) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signal serve-emulator: %v", err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("serve-emulator did not stop within 10s of SIGTERM:\n%s", p.stderr.Bytes())
		return nil
	}
}

// defaultARNFlags are the ARNs serve-emulator accepts when given none.
func defaultARNFlags() []string {
	r, a := emulator.DefaultRegion, emulator.DefaultAccountID
	return []string{
		"--trust-anchor-arn", emulator.DefaultTrustAnchorARN(r, a),
		"--profile-arn", emulator.DefaultProfileARN(r, a),
		"--role-arn", emulator.DefaultRoleARN(r, a),
	}
}

// TestOfficialHelperAgainstServeEmulator: the serve-emulator command, run
// as a user would, is accepted by the official helper over verified TLS
// (its throwaway CA as AWS_CA_BUNDLE), records the call, and stops cleanly
// on SIGTERM.
func TestOfficialHelperAgainstServeEmulator(t *testing.T) {
	official := officialHelper(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	argsFor := func(endpoint string) []string {
		return append([]string{"credential-process",
			"--certificate", p.files.Certificate, "--private-key", p.files.Key, "--intermediates", p.files.Chain,
			"--endpoint", endpoint}, defaultARNFlags()...)
	}
	emu := startServeEmulator(t, p.root)
	r := run(t, cleanEnv(t, "AWS_CA_BUNDLE="+emu.ca), official, argsFor(emu.url)...)
	if r.code != 0 {
		t.Fatalf("official helper against serve-emulator:\n%s\nserve-emulator stderr:\n%s", r, emu.stderr.Bytes())
	}
	parseProcessOutput(t, r.stdout)
	if err := emu.stop(t); err != nil {
		t.Errorf("serve-emulator exit after SIGTERM: %v, want 0\n%s", err, emu.stderr.Bytes())
	}
	trail, err := os.ReadFile(emu.trail)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(trail)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"userAgent":"CredHelper/`+OfficialHelperVersion) || strings.Contains(lines[0], `"errorCode"`) {
		t.Errorf("--cloudtrail: want one successful record of the official helper, got:\n%s", trail)
	}

	// Without the CA bundle the official helper refuses the throwaway
	// certificate: the success above was over verified TLS.
	emu2 := startServeEmulator(t, p.root)
	r = run(t, cleanEnv(t), official, argsFor(emu2.url)...)
	if r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("official helper without AWS_CA_BUNDLE: want a TLS certificate error, got:\n%s", r)
	}
}

// TestThrottlingRetried: serve-emulator --fault 429x2 answers two
// ThrottlingExceptions first; both the official helper and ours retry them
// (the SDK's standard retryer) and get credentials on the third attempt.
func TestThrottlingRetried(t *testing.T) {
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	for _, bin := range []string{officialHelper(t), ourBinary(t)} {
		t.Run(filepath.Base(bin), func(t *testing.T) {
			t.Parallel()
			emu := startServeEmulator(t, p.root, "--fault", "429x2")
			caPEM, err := os.ReadFile(emu.ca)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			if !roots.AppendCertsFromPEM(caPEM) {
				t.Fatalf("--ca-out %s holds no certificate", emu.ca)
			}
			px := newProxyTo(t, emu.url, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}})
			args := append([]string{"credential-process",
				"--certificate", p.files.Certificate, "--private-key", p.files.Key, "--intermediates", p.files.Chain,
				"--endpoint", px.URL(), "--no-verify-ssl"}, defaultARNFlags()...)
			r := run(t, cleanEnv(t), bin, args...)
			if r.code != 0 {
				t.Fatalf("after two throttles:\n%s", r)
			}
			parseProcessOutput(t, r.stdout)
			var got []string
			for _, x := range px.Exchanges() {
				got = append(got, strings.TrimSpace(http.StatusText(x.status)+" "+x.errorType))
			}
			want := []string{"Too Many Requests " + emulator.CodeThrottling, "Too Many Requests " + emulator.CodeThrottling, "Created"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("exchanges: got %q, want %q", got, want)
			}
		})
	}
}
