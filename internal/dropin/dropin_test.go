package dropin

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

func TestPasswordFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" for none
	}{
		{[]string{"--certificate", "c.pem"}, ""},
		{[]string{"--private-key-password", "secret"}, "private-key-password"},
		{[]string{"--region", "x", "--pkcs8-password=secret"}, "pkcs8-password"},
		{[]string{"--tpm-key-password=x"}, "tpm-key-password"},
		{[]string{"--", "--pkcs8-password=x"}, ""},
		{[]string{"--private-key-password-file", "f"}, ""},
	}
	for _, tt := range tests {
		got, ok := PasswordFlag(tt.args)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PasswordFlag(%q) = %q, %v; want %q", tt.args, got, ok, tt.want)
		}
	}
}

func TestUnsupported(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	AddUnsupported(fs, "pkcs11-lib", "reuse-pin")
	if fs.Lookup("cert-selector") != nil {
		t.Error("cert-selector added though not named")
	}
	if err := fs.Parse([]string{"--reuse-pin", "--pkcs11-lib", "/usr/lib/p11.so"}); err != nil {
		t.Fatal(err)
	}
	if got, want := ChangedUnsupported(fs), []string{"--reuse-pin", "--pkcs11-lib"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	all := pflag.NewFlagSet("t", pflag.ContinueOnError)
	AddUnsupported(all)
	for _, u := range UnsupportedFlags {
		if all.Lookup(u.Name) == nil {
			t.Errorf("--%s not added", u.Name)
		}
	}
	if got := ChangedUnsupported(all); got != nil {
		t.Errorf("nothing set: got %v", got)
	}
}
