package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

// shlexSplit is Python's shlex.split in POSIX mode (what the AWS CLI uses
// for credential_process), enough for the words shellWord makes.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("no escaped character")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("no closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("no closing quotation")
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// sdkINIValue is what aws-sdk-go-v2's INI reader makes of a property value:
// it cuts " #", " ;", "\t#", "\t;" comments and strips surrounding quotes.
func sdkINIValue(v string) string {
	for _, c := range []string{" #", " ;", "\t#", "\t;"} {
		v, _, _ = strings.Cut(v, c)
	}
	v = strings.TrimRight(v, " \t")
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		v = v[1 : len(v)-1]
	}
	return v
}

// shSplit runs the line through /bin/sh the way the SDKs do (sh -c) and
// returns the words it got.
func shSplit(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `printf '%s\0' `+line).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

var awkwardWords = []string{
	"plain", "/etc/lego/certificates/host.example.com.crt", "with space", "/opt/my tools/acme-signing-helper",
	`it's`, `say "hi"`, `$HOME`, "`id`", `back\slash`, "a #comment", "a ;semi", "#start", ";start", "tab\there",
	"!bang", "*glob?[x]", "~tilde", "a&b|c>d<e", "(paren)", "{brace}", "ümlaut dir", "--flag=value with space", "", "'", `"`,
	"arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/9fc0e3fb",
}

