// Package cli is the command plumbing of acme-signing-helper, apart from
// the commands themselves: the list of commands printed for help, the
// choice of a subcommand by name (with a did-you-mean for a mistyped one),
// the errors that end a command with a given exit code, and Report, which
// turns a command's error into the lines on stderr and the exit code: 0
// success (or --help), 1 failure or finding, 2 usage error.
//
// A usage error is any error that matches ErrUsage (errors.Is): a
// *UsageError, or a type of the caller's with an Is method. An error with
// an ExitCode method ends the program with that code and no message: the
// command has already printed its result (a detection finding, a DENY).
// Hints come from internal/hints (hints.For), which asks the edge errors
// of this package (UsageError, HintedError) for theirs first.
//
// Security considerations: Report prints an error's text and hint, never
// anything else; the errors of this module name files, flags and fields,
// never secret values (see internal/hints), and this package adds only
// fixed texts and command names.
package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/internal/suggest"
)

// ErrUsage is matched by every mistake on the command line (exit code 2).
var ErrUsage = errors.New("usage error")

// UsageError is a mistake on the command line, with its fix.
type UsageError struct {
	Err error
	Fix string // the hint line, in the command line's words
}

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Hint is the fix.
func (u *UsageError) Hint() string { return u.Fix }

// Is makes a UsageError match ErrUsage.
func (u *UsageError) Is(target error) bool { return target == ErrUsage }

// ExitError ends a command that has already printed what it had to say
// (its result, or its usage) with Code and no further message.
type ExitError struct{ Code int }

func (x *ExitError) Error() string { return "exit status " + strconv.Itoa(x.Code) }

// ExitCode is Code.
func (x *ExitError) ExitCode() int { return x.Code }

// HintedError gives an error a fix where the caller knows one (the flag
// it came from), unless the error's own chain has a hint already.
type HintedError struct {
	Err error
	Fix string
}

func (h *HintedError) Error() string { return h.Err.Error() }
func (h *HintedError) Unwrap() error { return h.Err }

// Hint is the hint of Err's chain, else Fix.
func (h *HintedError) Hint() string {
	if inner := hints.For(h.Err); inner != "" {
		return inner
	}
	return h.Fix
}

// WithHint attaches fix to err unless err already carries a hint; nil
// stays nil.
func WithHint(err error, fix string) error {
	if err == nil {
		return nil
	}
	return &HintedError{Err: err, Fix: fix}
}

// Report prints err to w as "PROG: ERROR" and, when it has one, a
// "hint: FIX" line, and returns the exit code: 0 for nil and for
// pflag.ErrHelp (the help is printed), an ExitCode method's code without a
// message, 2 for an error matching ErrUsage, else 1.
func Report(w io.Writer, prog string, err error) int {
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	var ex interface{ ExitCode() int }
	if errors.As(err, &ex) {
		return ex.ExitCode()
	}
	fmt.Fprintf(w, "%s: %v\n", prog, err)
	if h := hints.For(err); h != "" {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
	if errors.Is(err, ErrUsage) {
		return 2
	}
	return 1
}

// DidYouMean is "did you mean 'NAME'? " for the name of names closest to
// an unknown one, or "".
func DidYouMean(name string, names ...string) string {
	if c := suggest.Closest(name, names); c != "" {
		return "did you mean '" + c + "'? "
	}
	return ""
}

// Entry is a command of the program, as PrintCommands and Dispatch see
// it. A Hidden command runs but is neither listed nor suggested.
type Entry struct {
	Name, Summary string
	Hidden        bool
}

// PrintCommands prints the program's usage line, its commands with their
// summaries, and how flags are set (PREFIX<FLAG> variables, --config).
func PrintCommands(w io.Writer, prog, envPrefix string, cmds []Entry) {
	fmt.Fprintf(w, "usage: %s COMMAND [flags]\n\ncommands:\n", prog)
	for _, c := range cmds {
		if !c.Hidden {
			fmt.Fprintf(w, "  %-20s %s\n", c.Name, c.Summary)
		}
	}
	fmt.Fprintf(w, "\nEvery flag can also be set as %s<FLAG> (upper case, '-' as '_') or in a --config file.\nRun '%s COMMAND --help' for a command's flags.\n", envPrefix, prog)
}

// Dispatch picks the command of cmds that args[0] names and returns its
// index and the arguments after its name. Without a name the command list
// goes to stderr and the error is an *ExitError with code 2; "help" (-h,
// --help) prints it on stdout and returns -1 and the nil error; an unknown
// name is a *UsageError with a did-you-mean. The index is -1 whenever
// there is no command to run.
func Dispatch(stdout, stderr io.Writer, prog, envPrefix string, cmds []Entry, args []string) (int, []string, error) {
	if len(args) == 0 {
		PrintCommands(stderr, prog, envPrefix, cmds)
		return -1, nil, &ExitError{Code: 2}
	}
	switch args[0] {
	case "help", "-h", "--help":
		PrintCommands(stdout, prog, envPrefix, cmds)
		return -1, nil, nil
	}
	var names []string
	for i, c := range cmds {
		if c.Name == args[0] {
			return i, args[1:], nil
		}
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	fix := DidYouMean(args[0], names...) + "run '" + prog + " help' for the list of commands"
	return -1, nil, &UsageError{Err: fmt.Errorf("unknown command %q", args[0]), Fix: fix}
}

// Subcommand runs the subcommand of "PROG PARENT" that args[0] names,
// from cmds, with e and the arguments after its name. Without a name,
// usage goes to stderr and the error is an *ExitError with code 2; "help"
// (-h, --help) prints usage on stdout; an unknown name is a *UsageError
// with a did-you-mean.
func Subcommand[E any](e E, stdout, stderr io.Writer, prog, parent, usage string, cmds map[string]func(E, []string) error, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &ExitError{Code: 2}
	}
	switch args[0] {
	case "help", "-h", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	run, ok := cmds[args[0]]
	if !ok {
		fix := DidYouMean(args[0], slices.Sorted(maps.Keys(cmds))...) + "run '" + prog + " " + parent + " help' for the list of " + parent + " commands"
		return &UsageError{Err: fmt.Errorf("%s: unknown command %q", parent, args[0]), Fix: fix}
	}
	return run(e, args[1:])
}
