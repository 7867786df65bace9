package cliflags

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/envfile"
)

func newSet() (*pflag.FlagSet, *string, *string, *[]string) {
	fs := pflag.NewFlagSet("cmd", pflag.ContinueOnError)
	cert := fs.String("certificate", "", "certificate `FILE`")
	region := fs.String("region", "", "signing `REGION`")
	fp := fs.StringArray("fingerprint", nil, "fingerprint `SPEC`")
	fs.Int("session-duration", 3600, "session duration in `SECONDS`")
	return fs, cert, region, fp
}

// TestFill: flag > environment > config file; relative paths of the file
// resolve against its directory; unknown names are warned about with the
// closest known one; a bad value names its source.
func TestFill(t *testing.T) {
	fs, cert, region, fp := newSet()
	if err := fs.Parse([]string{"--region", "eu-west-2"}); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	env := map[string]string{"P_REGION": "us-east-1", "P_CERTIFICAT": "x"}
	s := Sources{
		Prefix:     "P_",
		LookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ:    func() []string { return []string{"P_REGION=us-east-1", "P_CERTIFICAT=x", "HOME=/"} },
		ConfigPath: filepath.Join("/etc", "app", "settings.env"),
		Config: []envfile.Setting{{Key: "P_CERTIFICATE", Value: "pki/leaf.pem", Line: 1}, {Key: "P_FINGERPRINT", Value: "file:id", Line: 2},
			{Key: "P_LISTEN", Value: "x", Line: 3}, {Key: "P_PASSWORD", Value: "s", Line: 4}, {Key: "OTHER", Value: "y", Line: 5}},
		Extra: []string{"P_PASSWORD"},
		Names: func() []string { return []string{"P_LISTEN"} },
		Warn:  func(w string) { warnings = append(warnings, w) },
	}
	if err := Fill(fs, s); err != nil {
		t.Fatal(err)
	}
	if *region != "eu-west-2" || *cert != filepath.Join("/etc", "app", "pki", "leaf.pem") || len(*fp) != 1 || (*fp)[0] != "file:"+filepath.Join("/etc", "app", "id") {
		t.Errorf("region %q, certificate %q, fingerprint %q", *region, *cert, *fp)
	}
	want := []string{"unknown environment variable P_CERTIFICAT (did you mean P_CERTIFICATE?)"}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
	fs, _, _, _ = newSet()
	env = map[string]string{"P_SESSION_DURATION": "long"}
	err := Fill(fs, Sources{Prefix: "P_", LookupEnv: s.LookupEnv, Warn: s.Warn})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Key != "P_SESSION_DURATION" || ve.Flag != "session-duration" || !strings.HasPrefix(err.Error(), "environment variable P_SESSION_DURATION: ") {
		t.Errorf("bad value: %v", err)
	}
}

func TestPrintHelp(t *testing.T) {
	fs, _, _, _ := newSet()
	fs.Bool("debug", false, "log details")
	fs.String("pkcs11-lib", "", "not supported: `VALUE`")
	SetGroup(fs, "request", "region", "session-duration")
	SetGroup(fs, Other, "debug")
	SetGroup(fs, Unsupported, "pkcs11-lib")
	var b strings.Builder
	PrintHelp(&b, "prog", fs, "[flags] PATH\n\nDo the thing.\n")
	got := b.String()
	for _, want := range []string{"usage: prog cmd [flags] PATH\n\nDo the thing.\n\nflags:\n", "\nrequest:\n      --region REGION", "\nother:\n      --debug", "\nnot supported (PKCS#11, TPM, certificate stores): --pkcs11-lib\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "request:") > strings.Index(got, "other:") {
		t.Errorf("other: is not last:\n%s", got)
	}
}

func TestClosestFlag(t *testing.T) {
	fs, _, _, _ := newSet()
	err := fs.Parse([]string{"--certficate", "x"})
	if got := ClosestFlag(fs, err); got != "certificate" {
		t.Errorf("ClosestFlag(%v) = %q", err, got)
	}
}
