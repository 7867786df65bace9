package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// officialFlag is one flag of an official command, from its --help.
type officialFlag struct {
	name string
	typ  string // "string", "int", ... ; "" for a bool
}

var (
	helpCommandRE = regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s+\S`)
	helpFlagRE    = regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-z0-9-]+)(?: ([a-zA-Z0-9]+))?\s{2,}`)
)

// officialCommands reads the official helper's commands and their flags
// from its own --help output (cobra's layout).
func officialCommands(t *testing.T, bin string) map[string][]officialFlag {
	t.Helper()
	r := run(t, cleanEnv(t), bin, "--help")
	if r.code != 0 {
		t.Fatalf("aws_signing_helper --help:\n%s", r)
	}
	cmds := map[string][]officialFlag{}
	section := ""
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " ") {
			section = line
			continue
		}
		if m := helpCommandRE.FindStringSubmatch(line); m != nil && section == "Available Commands:" && m[1] != "help" {
			cmds[m[1]] = nil
		}
	}
	for c := range cmds {
		r := run(t, cleanEnv(t), bin, c, "--help")
		if r.code != 0 {
			t.Fatalf("aws_signing_helper %s --help:\n%s", c, r)
		}
		in := false
		for _, line := range strings.Split(r.stdout, "\n") {
			switch {
			case line == "Flags:":
				in = true
			case in && line == "":
				in = false
			case in:
				if m := helpFlagRE.FindStringSubmatch(line); m != nil && m[1] != "help" {
					cmds[c] = append(cmds[c], officialFlag{name: m[1], typ: m[2]})
				}
			}
		}
	}
	for _, want := range []string{"credential-process", "serve", "update", "sign-string", "read-certificate-data", "completion", "version"} {
		if _, ok := cmds[want]; !ok {
			t.Fatalf("the official --help lists no %q: the parser is broken (commands %v)", want, cmds)
		}
	}
	if len(cmds["credential-process"]) < 15 {
		t.Fatalf("only %d credential-process flags read from the official --help: the parser is broken", len(cmds["credential-process"]))
	}
	return cmds
}

// deliberateDifferences are the official flags ours refuses on purpose
// (exit 2 with a hint), as docs/drop-in.md's table of differences lists them.
var deliberateDifferences = map[string]string{
	"pkcs8-password":                  "a password on argv is readable by every local user",
	"tpm-key-password":                "a password on argv is readable by every local user",
	"pkcs11-lib":                      "PKCS#11",
	"reuse-pin":                       "PKCS#11",
	"cert-selector":                   "OS certificate stores",
	"system-store-name":               "OS certificate stores",
	"use-latest-expiring-certificate": "OS certificate stores",
}

// TestOfficialFlagsWalk is acceptance 1 of issue 11: every command and
// flag of the official helper's --help, given to ours, is known; each
// works (exit 0, with a valid value and the rest of a working command
// line against the emulator) or, for the deliberate differences only, is
// refused with exit 2, a message naming the flag and a hint.
func TestOfficialFlagsWalk(t *testing.T) {
	cmds := officialCommands(t, officialHelper(t))
	ours := ourBinary(t)
	s := newDeliverySetup(t)
	a, err := arn.Parse(s.e.srv.TrustAnchorARNs()[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	credsFile := filepath.Join(dir, "credentials")
	env := cleanEnv(t, "AWS_CA_BUNDLE="+s.ca, "AWS_SHARED_CREDENTIALS_FILE="+credsFile)
	const secret = "Walk-pw-Do-not-echo"
	values := map[string]string{
		"certificate":       s.p.files.Certificate,
		"private-key":       s.p.files.Key,
		"intermediates":     s.p.files.Chain,
		"endpoint":          s.e.URL(),
		"trust-anchor-arn":  s.e.srv.TrustAnchorARNs()[0],
		"profile-arn":       s.e.srv.ProfileARNs()[0],
		"role-arn":          s.e.srv.RoleARNs()[0],
		"region":            a.Region,
		"session-duration":  "900",
		"role-session-name": "interop-walk",
		"profile":           "walk",
		"digest":            "SHA384",
		"format":            "text",
		"port":              "1338",
		"hop-limit":         "64",
	}
	// base is a working command line of ours for each command; serve,
	// which does not return, is asked for --help after the flag (the
	// parser refuses an unknown flag before it sees --help).
	base := map[string][]string{
		"credential-process":    s.flags,
		"update":                append([]string{"--once", "--profile", "walk"}, s.flags...),
		"serve":                 s.flags,
		"sign-string":           {"--private-key", s.p.files.Key},
		"read-certificate-data": {"--certificate", s.p.files.Certificate},
		"version":               nil,
		"completion":            {"bash"},
	}
	for c, flags := range cmds {
		b, ok := base[c]
		if !ok {
			t.Errorf("official command %q: this test has no command line for it (add one)", c)
			continue
		}
		// The command alone, with its working flags.
		tail := []string(nil)
		if c == "serve" {
			tail = []string{"--help"}
		}
		if r := run(t, env, ours, append(append([]string{c}, b...), tail...)...); r.code != 0 {
			t.Errorf("%s: exit %d with a working command line:\n%s", c, r.code, r)
			continue
		}
		for _, f := range flags {
			t.Run(c+" --"+f.name, func(t *testing.T) {
				args := append([]string{c}, b...)
				if f.typ != "" {
					v, ok := values[f.name]
					if _, refused := deliberateDifferences[f.name]; refused {
						v, ok = secret, true
					}
					if !ok {
						t.Fatalf("no valid value for --%s %s in this test (add one)", f.name, f.typ)
					}
					args = append(args, "--"+f.name, v)
				} else {
					args = append(args, "--"+f.name)
				}
				r := run(t, env, ours, append(args, tail...)...)
				if strings.Contains(r.stderr, "unknown flag") || strings.Contains(r.stderr, "unknown command") {
					t.Fatalf("ours does not know it:\n%s", r)
				}
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("the value appears in the output")
				}
				if _, refused := deliberateDifferences[f.name]; refused {
					if r.code == 0 {
						return // works (e.g. once TPM keys are read)
					}
					if r.code != 2 || !strings.Contains(r.stderr, "--"+f.name) || !strings.Contains(r.stderr, "\nhint: ") {
						t.Errorf("a deliberate difference must be refused with exit 2, naming the flag, with a hint:\n%s", r)
					}
					return
				}
				if r.code != 0 {
					t.Errorf("exit %d, want 0 (the flag works with the same meaning):\n%s", r.code, r)
				}
			})
		}
	}
	// completion's shells: powershell is a deliberate difference.
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := run(t, env, ours, "completion", sh)
		switch {
		case sh == "powershell" && (r.code != 2 || !strings.Contains(r.stderr, "\nhint: ")):
			t.Errorf("completion powershell: want exit 2 with a hint:\n%s", r)
		case sh != "powershell" && r.code != 0:
			t.Errorf("completion %s:\n%s", sh, r)
		}
	}
	// The differences of this test are the docs' (docs/drop-in.md).
	readme, err := os.ReadFile(filepath.Join("..", "docs", "drop-in.md"))
	if err != nil {
		t.Fatal(err)
	}
	for f := range deliberateDifferences {
		if !strings.Contains(string(readme), "`--"+f+"`") {
			t.Errorf("docs/drop-in.md's differences table does not list --%s", f)
		}
	}
}

