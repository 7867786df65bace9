package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	return e, &out, &errb
}

func TestParseFlagsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "helper.env")
	if err := os.WriteFile(cfg, []byte(`# settings
ACME_SIGNING_HELPER_REGION=eu-west-2
ACME_SIGNING_HELPER_ROLE_ARN="arn:aws:iam::123456789012:role/from config"
ACME_SIGNING_HELPER_DOMAIN='quoted.example.com'
; another comment
export ACME_SIGNING_HELPER_VERBOSE=true
AWS_REGION=ignored-1
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want map[string]string
	}{
		{"config only", []string{"--config", cfg}, nil,
			map[string]string{"region": "eu-west-2", "role-arn": "arn:aws:iam::123456789012:role/from config", "domain": "quoted.example.com", "verbose": "true"}},
		{"env beats config", []string{"--config", cfg}, map[string]string{"ACME_SIGNING_HELPER_REGION": "us-east-1"},
			map[string]string{"region": "us-east-1", "domain": "quoted.example.com"}},
		{"flag beats env", []string{"--config", cfg, "--region", "ap-south-1"}, map[string]string{"ACME_SIGNING_HELPER_REGION": "us-east-1"},
			map[string]string{"region": "ap-south-1"}},
		{"config from env var", nil, map[string]string{"ACME_SIGNING_HELPER_CONFIG": cfg},
			map[string]string{"region": "eu-west-2"}},
		{"nothing set", nil, nil, map[string]string{"region": "", "verbose": "false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv(tt.vars)
			fs := newFlagSet(e, "x", "")
			fs.String("region", "", "")
			fs.String("role-arn", "", "")
			fs.String("domain", "", "")
			fs.Bool("verbose", false, "")
			if err := parseFlags(e, fs, tt.args); err != nil {
				t.Fatalf("parseFlags: %v", err)
			}
			for k, want := range tt.want {
				if got := fs.Lookup(k).Value.String(); got != want {
					t.Errorf("--%s: got %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestParseFlagsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.env")
	os.WriteFile(bad, []byte("ACME_SIGNING_HELPER_COUNT=3\nno equals sign\n"), 0o600)
	badValue := filepath.Join(dir, "badvalue.env")
	os.WriteFile(badValue, []byte("ACME_SIGNING_HELPER_COUNT=three\n"), 0o600)
	tests := []struct {
		name    string
		args    []string
		vars    map[string]string
		wantErr string
	}{
		{"unknown flag", []string{"--nope"}, nil, "unknown flag: --nope"},
		{"missing config", []string{"--config", filepath.Join(dir, "missing.env")}, nil, "read config file"},
		{"malformed config line", []string{"--config", bad}, nil, `line 2: want KEY=VALUE`},
		{"bad env value", nil, map[string]string{"ACME_SIGNING_HELPER_COUNT": "x"}, "environment variable ACME_SIGNING_HELPER_COUNT"},
		{"bad config value", []string{"--config", badValue}, nil, "ACME_SIGNING_HELPER_COUNT in config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := testEnv(tt.vars)
			fs := newFlagSet(e, "x", "")
			fs.Int("count", 0, "")
			err := parseFlags(e, fs, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
			}
			if report(e, err) != 2 {
				t.Errorf("exit code: got %d, want 2", report(e, err))
			}
			if hintOf(err) == "" {
				t.Errorf("no hint for %v", err)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"help"}, 0},
		{[]string{"version"}, 0},
		{[]string{"version", "--help"}, 0},
		{[]string{"version", "x"}, 2},
		{[]string{"no-such-command"}, 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e, _, _ := testEnv(nil)
			if got := runEnv(e, tt.args); got != tt.code {
				t.Errorf("got %d, want %d", got, tt.code)
			}
		})
	}
}

func TestHintOfPrefersInnermost(t *testing.T) {
	inner := withHint(os.ErrNotExist, "inner hint")
	outer := withHint(inner, "outer hint")
	if got := hintOf(outer); got != "inner hint" {
		t.Errorf("got %q, want %q", got, "inner hint")
	}
}
