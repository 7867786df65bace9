// Package cliflags is the flag machinery of acme-signing-helper's command
// line, around github.com/spf13/pflag: every command's flag set with the
// common --config and --debug (New), the --help printer (usage line,
// description, flags in sections from annotations, unsupported flags in one
// line) and the layering of settings, flag > environment variable >
// --config file, with warnings for unknown variable names (Parse, Fill).
// Mistakes in flags, settings and the config file are *cli.UsageError
// (exit code 2) with the fix.
//
// Security considerations: values from the environment and the config file
// may be secrets (a key password, which is no flag and never set here);
// warnings name variables, files and line numbers, never values. A value a
// flag refuses is quoted by pflag's error, as on the command line: flags
// hold no secrets.
package cliflags

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/envfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/suggest"
)

// GroupKey is the pflag annotation naming a flag's section in --help.
const GroupKey = "group"

// Unsupported is the section PrintHelp prints as one line at the end.
const Unsupported = "unsupported"

// Other is the section PrintHelp prints last (--config, --debug).
const Other = "other"

// SetGroup puts the named flags of fs into a --help section.
func SetGroup(fs *pflag.FlagSet, group string, names ...string) {
	for _, n := range names {
		_ = fs.SetAnnotation(n, GroupKey, []string{group})
	}
}

// PrintHelp prints a command's --help: "usage: PROG NAME SYNOPSIS", the
// description, the flags by section (flags without a group first, under
// "flags:", then the groups in order of definition, Other last) and the
// Unsupported flags in one line. help's first line is the synopsis, the
// rest the description.
func PrintHelp(w io.Writer, prog string, fs *pflag.FlagSet, help string) {
	synopsis, desc, _ := strings.Cut(help, "\n")
	if synopsis == "" {
		synopsis = "[flags]"
	}
	fmt.Fprintf(w, "usage: %s %s %s\n", prog, fs.Name(), synopsis)
	if desc = strings.TrimSpace(desc); desc != "" {
		fmt.Fprintf(w, "\n%s\n", desc)
	}
	var order, unsupported []string
	sets := map[string]*pflag.FlagSet{}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := "flags"
		if a := f.Annotations[GroupKey]; len(a) > 0 {
			g = a[0]
		}
		if g == Unsupported {
			unsupported = append(unsupported, "--"+f.Name)
			return
		}
		if sets[g] == nil {
			sets[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			sets[g].SortFlags = false
			if g != Other {
				order = append(order, g)
			}
		}
		sets[g].AddFlag(f)
	})
	for _, g := range append(order, Other) {
		if sets[g] != nil {
			fmt.Fprintf(w, "\n%s:\n%s", g, sets[g].FlagUsages())
		}
	}
	if len(unsupported) > 0 {
		fmt.Fprintf(w, "\nnot supported (PKCS#11, TPM, certificate stores): %s\n", strings.Join(unsupported, " "))
	}
}

// EnvName is the variable (and config key) of a flag: prefix, then the
// name in upper case with '-' as '_'.
func EnvName(prefix, flag string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Sources are where Fill takes the settings of flags not given on the
// command line.
type Sources struct {
	// Prefix starts every variable name (ACME_SIGNING_HELPER_).
	Prefix string
	// LookupEnv reads a variable.
	LookupEnv func(string) (string, bool)
	// Environ lists the environment for the check of unknown names; nil
	// skips the check.
	Environ func() []string
	// ConfigPath and Config are the --config file and its settings.
	ConfigPath string
	Config     []envfile.Setting
	// Extra lists variables that are not flags (checked first, cheaply).
	Extra []string
	// Names lists every other known variable name (the flags of the other
	// commands). Called only for a name neither fs nor Extra knows.
	Names func() []string
	// Warn receives one line per unknown name.
	Warn func(string)
}

// ValueError is a setting whose value the flag refuses.
type ValueError struct {
	Source string // "environment variable K" or `K in config file "F"`
	Key    string // the variable
	Flag   string // the flag's name
	Err    error
}

func (e *ValueError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *ValueError) Unwrap() error { return e.Err }

// Fill sets every flag of fs not given on the command line from its
// variable, else from the config file (skip names the flags not to fill,
// e.g. config). Relative paths in the config file resolve against the
// file's directory (IsPathFlag, and a fingerprint's file:PATH). Unknown
// names with the prefix, in the file or the environment, get a warning
// with the closest known name.
func Fill(fs *pflag.FlagSet, s Sources, skip ...string) error {
	cfg := map[string]envfile.Setting{}
	for _, st := range s.Config {
		if strings.HasPrefix(st.Key, s.Prefix) {
			cfg[st.Key] = st
		}
	}
	known := s.known(fs)
	for _, st := range s.Config {
		if strings.HasPrefix(st.Key, s.Prefix) && !known(st.Key) {
			s.Warn(fmt.Sprintf("config file %q line %d: unknown setting %s%s", s.ConfigPath, st.Line, st.Key, s.didYouMean(fs, st.Key)))
		}
	}
	if s.Environ != nil {
		for _, kv := range s.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, s.Prefix) && !known(k) {
				s.Warn(fmt.Sprintf("unknown environment variable %s%s", k, s.didYouMean(fs, k)))
			}
		}
	}
	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || slices.Contains(skip, f.Name) || firstErr != nil {
			return
		}
		key := EnvName(s.Prefix, f.Name)
		v, ok := s.LookupEnv(key)
		src := "environment variable " + key
		if !ok {
			var st envfile.Setting
			st, ok = cfg[key]
			v = relativeTo(filepath.Dir(s.ConfigPath), f, st.Value)
			src = fmt.Sprintf("%s in config file %q", key, s.ConfigPath)
		}
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			firstErr = &ValueError{Source: src, Key: key, Flag: f.Name, Err: err}
		}
	})
	return firstErr
}

// IsPathFlag tells whether f's value is a file or directory name: its
// usage's placeholder is FILE or DIR.
func IsPathFlag(f *pflag.Flag) bool {
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
	} else if !IsPathFlag(f) {
		return v
	}
	if path == "" || path == "-" || filepath.IsAbs(path) {
		return v
	}
	return prefix + filepath.Join(dir, path)
}

// known reports whether a name is a flag of fs or one of s.Names.
func (s Sources) known(fs *pflag.FlagSet) func(string) bool {
	var all map[string]bool
	return func(name string) bool {
		if slices.Contains(s.Extra, name) {
			return true
		}
		if f := fs.Lookup(strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, s.Prefix), "_", "-"))); f != nil && EnvName(s.Prefix, f.Name) == name {
			return true
		}
		if all == nil {
			all = map[string]bool{}
			if s.Names != nil {
				for _, n := range s.Names() {
					all[n] = true
				}
			}
		}
		return all[name]
	}
}

// didYouMean is " (did you mean NAME?)" for the known name closest to an
// unknown one, or "".
func (s Sources) didYouMean(fs *pflag.FlagSet, name string) string {
	names := slices.Clone(s.Extra)
	if s.Names != nil {
		names = append(names, s.Names()...)
	}
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, EnvName(s.Prefix, f.Name)) })
	if c := suggest.Closest(name, names); c != "" {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// ClosestFlag is the visible flag of fs closest to the one pflag's
// "unknown flag: --NAME" error names, or "".
func ClosestFlag(fs *pflag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return suggest.Closest(name, names)
}
