package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cli"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
	"github.com/acme-signing-helper/acme-signing-helper/internal/clilog"
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
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-v") {
		args = append([]string{"version"}, args[1:]...)
	}
	list := make([]cli.Entry, len(commands))
	for i, c := range commands {
		list[i] = cli.Entry{Name: c.name, Summary: c.summary, Hidden: c.hidden}
	}
	i, rest, err := cli.Dispatch(e.stdout, e.stderr, progName, envPrefix, list, args)
	if i < 0 {
		return report(e, err)
	}
	return report(e, commands[i].run(e, rest))
}

// runSubcommand runs the subcommand of parent that args[0] names, from
// cmds (cli.Subcommand: usage without a name, exit 2; "help" prints it;
// an unknown name is a usage error with a did-you-mean).
func runSubcommand(e *env, parent, usage string, cmds map[string]func(*env, []string) error, args []string) error {
	return cli.Subcommand(e, e.stdout, e.stderr, progName, parent, usage, cmds, args)
}

// didYouMean is "did you mean 'NAME'? " for the closest of names, or "".
func didYouMean(name string, names ...string) string { return cli.DidYouMean(name, names...) }

// report prints err (and its hint) to stderr and returns the exit code
// (cli.Report).
func report(e *env, err error) int { return cli.Report(e.stderr, progName, err) }

// usageError is a mistake on the command line (exit code 2), with its
// fix; exitError ends a command that has printed what it had to say.
type (
	usageError = cli.UsageError
	exitError  = cli.ExitError
)

// usageErrorf makes a usage error with a hint.
func usageErrorf(hint, format string, a ...any) error {
	return &usageError{Err: fmt.Errorf(format, a...), Fix: hint}
}

// withHint attaches hint to err unless err already carries one.
func withHint(err error, hint string) error { return cli.WithHint(err, hint) }

// newFlagSet makes a command's flag set with --config and --debug
// (cliflags.New); help is its --help text (synopsis, blank line, short
// description).
func newFlagSet(e *env, name, help string) *pflag.FlagSet {
	return cliflags.New(e.stdout, progName, envPrefix, name, help)
}

// groupUnsupported is the --help section printed as one line at the end.
const groupUnsupported = cliflags.Unsupported

// setGroup puts the named flags of fs into a --help section.
func setGroup(fs *pflag.FlagSet, group string, names ...string) {
	cliflags.SetGroup(fs, group, names...)
}

// envName is the environment variable (and config key) of a flag.
func envName(flag string) string { return cliflags.EnvName(envPrefix, flag) }

// parseFlags parses args and fills the flags not given from the
// environment, else the --config file (cliflags.Parse); --debug turns on
// debug logging.
func parseFlags(e *env, fs *pflag.FlagSet, args []string) error {
	src := cliflags.Sources{Prefix: envPrefix, LookupEnv: e.lookupEnv, Environ: e.environ,
		Extra: []string{envKeyPassword, envTPMPassword, envName("config")}, Names: allFlagNames, Warn: func(w string) { e.warnf("%s", w) }}
	if err := cliflags.Parse(fs, args, progName, src); err != nil {
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
