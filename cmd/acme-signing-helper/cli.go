package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

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
	e.log = slog.New(newCLIHandler(e.stderr, l))
}

// cliHandler writes warnings and errors in the program's one shape,
// "acme-signing-helper: warning: MESSAGE key=value ...", the shape of the
// warnings main prints itself; records below slog.LevelWarn (--debug) go
// to a text handler, "level=DEBUG msg=...".
type cliHandler struct {
	slog.Handler              // the text handler for --debug records
	attrs        slog.Handler // the same attributes, formatted into buf
	buf          *bytes.Buffer
	mu           *sync.Mutex
	w            io.Writer
}

func newCLIHandler(w io.Writer, l slog.Level) *cliHandler {
	drop := func(keys ...string) func([]string, slog.Attr) slog.Attr {
		return func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && slices.Contains(keys, a.Key) {
				return slog.Attr{}
			}
			return a
		}
	}
	buf := &bytes.Buffer{}
	return &cliHandler{
		Handler: slog.NewTextHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: drop(slog.TimeKey)}),
		attrs:   slog.NewTextHandler(buf, &slog.HandlerOptions{ReplaceAttr: drop(slog.TimeKey, slog.LevelKey, slog.MessageKey)}),
		buf:     buf, mu: &sync.Mutex{}, w: w,
	}
}

func (h *cliHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.Handler.Handle(ctx, r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.attrs.Handle(ctx, r); err != nil {
		return err
	}
	kind := "warning"
	if r.Level >= slog.LevelError {
		kind = "error"
	}
	line := progName + ": " + kind + ": " + r.Message
	if rest := strings.TrimSpace(h.buf.String()); rest != "" {
		line += " (" + rest + ")"
	}
	_, err := io.WriteString(h.w, line+"\n")
	return err
}

func (h *cliHandler) WithAttrs(a []slog.Attr) slog.Handler {
	c := *h
	c.Handler, c.attrs = h.Handler.WithAttrs(a), h.attrs.WithAttrs(a)
	return &c
}

func (h *cliHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.Handler, c.attrs = h.Handler.WithGroup(name), h.attrs.WithGroup(name)
	return &c
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
	hint := "run '" + progName + " help' for the list of commands"
	if c := suggest.Closest(args[0], names); c != "" {
		hint = "did you mean '" + progName + " " + c + "'? " + hint
	}
	return report(e, usageErrorf(hint, "unknown command %q", args[0]))
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
// description (the reference is in docs/); printHelp adds the flags.
func newFlagSet(e *env, name, help string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.String("config", "", "read settings from `FILE`: KEY=VALUE lines (systemd EnvironmentFile format) with "+envPrefix+"* names; relative paths in it are relative to FILE's directory")
	fs.Bool("debug", false, "log details to stderr (never secrets)")
	setGroup(fs, "other", "config", "debug")
	fs.Usage = func() { printHelp(e.stdout, fs, help) }
	return fs
}

// groupKey is the pflag annotation naming a flag's section in --help.
const groupKey = "group"

// groupUnsupported is the section printed as one line at the end.
const groupUnsupported = "unsupported"

// setGroup puts the named flags of fs into a --help section.
func setGroup(fs *pflag.FlagSet, group string, names ...string) {
	for _, n := range names {
		_ = fs.SetAnnotation(n, groupKey, []string{group})
	}
}

// printHelp prints a command's --help: the usage line, the description,
// the flags by section (the command's own first, "other:" last), and the
// unsupported flags in one line.
func printHelp(w io.Writer, fs *pflag.FlagSet, help string) {
	synopsis, desc, _ := strings.Cut(help, "\n")
	if synopsis == "" {
		synopsis = "[flags]"
	}
	fmt.Fprintf(w, "usage: %s %s %s\n", progName, fs.Name(), synopsis)
	if desc = strings.TrimSpace(desc); desc != "" {
		fmt.Fprintf(w, "\n%s\n", desc)
	}
	var order []string
	sets := map[string]*pflag.FlagSet{}
	var unsupported []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := "flags"
		if a := f.Annotations[groupKey]; len(a) > 0 {
			g = a[0]
		}
		if g == groupUnsupported {
			unsupported = append(unsupported, "--"+f.Name)
			return
		}
		if sets[g] == nil {
			sets[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			sets[g].SortFlags = false
			if g != "other" {
				order = append(order, g)
			}
		}
		sets[g].AddFlag(f)
	})
	for _, g := range append(order, "other") {
		if sets[g] != nil {
			fmt.Fprintf(w, "\n%s:\n%s", g, sets[g].FlagUsages())
		}
	}
	if len(unsupported) > 0 {
		fmt.Fprintf(w, "\nnot supported (PKCS#11, TPM, certificate stores): %s\n", strings.Join(unsupported, " "))
	}
}

// envName is the environment variable (and config key) of a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// parseFlags parses args, then fills every flag not given on the command
// line from its environment variable, else from the --config file:
// flag > environment > config file. Relative paths in the config file
// resolve against the file's directory. Unknown ACME_SIGNING_HELPER_*
// names in the file or the environment get a warning with the closest
// known name.
func parseFlags(e *env, fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err // fs.Usage printed the help
		}
		return &usageError{err: fmt.Errorf("%s: %w", fs.Name(), err), hint: unknownFlagHint(fs, err)}
	}
	cfgPath, _ := fs.GetString("config")
	if !fs.Changed("config") {
		cfgPath = e.getenv(envName("config"))
	}
	cfg := map[string]envfile.Setting{}
	if cfgPath != "" {
		settings, err := readConfigFile(cfgPath)
		if err != nil {
			return err
		}
		for _, st := range settings {
			if strings.HasPrefix(st.Key, envPrefix) {
				cfg[st.Key] = st
			}
		}
	}
	known := knownNames(fs)
	for _, st := range cfg {
		if !known(st.Key) {
			e.warnf("config file %q line %d: unknown setting %s%s", cfgPath, st.Line, st.Key, didYouMean(fs, st.Key))
		}
	}
	if e.environ != nil {
		for _, kv := range e.environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, envPrefix) && !known(k) {
				e.warnf("unknown environment variable %s%s", k, didYouMean(fs, k))
			}
		}
	}
	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "config" || firstErr != nil {
			return
		}
		key := envName(f.Name)
		v, ok := e.lookupEnv(key)
		src := "environment variable " + key
		if !ok {
			var st envfile.Setting
			st, ok = cfg[key]
			v = relativeTo(filepath.Dir(cfgPath), f, st.Value)
			src = fmt.Sprintf("%s in config file %q", key, cfgPath)
		}
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			firstErr = &usageError{err: fmt.Errorf("%s: %w", src, err), hint: fmt.Sprintf("give %s a valid value for --%s", key, f.Name)}
		}
	})
	if firstErr != nil {
		return firstErr
	}
	if d, err := fs.GetBool("debug"); err == nil && d {
		e.debug = true
		e.setLogLevel(slog.LevelDebug)
	}
	return nil
}

