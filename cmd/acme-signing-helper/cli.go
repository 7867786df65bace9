package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
	"github.com/acme-signing-helper/acme-signing-helper/internal/clilog"
	"github.com/acme-signing-helper/acme-signing-helper/internal/envfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/suggest"
)

const progName = "acme-signing-helper"

// envPrefix starts the environment variable (and --config key) of every
// flag: --trust-anchor-arn is ACME_SIGNING_HELPER_TRUST_ANCHOR_ARN.
const envPrefix = "ACME_SIGNING_HELPER_"

// env is what a command may touch of the outside world. Tests build their
// own; main uses the process's.
type env struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	lookupEnv func(string) (string, bool)
	// environ lists the environment (KEY=VALUE) for the check of unknown
	// ACME_SIGNING_HELPER_* names; nil skips it.
	environ func() []string
	now     func() time.Time
	ctx     context.Context
	// log is quiet (warnings and errors only) unless --debug is given.
	log   *slog.Logger
	debug bool
	// process is set when the env is the whole OS process (run, from
	// main), not a test calling runEnv: a command may then tune the
	// runtime (credential-process runs on one P).
	process bool
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	hidden  bool
	run     func(e *env, args []string) error
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	e := &env{
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		lookupEnv: os.LookupEnv,
		environ:   os.Environ,
		now:       time.Now,
		ctx:       context.Background(),
	}
	e.setLogLevel(slog.LevelWarn)
	return e
}

func (e *env) setLogLevel(l slog.Level) {
	e.log = slog.New(clilog.New(e.stderr, progName, l))
}

// warnf prints a warning in the program's one shape.
func (e *env) warnf(format string, a ...any) {
	fmt.Fprintf(e.stderr, progName+": warning: "+format+"\n", a...)
}

// getenv returns the value of an environment variable, "" when unset.
func (e *env) getenv(name string) string {
	v, _ := e.lookupEnv(name)
	return v
}

// run is the whole program: it returns the exit code (0 success, 1 failure
// or a finding, 2 usage error).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := newEnv(stdin, stdout, stderr)
	e.process = true
	return runEnv(e, args)
}

func runEnv(e *env, args []string) int {
	if len(args) == 0 {
		printCommands(e.stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		printCommands(e.stdout)
		return 0
	case "--version", "-v":
		args = append([]string{"version"}, args[1:]...)
	}
	var names []string
	for _, c := range commands {
		if c.name == args[0] {
			return report(e, c.run(e, args[1:]))
		}
		if !c.hidden {
			names = append(names, c.name)
		}
	}
	return report(e, usageErrorf(didYouMean(args[0], names...)+"run '"+progName+" help' for the list of commands", "unknown command %q", args[0]))
}

// didYouMean is "did you mean 'NAME'? " for the command name closest to
// an unknown one, or "".
// runSubcommand runs the subcommand of parent that args[0] names, from
// cmds: without one, usage goes to stderr (exit 2); "help" prints it on
// stdout; an unknown name is a usage error with a did-you-mean.
func runSubcommand(e *env, parent, usage string, cmds map[string]func(*env, []string) error, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "help", "-h", "--help":
		_, err := fmt.Fprint(e.stdout, usage)
		return err
	}
	run, ok := cmds[args[0]]
	if !ok {
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		return usageErrorf(didYouMean(args[0], names...)+"run '"+progName+" "+parent+" help' for the list of "+parent+" commands", "%s: unknown command %q", parent, args[0])
	}
	return run(e, args[1:])
}

func didYouMean(name string, names ...string) string {
	if c := suggest.Closest(name, names); c != "" {
		return "did you mean '" + c + "'? "
	}
	return ""
}

func printCommands(w io.Writer) {
	fmt.Fprintf(w, "usage: %s COMMAND [flags]\n\ncommands:\n", progName)
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(w, "  %-20s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nEvery flag can also be set as %s<FLAG> (upper case, '-' as '_') or in a --config file.\nRun '%s COMMAND --help' for a command's flags.\n", envPrefix, progName)
}

// report prints err (and its hint) to stderr and returns the exit code.
func report(e *env, err error) int {
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	var ex *exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", progName, err)
	if h := hintOf(err); h != "" {
		fmt.Fprintf(e.stderr, "hint: %s\n", h)
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// usageError is a mistake on the command line: exit code 2.
type usageError struct {
	err  error
	hint string
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }
func (u *usageError) Hint() string  { return u.hint }

// usageErrorf makes a usage error with a hint.
func usageErrorf(hint, format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...), hint: hint}
}

