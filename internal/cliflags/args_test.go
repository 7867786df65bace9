package cliflags

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestArgs: only included flags, in definition order; booleans both ways;
// repeated values each; paths and file: fingerprints made absolute.
func TestArgs(t *testing.T) {
	fs := pflag.NewFlagSet("cmd", pflag.ContinueOnError)
	fs.String("certificate", "", "certificate `FILE`")
	fs.String("region", "", "signing `REGION`")
	fs.StringArray("fingerprint", nil, "fingerprint `SPEC`")
	fs.Bool("cache", true, "cache")
	fs.Bool("debug", false, "debug")
	if err := fs.Parse([]string{"--region", "eu-west-2", "--certificate", "leaf.pem", "--fingerprint", "file:id", "--fingerprint", "machine-id", "--cache=false", "--debug"}); err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string { return "/abs/" + p }
	got := strings.Join(Args(fs, func(f *pflag.Flag) bool { return f.Changed && f.Name != "debug" }, abs), " ")
	want := "--cache=false --certificate /abs/leaf.pem --fingerprint file:/abs/id --fingerprint machine-id --region eu-west-2"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
