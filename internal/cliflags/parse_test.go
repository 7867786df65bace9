package cliflags

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cli"
)

func TestNew(t *testing.T) {
	var out bytes.Buffer
	fs := New(&out, "prog", "P_", "greet", "[flags] NAME\n\nPrint a greeting.")
	fs.String("name", "", "greet `NAME`")
	if err := fs.Parse([]string{"--help"}); !errors.Is(err, pflag.ErrHelp) {
		t.Fatalf("got %v, want pflag.ErrHelp", err)
	}
	help := out.String()
	for _, want := range []string{"usage: prog greet [flags] NAME\n", "\nflags:\n      --name NAME", "\nother:\n      --config FILE", "P_* names", "--debug"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

// TestParse: flag > environment > config file (named by --config or its
// variable); mistakes are usage errors with a fix.
func TestParse(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "app.env")
	if err := os.WriteFile(cfg, []byte("P_REGION=eu-west-2\nP_COUNT=3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("no equals sign\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		region  string
		wantErr string
		wantFix string
	}{
		{"config flag", []string{"--config", cfg}, nil, "eu-west-2", "", ""},
		{"config variable", nil, map[string]string{"P_CONFIG": cfg}, "eu-west-2", "", ""},
		{"env beats config", []string{"--config", cfg}, map[string]string{"P_REGION": "us-east-1"}, "us-east-1", "", ""},
		{"flag beats env", []string{"--region", "ap-south-1"}, map[string]string{"P_REGION": "us-east-1"}, "ap-south-1", "", ""},
		{"mistyped flag", []string{"--regin", "x"}, nil, "", "cmd: unknown flag: --regin", "did you mean --region? run 'prog cmd --help' for its flags"},
		{"missing config", []string{"--config", filepath.Join(dir, "nope.env")}, nil, "", "read config file", "check the --config path (or P_CONFIG)"},
		{"malformed config", []string{"--config", bad}, nil, "", "want KEY=VALUE", "write one P_NAME=value setting per line"},
		{"bad value", nil, map[string]string{"P_COUNT": "many"}, "", "environment variable P_COUNT", "give P_COUNT a valid value for --count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := New(&bytes.Buffer{}, "prog", "P_", "cmd", "")
			region := fs.String("region", "", "`REGION`")
			fs.Int("count", 0, "`N`")
			s := Sources{Prefix: "P_", LookupEnv: func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }, Extra: []string{"P_CONFIG"}, Warn: func(w string) { t.Errorf("warning: %s", w) }}
			err := Parse(fs, tc.args, "prog", s)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if *region != tc.region {
					t.Errorf("--region: got %q, want %q", *region, tc.region)
				}
				return
			}
			var ue *cli.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) || ue.Fix != tc.wantFix {
				t.Errorf("got %v (%T %+v), want a usage error %q with fix %q", err, err, ue, tc.wantErr, tc.wantFix)
			}
		})
	}
}
