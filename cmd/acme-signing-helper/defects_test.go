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
