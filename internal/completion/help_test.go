package completion

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const testHelp = `usage: prog totp [flags] COMMAND

Codes.

commands:
  code    print a code
  seed    print a seed

flags:
  -a, --at TIME     the time (default now)
      --debug       log details

other:
      --at TIME     the time again
      --config FILE read settings
`

func TestParseHelp(t *testing.T) {
	flags, subs := ParseHelp(testHelp)
	if want := []string{"code", "seed"}; !reflect.DeepEqual(subs, want) {
		t.Errorf("subs: got %v, want %v", subs, want)
	}
	want := []Flag{{Name: "at", Value: "TIME", Usage: "the time (default now)"}, {Name: "debug", Usage: "log details"}}
	if !reflect.DeepEqual(flags, want) {
		t.Errorf("flags: got %+v, want %+v", flags, want)
	}
}

func TestFromHelp(t *testing.T) {
	var asked []string
	srcs := []Source{
		{Name: "totp", Summary: "codes", Help: func(args []string) (string, error) {
			asked = append(asked, strings.Join(args, " "))
			if len(args) == 0 {
				return testHelp, nil
			}
			return "usage: prog totp " + args[0] + "\n\nflags:\n      --digits N   code length\n", nil
		}},
		{Name: "completion", Summary: "scripts"},
	}
	cmds, err := FromHelp(srcs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if want := []string{"totp", "totp code", "totp seed", "completion"}; !reflect.DeepEqual(names, want) {
		t.Errorf("commands: got %v, want %v", names, want)
	}
	if got := cmds[1].Flags; len(got) != 1 || got[0].Name != "digits" || got[0].Value != "N" {
		t.Errorf("totp code flags: got %+v", got)
	}
	if !reflect.DeepEqual(cmds[3].Subs, Shells) {
		t.Errorf("completion subs: got %v, want %v", cmds[3].Subs, Shells)
	}
	if want := []string{"", "code", "seed"}; !reflect.DeepEqual(asked, want) {
		t.Errorf("asked for help of %q, want %q", asked, want)
	}
	boom := errors.New("boom")
	if _, err := FromHelp([]Source{{Name: "x", Help: func([]string) (string, error) { return "", boom }}}); !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
}
