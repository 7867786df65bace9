// Package dropin holds the flags of the official aws_signing_helper that
// acme-signing-helper, a drop-in for its file-based commands, accepts only
// to refuse them: the PKCS#11, TPM and certificate-store flags (registered
// so that a command refuses them with a hint instead of calling them
// unknown), and the flags that would take a key password as their value.
//
// Security considerations: a process's arguments are readable by every
// local user (ps, /proc/PID/cmdline), so a key password must never be a
// flag value. PasswordFlag finds such a flag in the raw arguments, before
// a flag parser runs: a parser's error could echo the value. PasswordFlag
// returns the flag's name, never its value.
package dropin

import (
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
)

// Unsupported is one of the official helper's flags that is accepted by
// the parser and refused by the command.
type Unsupported struct {
	// Name is the flag's name, without "--".
	Name string
	// IsBool is true for a flag that takes no value.
	IsBool bool
}

// UnsupportedFlags are the official helper's flags for PKCS#11, TPM
// passwords and certificate stores.
var UnsupportedFlags = []Unsupported{
	{"cert-selector", false},
	{"use-latest-expiring-certificate", true},
	{"system-store-name", false},
	{"tpm-key-password", false},
	{"reuse-pin", true},
	{"pkcs11-lib", false},
}

// AddUnsupported adds to fs the UnsupportedFlags named (all of them when
// none is), in the --help section group (cliflags.SetGroup; the command
// line's is cliflags.Unsupported, printed as one line).
func AddUnsupported(fs *pflag.FlagSet, group string, names ...string) {
	for _, u := range UnsupportedFlags {
		if len(names) > 0 && !slices.Contains(names, u.Name) {
			continue
		}
		if u.IsBool {
			fs.Bool(u.Name, false, "not supported")
		} else {
			fs.String(u.Name, "", "not supported: `VALUE`")
		}
		cliflags.SetGroup(fs, group, u.Name)
	}
}

// ChangedUnsupported names ("--name") the UnsupportedFlags of fs that were
// set, in the order of UnsupportedFlags; call it after parsing.
func ChangedUnsupported(fs *pflag.FlagSet) []string {
	var out []string
	for _, u := range UnsupportedFlags {
		if f := fs.Lookup(u.Name); f != nil && f.Changed {
			out = append(out, "--"+u.Name)
		}
	}
	return out
}

// PasswordFlags are the flags that would take a key password as their
// value: acme-signing-helper's of old and the official helper's.
var PasswordFlags = []string{"private-key-password", "pkcs8-password", "tpm-key-password"}

// PasswordFlag returns the first of PasswordFlags in args ("--name" or
// "--name=value"; the name is returned, without "--"), ok false when there
// is none before a "--" that ends the flags.
func PasswordFlag(args []string) (name string, ok bool) {
	for _, a := range args {
		if a == "--" {
			return "", false
		}
		for _, f := range PasswordFlags {
			if a == "--"+f || strings.HasPrefix(a, "--"+f+"=") {
				return f, true
			}
		}
	}
	return "", false
}

// UnsupportedError names ("--name") the UnsupportedFlags a command was
// given.
type UnsupportedError struct{ Flags []string }

func (e *UnsupportedError) Error() string { return strings.Join(e.Flags, ", ") + " not supported" }

// UnsupportedFlags returns Flags (internal/hints, which this package
// cannot import, matches the method).
func (e *UnsupportedError) UnsupportedFlags() []string { return e.Flags }

// RefuseUnsupported is an *UnsupportedError for flags (ChangedUnsupported's
// result), nil when there are none.
func RefuseUnsupported(flags []string) error {
	if len(flags) == 0 {
		return nil
	}
	return &UnsupportedError{Flags: flags}
}

// PasswordFlagError is a key password given as flag Name (one of
// PasswordFlags, without "--"); it never holds the value.
type PasswordFlagError struct{ Name string }

func (e *PasswordFlagError) Error() string {
	return "--" + e.Name + ": key passwords are not accepted as flag values (other users can read the command line)"
}

// PasswordFlag returns Name (internal/hints matches the method).
func (e *PasswordFlagError) PasswordFlag() string { return e.Name }

// RefusePasswordFlag is a *PasswordFlagError for the first of
// PasswordFlags in args (PasswordFlag), nil when there is none.
func RefusePasswordFlag(args []string) error {
	if f, ok := PasswordFlag(args); ok {
		return &PasswordFlagError{Name: f}
	}
	return nil
}
