// Package credargs is the rule by which a command that sets up a
// credential_process running this program (permissions record's
// temporary profile; aws-config's profile line follows the same rule)
// chooses the credential-process arguments it passes on, and whether
// any were set at all.
//
// A command parses its arguments twice: once as given on the command
// line, and once with the environment and the --config file layered
// under them (cliflags.Parse). With --config on the command line the
// child gets --config FILE and the flags of the command line only, so
// that it reads the same file and keeps following it; otherwise it gets
// every setting in effect, wherever it came from. Path values are made
// absolute, so the arguments mean the same from any working directory.
//
// Security considerations: the arguments end up in a file or a command
// line others may read; key passwords are never flag values (the
// commands refuse --private-key-password), so no secret is passed on.
package credargs

import (
	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
)

// PassOn returns the arguments to pass on to credential-process from a
// command's flags: given is the flag set parsed from the command line
// alone, all the same flags with the environment and --config layered in.
// The command's own flags (own, and --config itself) are left out. With
// --config on the command line the result is --config FILE (absolute)
// followed by the flags given on the command line; otherwise every flag
// set in all. Values are rendered by cliflags.Args (paths absolute).
func PassOn(given, all *pflag.FlagSet, own map[string]bool) []string {
	if given.Changed("config") {
		cfg, _ := all.GetString("config")
		return append([]string{"--config", credentials.AbsPath(cfg)}, cliflags.Args(all, func(f *pflag.Flag) bool {
			return !own[f.Name] && f.Name != "config" && given.Changed(f.Name)
		}, credentials.AbsPath)...)
	}
	return cliflags.Args(all, func(f *pflag.Flag) bool { return !own[f.Name] && f.Name != "config" && f.Changed }, credentials.AbsPath)
}

// AnySet reports whether a flag of fs whose name include accepts is set,
// from the command line, the environment or the config file.
func AnySet(fs *pflag.FlagSet, include func(name string) bool) bool {
	set := false
	fs.VisitAll(func(f *pflag.Flag) { set = set || f.Changed && include(f.Name) })
	return set
}
