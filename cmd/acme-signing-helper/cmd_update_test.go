package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

const otherProfiles = `# ~/.aws/credentials, kept by hand
[default]
aws_access_key_id = AKIAEXAMPLEDEFAULT
aws_secret_access_key = default-secret

; the dev account
[dev]
aws_access_key_id=AKIAEXAMPLEDEV
aws_secret_access_key=dev-secret
region = eu-west-2

# prod: read only
[prod]   # trailing comment
aws_access_key_id = AKIAEXAMPLEPROD
aws_secret_access_key = prod-secret
`

func TestUpdateOnceKeepsOtherProfiles(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	path := filepath.Join(f.dir, "credentials")
	if err := os.WriteFile(path, []byte(otherProfiles), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}
	for i := 1; i <= 2; i++ {
		code, out, errOut := runCmd(t, vars, append([]string{"update", "--once", "--debug", "--profile", "acme"}, f.args()...)...)
		if code != 0 || out != "" {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", i, code, out, errOut)
		}
		b, _ := os.ReadFile(path)
		got := string(b)
		if !strings.HasPrefix(got, otherProfiles+"\n[acme]\n") {
			t.Fatalf("run %d: other profiles changed:\n%s", i, got)
		}
		rest := strings.TrimPrefix(got, otherProfiles+"\n[acme]\n")
		lines := strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "aws_access_key_id = ASIA") || !strings.HasPrefix(lines[1], "aws_secret_access_key = ") ||
			!strings.HasPrefix(lines[2], "aws_session_token = ") || !strings.HasPrefix(lines[3], "x_expiration = ") {
			t.Fatalf("run %d: profile section:\n%s", i, rest)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o, want 0600", st.Mode().Perm())
		}
		if strings.Contains(errOut, strings.TrimPrefix(lines[1], "aws_secret_access_key = ")) || strings.Contains(errOut, strings.TrimPrefix(lines[2], "aws_session_token = ")) {
			t.Errorf("a secret appears on stderr")
		}
	}
	if n := f.emu.Calls(); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}

// TestUpdateExitsWhenExpired: every refresh fails; update keeps the last
// good credentials in the file and exits 1 only when they expire.
func TestUpdateExitsWhenExpired(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 4 s")
	}
	const life = 4 * time.Second
	f := newDeliveryFixture(t, 900*time.Second-life)
	path := filepath.Join(f.dir, "credentials")
	vars := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}
	start := time.Now()
	_, stderr, _, done, code := startCommand(t, vars, append([]string{"update", "--profile", "acme"}, f.args()...)...)
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
		if *code != 1 {
			t.Errorf("exit code = %d, want 1", *code)
		}
		if el := time.Since(start); el < life-time.Second {
			t.Errorf("gave up after %s, before the credentials expired (%s)", el, life)
		}
	case <-time.After(life + 10*time.Second):
		t.Fatal("update did not exit after the credentials expired")
	}
	if got, _ := os.ReadFile(path); string(got) != string(first) {
		t.Errorf("file changed after failed refreshes:\n%s\nwas\n%s", got, first)
	}
	for _, want := range []string{"refresh failed; keeping the last good credentials", "credentials expired and refresh failed", "hint: "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestUpdateValidate(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", ""}, "--profile \"\" is not a profile name"},
		{[]string{"--profile", "a b"}, "--profile \"a b\""},
		{[]string{"--profile", "[x]"}, "--profile \"[x]\""},
		{[]string{"--profile", "p", "--refresh-margin", "0s"}, "--refresh-margin"},
		{[]string{"--profile", "p", "--refresh-margin", "20m"}, "not shorter than the session"},
		{[]string{"--profile", "p", "--private-key-password", "x"}, "not accepted as flag values"},
	} {
		code, out, errOut := runCmd(t, map[string]string{}, append(append([]string{"update"}, f.args()...), tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q with a hint", tc.args, code, out, errOut, tc.want)
		}
	}
	// An unreachable endpoint with --once: exit 1, file untouched.
	path := filepath.Join(f.dir, "credentials")
	os.WriteFile(path, []byte(otherProfiles), 0o600)
	args := append([]string{"update", "--once", "--profile", "p"}, f.args()...)
	args = append(args, "--endpoint", "http://127.0.0.1:1", "--timeout", "2s")
	code, out, errOut := runCmd(t, map[string]string{"AWS_SHARED_CREDENTIALS_FILE": path}, args...)
	if code != 1 || out != "" || !strings.Contains(errOut, "hint: ") {
		t.Errorf("unreachable: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got, _ := os.ReadFile(path); string(got) != otherProfiles {
		t.Errorf("file changed by a failed update:\n%s", got)
	}
}
