package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCredentialCacheCoversSDKRefreshWindow: a cached credential with 14
// minutes left is inside botocore's 15-minute refresh window (the AWS CLI
// v2's too), so the cache does not hand it out again: the second run makes
// a new session. With a 5-minute margin every SDK read in those minutes
// would get the same credential and start the helper again.
func TestCredentialCacheCoversSDKRefreshWindow(t *testing.T) {
	// The emulator's clock runs 46 minutes behind: an hour's session
	// expires 14 minutes from now.
	f := newDeliveryFixture(t, 46*time.Minute)
	args := append([]string{"credential-process", "--cache-dir", filepath.Join(t.TempDir(), "cache")}, f.args("--session-duration", "3600")...)
	for i := 0; i < 2; i++ {
		if code, _, errOut := runCmd(t, map[string]string{}, args...); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, errOut)
		}
	}
	if n := f.emu.Calls(); n != 2 {
		t.Errorf("calls = %d, want 2: a credential inside the SDKs' refresh window was served from the cache", n)
	}
	// A short session keeps most of its life in the cache: 900 s gives a
	// margin of 3m45s, so a fresh 15-minute credential is a hit.
	g := newDeliveryFixture(t, 0)
	args = append([]string{"credential-process", "--cache-dir", filepath.Join(t.TempDir(), "cache")}, g.args()...)
	for i := 0; i < 2; i++ {
		if code, _, errOut := runCmd(t, map[string]string{}, args...); code != 0 {
			t.Fatalf("short session, run %d: exit %d: %s", i, code, errOut)
		}
	}
	if n := g.emu.Calls(); n != 1 {
		t.Errorf("short session: calls = %d, want 1 (a cache hit)", n)
	}
}

