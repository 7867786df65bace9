package dropin

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
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
	AddUnsupported(fs, cliflags.Unsupported, "pkcs11-lib", "reuse-pin")
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
	AddUnsupported(all, cliflags.Unsupported)
	for _, u := range UnsupportedFlags {
		f := all.Lookup(u.Name)
		if f == nil {
			t.Errorf("--%s not added", u.Name)
			continue
		}
		if g := f.Annotations[cliflags.GroupKey]; len(g) != 1 || g[0] != cliflags.Unsupported {
			t.Errorf("--%s in group %v, want %s", u.Name, g, cliflags.Unsupported)
		}
	}
	if got := ChangedUnsupported(all); got != nil {
		t.Errorf("nothing set: got %v", got)
	}
}
