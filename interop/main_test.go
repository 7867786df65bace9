package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// OfficialHelperVersion is the aws_signing_helper release the tests build
// from the module cache (pinned in go.mod).
const OfficialHelperVersion = "1.7.3"

// bins holds the binaries TestMain builds once per run. A build error is
// kept and reported by every test that needs the binary, so one broken
// build does not hide the results of the other tests.
var bins struct {
	dir         string
	official    string // aws_signing_helper v1.7.3, built with cgo
	officialErr error
	ours        string // acme-signing-helper, built with CGO_ENABLED=0
	oursErr     error
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "acme-signing-helper-interop-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: make binary directory: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bins.dir = dir
	bins.official = filepath.Join(dir, "aws_signing_helper")
	bins.ours = filepath.Join(dir, "acme-signing-helper")

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		// The official helper's main package is its module root; it
		// needs cgo (PKCS#11). Built with its own go.mod (go install
		// MODULE@VERSION), not this module's: its TPM code needs the
		// go-tpm v0.3.3 API it pins, and this module's graph has the
		// v0.9.6 our tpm package uses.
		// The -X sets what `version` prints and the User-Agent, as the
		// release Makefile does.
		bins.officialErr = goInstall(dir, []string{"CGO_ENABLED=1"}, bins.official, "github.com/aws/rolesanywhere-credential-helper@v"+OfficialHelperVersion,
			"-ldflags=-X github.com/aws/rolesanywhere-credential-helper/cmd.Version="+OfficialHelperVersion)
	}()
	go func() {
		defer wg.Done()
		// Ours is built in the main module exactly as a user would:
		// CGO_ENABLED=0 proves it needs no C toolchain.
		bins.oursErr = goBuild("..", []string{"CGO_ENABLED=0"}, bins.ours, "./cmd/acme-signing-helper")
	}()
	wg.Wait()
	return m.Run()
}

// goTool returns the go command that runs this test.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(build.Default.GOROOT, "bin", "go")
}

func goBuild(dir string, env []string, out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command(goTool(), append(args, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s (in %s): %w\n%s", pkg, dir, err, stderr.String())
	}
	return nil
}

// goInstall builds pkg@version in module mode with that module's own
// go.mod into out (through GOBIN, a fresh directory below dir).
func goInstall(dir string, env []string, out, pkgAtVersion string, flags ...string) error {
	gobin, err := os.MkdirTemp(dir, "gobin-")
	if err != nil {
		return err
	}
	args := append([]string{"install"}, flags...)
	cmd := exec.Command(goTool(), append(args, pkgAtVersion)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(env, "GOBIN="+gobin, "GOFLAGS=-buildvcs=false")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s: %w\n%s", pkgAtVersion, err, stderr.String())
	}
	name := strings.TrimSuffix(filepath.Base(strings.Split(pkgAtVersion, "@")[0]), ".exe")
	return os.Rename(filepath.Join(gobin, name), out)
}

// officialHelper returns the path of the official aws_signing_helper.
func officialHelper(t *testing.T) string {
	t.Helper()
	if bins.officialErr != nil {
		t.Fatalf("build aws_signing_helper v%s: %v", OfficialHelperVersion, bins.officialErr)
	}
	return bins.official
}

// ourBinary returns the path of acme-signing-helper.
func ourBinary(t *testing.T) string {
	t.Helper()
	if bins.oursErr != nil {
		t.Fatalf("build acme-signing-helper: %v", bins.oursErr)
	}
	return bins.ours
}

// inCI reports whether the tests run in CI, where a missing peer is a
// failure and not a skip.
func inCI() bool {
	return os.Getenv("CI") != ""
}

// missingPeer fails the test under CI and skips it elsewhere.
func missingPeer(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("missing peer (CI is set, so this fails): %s", msg)
	}
	t.Skipf("missing peer: %s (set CI=true to make this a failure)", msg)
}

// awsCLI is the result of the search for AWS CLI v2, done once per run
// (every `aws --version` starts a Python interpreter).
var awsCLI struct {
	once sync.Once
	path string
	seen []string
}

// awsCLIv2 returns the path of an AWS CLI v2. Debian's package (awscli
// 2.9.x in bookworm) installs /usr/bin/aws; an "aws" earlier on PATH may be
// a v1 (pyenv shim) without `configure export-credentials`, so each
// candidate's --version is checked.
func awsCLIv2(t *testing.T) string {
	t.Helper()
	awsCLI.once.Do(func() {
		candidates := []string{"/usr/bin/aws"}
		if p, err := exec.LookPath("aws"); err == nil && p != candidates[0] {
			candidates = append(candidates, p)
		}
		for _, c := range candidates {
			out, err := exec.Command(c, "--version").CombinedOutput()
			if err != nil {
				awsCLI.seen = append(awsCLI.seen, fmt.Sprintf("%s: %v", c, err))
				continue
			}
			v := strings.TrimSpace(string(out))
			if strings.HasPrefix(v, "aws-cli/2.") {
				awsCLI.path = c
				return
			}
			awsCLI.seen = append(awsCLI.seen, fmt.Sprintf("%s: %s", c, v))
		}
	})
	if awsCLI.path == "" {
		missingPeer(t, "AWS CLI v2 (Debian package awscli): tried %s", strings.Join(awsCLI.seen, "; "))
	}
	return awsCLI.path
}

// cleanEnv is the whole environment of a child process: PATH, a fresh HOME
// and cache directory, no AWS_* variable of the machine, no proxy, plus
// extra. Nothing of the developer's AWS set-up can leak in.
func cleanEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"TMPDIR=" + t.TempDir(),
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	return append(env, extra...)
}

// result is what a child process did.
type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// String describes the run for a failure message, with the values of
// SecretAccessKey and SessionToken (JSON or ini style) hidden.
func (r result) String() string {
	return fmt.Sprintf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", r.code, r.elapsed.Round(time.Millisecond), hideSecrets(r.stdout), hideSecrets(r.stderr))
}

var secretValue = regexp.MustCompile(`(?i)("?(?:SecretAccessKey|SessionToken|secret_access_key|session_token|Token)"?\s*[:=]\s*"?)[^",\s]+`)

// hideSecrets replaces the values of secret fields in s.
func hideSecrets(s string) string {
	return secretValue.ReplaceAllString(s, "${1}<redacted>")
}

// run runs a program with env as its whole environment and no stdin. It
// fails the test when the program cannot be started or does not end within
// a minute; a non-zero exit is returned, not judged.
func run(t *testing.T, env []string, prog string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run %s: %v\n%s", filepath.Base(prog), err, r)
	}
	return r
}

// processCredentials is the credential_process document.
type processCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// parseProcessOutput checks that stdout is exactly one credential_process
// JSON object with every field set and an expiry in the future.
func parseProcessOutput(t *testing.T, stdout string) processCredentials {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var c processCredentials
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("stdout is not a credential_process document: %v\nstdout: %q", err, stdout)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		t.Fatalf("stdout holds more than one JSON value: %q", stdout)
	}
	if c.Version != 1 {
		t.Errorf("Version: got %d, want 1", c.Version)
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" {
		t.Errorf("empty credential field in %q", redact(stdout, c))
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil {
		t.Errorf("Expiration %q: %v", c.Expiration, err)
	} else if !exp.After(time.Now()) {
		t.Errorf("Expiration %v is not in the future", exp)
	}
	return c
}

// redact hides the secret parts of c in s, for failure messages.
func redact(s string, c processCredentials) string {
	for _, secret := range []string{c.SecretAccessKey, c.SessionToken} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	return s
}