// TestUpdateDefaultProfile: update without --profile writes the profile
// the SDKs use when none is named, [default].
func TestUpdateDefaultProfile(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	path := filepath.Join(t.TempDir(), "credentials")
	code, _, errOut := runCmd(t, map[string]string{}, append([]string{"update", "--once", "--credentials-file", path}, f.args()...)...)
	if code != 0 {
		t.Fatalf("update --once without --profile: exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "[default]\n") {
		t.Errorf("credentials file:\n%s\nwant a [default] profile", b)
	}
}

// TestWarningShape: warnings from the command's logger (slog) and those
// main prints itself come in one shape, "acme-signing-helper: warning:
// ...", never slog's "level=WARN msg=...".
func TestWarningShape(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(strings.NewReader(""), io.Discard, &buf)
	e.log.With("file", "seed.txt").Warn("seed file is readable by group or others", "mode", "0644")
	e.warnf("--no-verify-ssl: %s", "not verified")
	want := "acme-signing-helper: warning: seed file is readable by group or others (file=seed.txt mode=0644)\n" +
		"acme-signing-helper: warning: --no-verify-ssl: not verified\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	// A command's slog warning (simulate: a tag value the service drops).
	policy := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(policy, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, errOut := runCmd(t, map[string]string{}, "simulate", "--policy", policy, "--tag", "x509Subject/CN=a\x01b",
		"--session-name", "123456", "--source-arn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-000000000001")
	if !strings.Contains(errOut, "acme-signing-helper: warning: tag value fails the STS tag pattern") || strings.Contains(errOut, "level=WARN") {
		t.Errorf("simulate's warning:\n%s\nwant the shape 'acme-signing-helper: warning: ...'", errOut)
	}
}

// TestAWSConfigRelativeConfigPaths: relative paths in a --config file
// resolve against the file's directory, so the profile aws-config writes
// works from any directory.
func TestAWSConfigRelativeConfigPaths(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	rel := func(p string) string {
		r, err := filepath.Rel(f.dir, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	settings := filepath.Join(f.dir, "settings.env")
	body := "ACME_SIGNING_HELPER_CERTIFICATE=" + rel(f.files.Certificate) + "\nACME_SIGNING_HELPER_PRIVATE_KEY=" + rel(f.files.Key) +
		"\nACME_SIGNING_HELPER_INTERMEDIATES=" + rel(f.files.Chain) + "\nACME_SIGNING_HELPER_TRUST_ANCHOR_ARN=" + cpTA +
		"\nACME_SIGNING_HELPER_PROFILE_ARN=" + cpProfile + "\nACME_SIGNING_HELPER_ROLE_ARN=" + cpRole + "\nACME_SIGNING_HELPER_ENDPOINT=" + f.url + "\n"
	if err := os.WriteFile(settings, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, map[string]string{}, "aws-config", "--profile", "p", "--binary", "/bin/acme-signing-helper", "--config", settings, "--no-cache")
	if code != 0 {
		t.Fatalf("aws-config: exit %d: %s", code, errOut)
	}
	_, line, ok := strings.Cut(out, "credential_process = ")
	if !ok {
		t.Fatalf("no credential_process line in %q", out)
	}
	argv := strings.Fields(line)
	for _, a := range argv {
		if strings.HasSuffix(a, ".env") && !filepath.IsAbs(a) {
			t.Errorf("aws-config wrote a relative path %q", a)
		}
	}
	// The test runs in the package directory, not the settings' one.
	if code, _, errOut := runCmd(t, map[string]string{}, argv[1:]...); code != 0 {
		t.Errorf("%s: exit %d: %s", line, code, errOut)
	}
}

// TestUnknownSettingWarnings: an unknown ACME_SIGNING_HELPER_* key in a
// --config file or the environment is named with the closest known name;
// unknown flags and commands get "did you mean"; --version and -v are
// version.
func TestUnknownSettingWarnings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "settings.env")
	if err := os.WriteFile(cfg, []byte("AWS_REGION=eu-west-2\nACME_SIGNING_HELPER_TRUST_ANCHOR=x\nACME_SIGNING_HELPER_LISTEN=127.0.0.1:9911\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	vars := map[string]string{"ACME_SIGNING_HELPER_PROFIL_ARN": "y"}
	e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	e.environ = func() []string { return []string{"ACME_SIGNING_HELPER_PROFIL_ARN=y", "HOME=/root"} }
	runEnv(e, []string{"credential-process", "--config", cfg})
	for _, want := range []string{
		`acme-signing-helper: warning: config file "` + cfg + `" line 2: unknown setting ACME_SIGNING_HELPER_TRUST_ANCHOR (did you mean ACME_SIGNING_HELPER_TRUST_ANCHOR_ARN?)`,
		"acme-signing-helper: warning: unknown environment variable ACME_SIGNING_HELPER_PROFIL_ARN (did you mean ACME_SIGNING_HELPER_PROFILE_ARN?)",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	// serve's --listen in a shared file, and AWS_REGION, are no mistakes.
	if strings.Contains(errb.String(), "LISTEN") || strings.Contains(errb.String(), "AWS_REGION") {
		t.Errorf("warned about a known setting:\n%s", errb.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"credential-process", "--certficate", "x"}, "hint: did you mean --certificate?"},
		{[]string{"credentail-process"}, "hint: did you mean 'credential-process'?"},
		{[]string{"totp", "cod"}, "hint: did you mean 'code'?"},
		{[]string{"trust-policy", "rol"}, "hint: did you mean 'role'?"},
	} {
		if code, _, errOut := runCmd(t, map[string]string{}, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	_, want, _ := runCmd(t, map[string]string{}, "version")
	for _, flag := range []string{"--version", "-v"} {
		if code, got, errOut := runCmd(t, map[string]string{}, flag); code != 0 || got != want || got == "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want version's %q", flag, code, got, errOut, want)
		}
	}
}

// TestRegionRefusedBeforeCall: --region other than the ARNs' region is a
// usage error with a hint, and no request reaches the endpoint.
func TestRegionRefusedBeforeCall(t *testing.T) {
	f := newDeliveryFixture(t, 0)
	code, out, errOut := runCmd(t, map[string]string{}, append([]string{"credential-process", "--no-cache"}, f.args("--region", "eu-west-2")...)...)
	if code != 2 || out != "" || !strings.Contains(errOut, "signing region eu-west-2") || !strings.Contains(errOut, "hint: drop --region") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2, the regions and a hint", code, out, errOut)
	}
	if n := f.emu.Requests(); n != 0 {
		t.Errorf("%d requests reached the endpoint, want 0", n)
	}
}

// TestTOTPNowAlias: --now is oathtool's name for --at.
func TestTOTPNowAlias(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.txt")
	if err := os.WriteFile(seed, []byte("3132333435363738393031323334353637383930\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"code"} {
		_, want, errAt := runCmd(t, map[string]string{}, "totp", cmd, "--seed-file", seed, "--at", "@59")
		code, got, errOut := runCmd(t, map[string]string{}, "totp", cmd, "--seed-file", seed, "--now", "@59")
		if code != 0 || got != want || want != "287082\n" {
			t.Errorf("totp %s --now @59: exit %d, %q (%s); --at: %q (%s); want RFC 6238's 287082", cmd, code, got, errOut, want, errAt)
		}
	}
	if code, out, errOut := runCmd(t, map[string]string{}, "totp", "verify", "--seed-file", seed, "--now", "@59", "287082"); code != 0 {
		t.Errorf("totp verify --now: exit %d, %q, %s", code, out, errOut)
	}
}