// freePort is a loopback TCP port nobody listens on (a race with other
// programs is possible but harmless here: the test then fails to start).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestServePortAWSCLI is part of acceptance 2 of issue 11: `serve --port
// N`, as systemd units written for the official helper start it, answers
// IMDSv2 on 127.0.0.1:N, and the AWS CLI reads the credentials there.
func TestServePortAWSCLI(t *testing.T) {
	awsCLI := awsCLIv2(t)
	s := newDeliverySetup(t)
	port := freePort(t)
	cmd := exec.Command(ourBinary(t), append([]string{"serve", "--port", strconv.Itoa(port), "--hop-limit", "64"}, s.flags...)...)
	cmd.Env = cleanEnv(t, "AWS_CA_BUNDLE="+s.ca)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	up := false
	for deadline := time.Now().Add(15 * time.Second); !up && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			up = true
		}
	}
	if !up {
		t.Fatalf("serve --port %d not listening:\n%s", port, hideSecrets(stderr.String()))
	}
	r := run(t, cleanEnv(t, "AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT="+base+"/"), awsCLI, "configure", "export-credentials", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws over IMDS on --port %d:\n%s", port, r)
	}
	creds := s.e.issuedCredentials(t)
	if len(creds) != 1 {
		t.Fatalf("emulator issued %d credential sets, want 1", len(creds))
	}
	assertSameCredentials(t, parseProcessOutput(t, r.stdout), creds[0])
	if !strings.Contains(stdout.String(), "AWS_EC2_METADATA_SERVICE_ENDPOINT="+base+"/") || !strings.Contains(stderr.String(), "(hop limit 64)") {
		t.Errorf("serve's output does not name the port and hop limit:\n%s\n%s", stdout.String(), hideSecrets(stderr.String()))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGTERM")
	}
}

// TestWeakSignatureRefusedOpenSSL: leaves that openssl signs with MD5 or
// SHA-1 are refused before any call (the emulator counts no call), with a
// hint; SHA-256 is accepted (the key-format table covers the others).
func TestWeakSignatureRefusedOpenSSL(t *testing.T) {
	ours := ourBinary(t)
	for _, digest := range []string{"md5", "sha1"} {
		t.Run(digest, func(t *testing.T) {
			id := newOpenSSLIdentity(t, []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, digest)
			r := run(t, cleanEnv(t), ours, "credential-process", "--certificate", filepath.Join(id.dir, "leaf.pem"), "--private-key", filepath.Join(id.dir, "key.pem"),
				"--intermediates", id.intermediate, "--endpoint", "http://127.0.0.1:1", "--no-cache",
				"--trust-anchor-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a", "--profile-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p", "--role-arn", "arn:aws:iam::123456789012:role/r")
			if r.code != 1 || !strings.Contains(r.stderr, "signed with a weak algorithm") || !strings.Contains(r.stderr, "\nhint: ") || strings.Contains(r.stderr, "127.0.0.1:1") {
				t.Errorf("%s-signed: want exit 1 before any call, naming the weak signature, with a hint:\n%s", digest, r)
			}
		})
	}
}
