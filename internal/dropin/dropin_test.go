package dropin

import (
	"slices"
	"strings"
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

func TestRefuse(t *testing.T) {
	if err := RefuseUnsupported(nil); err != nil {
		t.Errorf("RefuseUnsupported(nil) = %v, want nil", err)
	}
	err := RefuseUnsupported([]string{"--reuse-pin", "--pkcs11-lib"})
	ue, ok := err.(*UnsupportedError)
	if !ok || !slices.Equal(ue.Flags, []string{"--reuse-pin", "--pkcs11-lib"}) || err.Error() != "--reuse-pin, --pkcs11-lib not supported" {
		t.Errorf("RefuseUnsupported = %#v (%v)", err, err)
	}
	const secret = "s3cr3t-value"
	if err := RefusePasswordFlag([]string{"--certificate", "c", "--", "--pkcs8-password=" + secret}); err != nil {
		t.Errorf("after --: %v", err)
	}
	err = RefusePasswordFlag([]string{"--pkcs8-password=" + secret})
	pe, ok := err.(*PasswordFlagError)
	if !ok || pe.Name != "pkcs8-password" {
		t.Fatalf("RefusePasswordFlag = %#v, want the pkcs8-password flag", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "--pkcs8-password: ") || strings.Contains(msg, secret) {
		t.Errorf("message %q: want the flag's name and never its value", msg)
	}
}