func TestShellWordRoundTrip(t *testing.T) {
	havePython := exec.Command("python3", "-c", "import shlex").Run() == nil
	var pyLines, pyWant []string
	for _, w := range awkwardWords {
		for _, first := range []bool{true, false} {
			if first && w == "" {
				continue
			}
			argv := []string{"/usr/bin/acme-signing-helper", "credential-process", w}
			if first {
				argv = []string{w, "credential-process", w}
			}
			line, err := credentials.CredentialProcessLine(argv)
			if err != nil {
				t.Fatalf("%q: %v", w, err)
			}
			if v := sdkINIValue(line); v != line {
				t.Errorf("%q: the SDK's INI reader changes the line %q to %q", w, line, v)
			}
			if got, err := shlexSplit(line); err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", argv) {
				t.Errorf("%q: shlex reads %q as %q (%v)", w, line, got, err)
			}
			if got := shSplit(t, line); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", argv) {
				t.Errorf("%q: sh -c reads %q as %q", w, line, got)
			}
			pyLines, pyWant = append(pyLines, line), append(pyWant, strings.Join(argv, "\x00"))
		}
	}
	// The AWS CLI's own splitter: Python's shlex.split, one process for
	// every line.
	if havePython {
		cmd := exec.Command("python3", "-c", "import shlex,sys\nfor l in sys.stdin.read().split('\\0'): sys.stdout.write('\\0'.join(shlex.split(l))+'\\n')")
		cmd.Stdin = strings.NewReader(strings.Join(pyLines, "\x00"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("python3 shlex: %v", err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(got) != len(pyWant) {
			t.Fatalf("python3 returned %d lines for %d", len(got), len(pyWant))
		}
		for i := range got {
			if got[i] != pyWant[i] {
				t.Errorf("python shlex reads %q as %q", pyLines[i], strings.Split(got[i], "\x00"))
			}
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("python3 (the AWS CLI's shlex) is required in CI")
	} else {
		t.Log("python3 not found: shlex checked with the Go port only")
	}
	// Readable where possible: double quotes for plain spaces.
	if w, _ := credentials.ShellWord("/a b/c", false); w != `"/a b/c"` {
		t.Errorf("credentials.ShellWord(/a b/c) = %s", w)
	}
	if w, _ := credentials.ShellWord("/a b/c", true); w != `/a\ b/c` {
		t.Errorf("first credentials.ShellWord(/a b/c) = %s", w)
	}
	for _, bad := range []string{"a\nb", "a\rb", "a\x00b"} {
		if _, err := credentials.ShellWord(bad, false); err == nil {
			t.Errorf("credentials.ShellWord(%q): no error", bad)
		}
	}
}

func FuzzShellWord(f *testing.F) {
	for _, w := range awkwardWords {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		for _, first := range []bool{true, false} {
			line, err := credentials.ShellWord(w, first)
			if strings.ContainsAny(w, "\n\r\x00") || first && w == "" {
				if err == nil {
					t.Fatalf("%q accepted", w)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			line = "x " + line + " y"
			if first {
				line, _ = credentials.ShellWord(w, true)
				line += " y"
			}
			if v := sdkINIValue(line); v != line {
				t.Fatalf("%q: INI reader changes %q to %q", w, line, v)
			}
			got, err := shlexSplit(line)
			want := []string{"x", w, "y"}
			if first {
				want = []string{w, "y"}
			}
			if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
				t.Fatalf("%q: shlex reads %q as %q (%v)", w, line, got, err)
			}
		}
	})
}

func TestAWSConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("my certs", 0o700)
	base := []string{"aws-config", "--profile", "acme", "--binary", "/opt/my tools/acme-signing-helper",
		"--certificate", "my certs/leaf.pem", "--private-key", "my certs/key.pem",
		"--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole}
	code, out, errOut := runCmd(t, map[string]string{envName("session-duration"): "1800"}, base...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "[profile acme]" || !strings.HasPrefix(lines[1], "credential_process = ") {
		t.Fatalf("output:\n%s", out)
	}
	words, err := shlexSplit(strings.TrimPrefix(lines[1], "credential_process = "))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/opt/my tools/acme-signing-helper", "credential-process",
		"--certificate", filepath.Join(dir, "my certs/leaf.pem"), "--private-key", filepath.Join(dir, "my certs/key.pem"),
		"--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole, "--session-duration", "1800"}
	if fmt.Sprintf("%q", words) != fmt.Sprintf("%q", want) {
		t.Errorf("words:\n%q\nwant\n%q", words, want)
	}

	// --config: the line passes the file and the command-line flags only.
	cfg := filepath.Join(dir, "helper.env")
	os.WriteFile(cfg, []byte("ACME_SIGNING_HELPER_ACME_DIR=/etc/lego\nACME_SIGNING_HELPER_DOMAIN=h.example.com\nACME_SIGNING_HELPER_TRUST_ANCHOR_ARN="+cpTA+"\nACME_SIGNING_HELPER_PROFILE_ARN="+cpProfile+"\nACME_SIGNING_HELPER_ROLE_ARN="+cpRole+"\n"), 0o644)
	code, out, errOut = runCmd(t, nil, "aws-config", "--profile", "default", "--binary", "/usr/bin/ash", "--config", "helper.env", "--fingerprint", "file:monkey.jpg", "--no-cache")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wantOut := "[default]\ncredential_process = /usr/bin/ash credential-process --config " + cfg + " --fingerprint file:" + filepath.Join(dir, "monkey.jpg") + " --no-cache\n"
	if out != wantOut {
		t.Errorf("got\n%s\nwant\n%s", out, wantOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"aws-config", "--certificate", "a", "--private-key", "b", "--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole}, `--profile "" is not a profile name`},
		{[]string{"aws-config", "--profile", "a b", "--certificate", "a", "--private-key", "b", "--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole}, `--profile "a b"`},
		{[]string{"aws-config", "--profile", "p", "--certificate", "a", "--private-key", "b"}, "--trust-anchor-arn is required"},
		{[]string{"aws-config", "--profile", "p", "--certificate", "a\nb", "--private-key", "b", "--trust-anchor-arn", cpTA, "--profile-arn", cpProfile, "--role-arn", cpRole}, "line break"},
		{[]string{"aws-config", "--profile", "p", "--bogus"}, "unknown flag: --bogus"},
	} {
		code, out, errOut := runCmd(t, nil, tc.args...)
		if code == 0 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q with a hint", tc.args[1:], code, out, errOut, tc.want)
		}
	}
}
