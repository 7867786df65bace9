package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

func TestTOTPSessionFlagsValidate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		roleName string
		want     string // "" for valid
	}{
		{"none", nil, "", ""},
		{"none with a role session name", nil, "fixed", ""},
		{"one file", []string{"--fingerprint", "file:/opt/monkey.jpg"}, "", ""},
		{"several, 8 digits", []string{"--fingerprint", "machine-id", "--fingerprint", "hostname", "--totp-digits", "8"}, "", ""},
		{"with role session name", []string{"--fingerprint", "hostname"}, "fixed", "exclude each other"},
		{"digits without fingerprint", []string{"--totp-digits", "8"}, "", "--totp-digits needs --fingerprint"},
		{"digits 5", []string{"--fingerprint", "hostname", "--totp-digits", "5"}, "", "--totp-digits 5"},
		{"digits 9", []string{"--fingerprint", "hostname", "--totp-digits", "9"}, "", "--totp-digits 9"},
		{"digits 0", []string{"--fingerprint", "hostname", "--totp-digits", "0"}, "", "--totp-digits 0"},
		{"bad spec", []string{"--fingerprint", "cpu"}, "", `invalid fingerprint spec "cpu"`},
		{"duplicate", []string{"--fingerprint", "hostname", "--fingerprint", "hostname"}, "", "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv(nil)
			var f totpSessionFlags
			fs := newFlagSet(e, "credential-process", "")
			f.addFlags(fs)
			if err := parseFlags(e, fs, tt.args); err != nil {
				t.Fatal(err)
			}
			err := f.validate("credential-process", tt.roleName)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) || hintOf(err) == "" {
				t.Fatalf("got %v, want a usage error with a hint containing %q", err, tt.want)
			}
		})
	}
}

func TestTOTPSessionName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "monkey.jpg")
	if err := os.WriteFile(p, []byte("monkey"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, _, errb := testEnv(map[string]string{"ACME_SIGNING_HELPER_FINGERPRINT": "file:" + p})
	var f totpSessionFlags
	fs := newFlagSet(e, "credential-process", "")
	f.addFlags(fs)
	if err := parseFlags(e, fs, []string{"--debug", "--totp-digits", "7"}); err != nil {
		t.Fatal(err)
	}
	if err := f.validate("credential-process", ""); err != nil {
		t.Fatal(err)
	}
	name, err := f.sessionName(e)
	if err != nil || name == nil {
		t.Fatalf("sessionName: %v", err)
	}
	// The code is the one of the signing time passed in, not of the clock.
	k, _ := totp.DeriveKeyFromSpecs(nil, []string{"file:" + p})
	for _, unix := range []int64{59, 1795290582, 1795290599, 1795290600} {
		at := time.Unix(unix, 0)
		want, _ := totp.Code(k, at, totp.Options{Digits: 7})
		got, err := name(at)
		if err != nil || got != want {
			t.Errorf("at %d: got %q, %v; want %s", unix, got, err, want)
		}
		if strings.Contains(errb.String(), want) {
			t.Errorf("debug output contains the code %s:\n%s", want, errb)
		}
	}
	if strings.Contains(errb.String(), k.Hex()) || !strings.Contains(errb.String(), "level=DEBUG") {
		t.Errorf("debug output leaks the seed or is missing:\n%s", errb)
	}
	// No --fingerprint: no callback, no error.
	var none totpSessionFlags
	if cb, err := none.sessionName(e); cb != nil || err != nil {
		t.Errorf("without --fingerprint: %v, %v", cb != nil, err)
	}
	// A missing source is an error at prepare time, before any signing.
	bad := totpSessionFlags{fingerprints: []string{"file:" + filepath.Join(dir, "missing")}, digits: 6}
	if _, err := bad.sessionName(e); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing source: %v", err)
	}
}