// isPathFlag tells whether f's value is a file or directory name: its
// usage's placeholder is FILE or DIR.
func isPathFlag(f *pflag.Flag) bool {
	p, _ := pflag.UnquoteUsage(f)
	return p == "FILE" || p == "DIR"
}

// relativeTo resolves a relative path value of a config file against the
// file's directory dir (systemd's EnvironmentFile= does not: it passes the
// value on as written). Other values, "-" (stdin) and absolute paths are
// returned unchanged; a fingerprint's file:PATH is resolved too.
func relativeTo(dir string, f *pflag.Flag, v string) string {
	path, prefix := v, ""
	if f.Name == "fingerprint" {
		rest, ok := strings.CutPrefix(v, "file:")
		if !ok {
			return v
		}
		path, prefix = rest, "file:"
	} else if !isPathFlag(f) {
		return v
	}
	if path == "" || path == "-" || filepath.IsAbs(path) {
		return v
	}
	return prefix + filepath.Join(dir, path)
}

// otherNames are the ACME_SIGNING_HELPER_* variables that are not flags.
var otherNames = []string{envKeyPassword, envName("config")}

// knownNames reports whether an ACME_SIGNING_HELPER_* name is a setting
// of fs, another name the program reads, or a flag of any command (a
// shared config file may hold serve's settings next to credential-process's).
func knownNames(fs *pflag.FlagSet) func(string) bool {
	var all map[string]bool
	return func(name string) bool {
		if slices.Contains(otherNames, name) {
			return true
		}
		if f := fs.Lookup(strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, envPrefix), "_", "-"))); f != nil && envName(f.Name) == name {
			return true
		}
		if all == nil {
			all = map[string]bool{}
			for _, n := range allFlagNames() {
				all[envName(n)] = true
			}
		}
		return all[name]
	}
}

// allFlagNames lists the flags of every command and subcommand, from what
// each prints for --help (only asked for a name fs does not know).
func allFlagNames() []string {
	var lister commandLister = tableOfCommands{}
	cmds, err := completionCommands(lister.commandTable())
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range cmds {
		for _, f := range c.Flags {
			out = append(out, f.Name)
		}
	}
	return out
}

// didYouMean is " (did you mean NAME?)" for the known name closest to an
// unknown ACME_SIGNING_HELPER_* name, or "".
func didYouMean(fs *pflag.FlagSet, name string) string {
	names := slices.Clone(otherNames)
	for _, n := range allFlagNames() {
		names = append(names, envName(n))
	}
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, envName(f.Name)) })
	if c := suggest.Closest(name, names); c != "" {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// unknownFlagHint names the closest flag of fs for pflag's "unknown flag"
// error, else points at --help.
func unknownFlagHint(fs *pflag.FlagSet, err error) string {
	hint := fmt.Sprintf("run '%s %s --help' for its flags", progName, fs.Name())
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return hint
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if c := suggest.Closest(name, names); c != "" {
		return "did you mean --" + c + "? " + hint
	}
	return hint
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