// hintedError adds a hint to an error that has none.
type hintedError struct {
	err  error
	hint string
}

func (h *hintedError) Error() string { return h.err.Error() }
func (h *hintedError) Unwrap() error { return h.err }
func (h *hintedError) Hint() string {
	if inner := hintOf(h.err); inner != "" {
		return inner
	}
	return h.hint
}

// withHint attaches hint to err unless err already carries one.
func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hintedError{err: err, hint: hint}
}

// exitError ends a command that has already printed its result with a
// non-zero code and no further message (a detection finding, a DENY).
type exitError struct{ code int }

func (x *exitError) Error() string { return "exit status " + strconv.Itoa(x.code) }

// newFlagSet makes a command's flag set with the flags every command has:
// --config and --debug. help is the command's --help text: its first line
// is the synopsis after the command's name, then a blank line and a short
// description (the reference is in docs/); cliflags.PrintHelp adds the
// flags.
func newFlagSet(e *env, name, help string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.String("config", "", "read settings from `FILE`: KEY=VALUE lines (systemd EnvironmentFile format) with "+envPrefix+"* names; relative paths in it are relative to FILE's directory")
	fs.Bool("debug", false, "log details to stderr (never secrets)")
	setGroup(fs, cliflags.Other, "config", "debug")
	fs.Usage = func() { cliflags.PrintHelp(e.stdout, progName, fs, help) }
	return fs
}

// groupUnsupported is the --help section printed as one line at the end.
const groupUnsupported = cliflags.Unsupported

// setGroup puts the named flags of fs into a --help section.
func setGroup(fs *pflag.FlagSet, group string, names ...string) {
	cliflags.SetGroup(fs, group, names...)
}

// envName is the environment variable (and config key) of a flag.
func envName(flag string) string { return cliflags.EnvName(envPrefix, flag) }

// parseFlags parses args, then fills every flag not given on the command
// line from its environment variable, else from the --config file:
// flag > environment > config file (cliflags.Fill: relative paths in the
// file resolve against its directory; unknown ACME_SIGNING_HELPER_* names
// get a warning with the closest known one).
func parseFlags(e *env, fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err // fs.Usage printed the help
		}
		hint := fmt.Sprintf("run '%s %s --help' for its flags", progName, fs.Name())
		if c := cliflags.ClosestFlag(fs, err); c != "" {
			hint = "did you mean --" + c + "? " + hint
		}
		return &usageError{err: fmt.Errorf("%s: %w", fs.Name(), err), hint: hint}
	}
	src := cliflags.Sources{Prefix: envPrefix, LookupEnv: e.lookupEnv, Environ: e.environ,
		Extra: []string{envKeyPassword, envTPMPassword, envName("config")}, Names: allFlagNames, Warn: func(w string) { e.warnf("%s", w) }}
	src.ConfigPath, _ = fs.GetString("config")
	if !fs.Changed("config") {
		src.ConfigPath = e.getenv(envName("config"))
	}
	if src.ConfigPath != "" {
		var err error
		if src.Config, err = readConfigFile(src.ConfigPath); err != nil {
			return err
		}
	}
	if err := cliflags.Fill(fs, src, "config"); err != nil {
		var ve *cliflags.ValueError
		if errors.As(err, &ve) {
			return &usageError{err: err, hint: fmt.Sprintf("give %s a valid value for --%s", ve.Key, ve.Flag)}
		}
		return err
	}
	if d, err := fs.GetBool("debug"); err == nil && d {
		e.debug = true
		e.setLogLevel(slog.LevelDebug)
	}
	return nil
}

// allFlagNames are the variables of the flags of every command and
// subcommand (a shared config file may hold serve's settings next to
// credential-process's), read from what each prints for --help.
func allFlagNames() []string {
	var names []string
	var lister commandLister = tableOfCommands{}
	cmds, _ := completionCommands(lister.commandTable())
	for _, c := range cmds {
		for _, f := range c.Flags {
			names = append(names, envName(f.Name))
		}
	}
	return names
}

// readConfigFile reads a --config file (internal/envfile).
func readConfigFile(path string) ([]envfile.Setting, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("read config file: %w", err), hint: "check the --config path (or " + envName("config") + ")"}
	}
	defer f.Close()
	settings, err := envfile.Parse(f, path)
	if errors.Is(err, envfile.ErrSyntax) {
		return nil, &usageError{err: err, hint: "write one " + envPrefix + "NAME=value setting per line"}
	}
	return settings, err
}
