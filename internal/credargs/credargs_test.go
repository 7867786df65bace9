package credargs

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flagSets are a command's flags parsed from the command line alone
// (given) and with more settings layered in (all), as from the
// environment or a --config file.
func flagSets(t *testing.T, args []string, layered map[string]string) (given, all *pflag.FlagSet) {
	t.Helper()
	build := func() *pflag.FlagSet {
		fs := pflag.NewFlagSet("cmd", pflag.ContinueOnError)
		fs.String("config", "", "settings `FILE`")
		fs.String("format", "policy", "output `FORMAT`")
		fs.String("certificate", "", "certificate `FILE`")
		fs.String("role-arn", "", "role `ARN`")
		fs.Bool("no-verify-ssl", false, "insecure")
		return fs
	}
	given, all = build(), build()
	for _, fs := range []*pflag.FlagSet{given, all} {
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range layered {
		if err := all.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return given, all
}

func TestPassOn(t *testing.T) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	own := map[string]bool{"format": true}
	for _, tt := range []struct {
		name    string
		args    []string
		layered map[string]string
		want    string
	}{
		{"command line", []string{"--certificate", "leaf.pem", "--format", "json", "--no-verify-ssl"}, nil,
			"--certificate " + abs("leaf.pem") + " --no-verify-ssl"},
		{"every setting in effect", []string{"--role-arn", "arn:r"}, map[string]string{"certificate": "/etc/x.crt", "format": "json"},
			"--certificate /etc/x.crt --role-arn arn:r"},
		{"config set only in the environment is not passed", nil, map[string]string{"config": "c.env", "role-arn": "arn:r"},
			"--role-arn arn:r"},
		{"config on the command line", []string{"--config", "c.env", "--role-arn", "arn:r", "--format", "json"}, map[string]string{"certificate": "/from/file.crt"},
			"--config " + abs("c.env") + " --role-arn arn:r"},
		{"nothing set", nil, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			given, all := flagSets(t, tt.args, tt.layered)
			if got := strings.Join(PassOn(given, all, own), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAnySet(t *testing.T) {
	notOwn := func(name string) bool { return name != "format" && name != "role-arn" }
	for _, tt := range []struct {
		args    []string
		layered map[string]string
		want    bool
	}{
		{nil, nil, false},
		{[]string{"--format", "json", "--role-arn", "arn:r"}, nil, false},
		{[]string{"--no-verify-ssl"}, nil, true},
		{nil, map[string]string{"certificate": "x.crt"}, true},
	} {
		_, all := flagSets(t, tt.args, tt.layered)
		if got := AnySet(all, notOwn); got != tt.want {
			t.Errorf("%v %v: got %v, want %v", tt.args, tt.layered, got, tt.want)
		}
	}
}
