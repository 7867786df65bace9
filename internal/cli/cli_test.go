package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// quiet is a caller's own exit error type, as main's exitError.
type quiet struct{ code int }

func (q quiet) Error() string { return "quiet" }
func (q quiet) ExitCode() int { return q.code }

// callerUsage is a caller's own usage error type, as main's usageError.
type callerUsage struct{ error }

func (callerUsage) Is(target error) bool { return target == ErrUsage }

func TestReport(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"nil", nil, 0, ""},
		{"help", fmt.Errorf("x: %w", pflag.ErrHelp), 0, ""},
		{"failure", errors.New("boom"), 1, "prog: boom\n"},
		{"failure with hint", WithHint(errors.New("boom"), "try again"), 1, "prog: boom\nhint: try again\n"},
		{"usage", &UsageError{Err: errors.New("bad flag"), Fix: "fix the flag"}, 2, "prog: bad flag\nhint: fix the flag\n"},
		{"wrapped usage", fmt.Errorf("cmd: %w", &UsageError{Err: errors.New("bad")}), 2, "prog: cmd: bad\n"},
		{"caller's usage type", callerUsage{errors.New("bad")}, 2, "prog: bad\n"},
		{"exit", &ExitError{Code: 3}, 3, ""},
		{"caller's exit type", fmt.Errorf("w: %w", quiet{1}), 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if got := Report(&b, "prog", tc.err); got != tc.code {
				t.Errorf("exit code: got %d, want %d", got, tc.code)
			}
			if b.String() != tc.stderr {
				t.Errorf("stderr: got %q, want %q", b.String(), tc.stderr)
			}
		})
	}
}

func TestWithHintPrefersInnermost(t *testing.T) {
	if WithHint(nil, "x") != nil {
		t.Error("WithHint(nil): got an error, want nil")
	}
	err := WithHint(WithHint(os.ErrNotExist, "inner"), "outer")
	var b bytes.Buffer
	Report(&b, "prog", err)
	if !strings.Contains(b.String(), "hint: inner\n") {
		t.Errorf("got %q, want the inner hint", b.String())
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Error("WithHint does not wrap its error")
	}
}

var entries = []Entry{{Name: "sign", Summary: "sign a thing"}, {Name: "verify", Summary: "verify a thing"}, {Name: "secret", Hidden: true}}

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		index          int
		rest           []string
		code           int
		stdout, stderr string
	}{
		{nil, -1, nil, 2, "", "usage: prog COMMAND"},
		{[]string{"help"}, -1, nil, 0, "  sign                 sign a thing\n", ""},
		{[]string{"verify", "-x", "y"}, 1, []string{"-x", "y"}, 0, "", ""},
		{[]string{"secret"}, 2, []string{}, 0, "", ""},
		{[]string{"sigm"}, -1, nil, 2, "", "prog: unknown command \"sigm\"\nhint: did you mean 'sign'? run 'prog help' for the list of commands\n"},
		{[]string{"secre"}, -1, nil, 2, "", "hint: run 'prog help'"}, // hidden: not suggested
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			i, rest, err := Dispatch(&out, &errb, "prog", "P_", entries, tc.args)
			if i != tc.index || fmt.Sprint(rest) != fmt.Sprint(tc.rest) {
				t.Errorf("got %d %q, want %d %q", i, rest, tc.index, tc.rest)
			}
			if code := Report(&errb, "prog", err); code != tc.code {
				t.Errorf("exit code: got %d, want %d", code, tc.code)
			}
			if !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", out.String(), errb.String(), tc.stdout, tc.stderr)
			}
			if strings.Contains(out.String()+errb.String(), "secret") && len(tc.args) < 2 && i < 0 {
				t.Errorf("the hidden command is listed or suggested: %q", out.String()+errb.String())
			}
		})
	}
}

func TestSubcommand(t *testing.T) {
	var ran []string
	cmd := func(name string) func(*[]string, []string) error {
		return func(r *[]string, args []string) error {
			*r = append(*r, name+" "+strings.Join(args, " "))
			return nil
		}
	}
	cmds := map[string]func(*[]string, []string) error{"code": cmd("code"), "seed": cmd("seed")}
	for _, tc := range []struct {
		args           []string
		ran            string
		code           int
		stdout, stderr string
	}{
		{nil, "", 2, "", "USAGE"},
		{[]string{"--help"}, "", 0, "USAGE", ""},
		{[]string{"seed", "--x"}, "seed --x", 0, "", ""},
		{[]string{"cod"}, "", 2, "", "prog: totp: unknown command \"cod\"\nhint: did you mean 'code'? run 'prog totp help' for the list of totp commands\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ran = nil
			var out, errb bytes.Buffer
			err := Subcommand(&ran, &out, &errb, "prog", "totp", "USAGE", cmds, tc.args)
			if got := strings.Join(ran, ","); got != tc.ran {
				t.Errorf("ran %q, want %q", got, tc.ran)
			}
			if code := Report(&errb, "prog", err); code != tc.code {
				t.Errorf("exit code: got %d, want %d", code, tc.code)
			}
			if !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", out.String(), errb.String(), tc.stdout, tc.stderr)
			}
		})
	}
}
