package cliflags

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cli"
	"github.com/acme-signing-helper/acme-signing-helper/internal/envfile"
)

// ConfigFlag names the flag of every command that reads a config file.
const ConfigFlag = "config"

// New makes a command's flag set with the flags every command has,
// --config and --debug (in the Other section). help is the command's
// --help text: its first line is the synopsis after the command's name,
// then a blank line and a short description; PrintHelp, called for
// --help, adds the flags and writes it to w. prefix is the variables'
// (and config keys') prefix.
func New(w io.Writer, prog, prefix, name, help string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.String(ConfigFlag, "", "read settings from `FILE`: KEY=VALUE lines (systemd EnvironmentFile format) with "+prefix+"* names; relative paths in it are relative to FILE's directory")
	fs.Bool("debug", false, "log details to stderr (never secrets)")
	SetGroup(fs, Other, ConfigFlag, "debug")
	fs.Usage = func() { PrintHelp(w, prog, fs, help) }
	return fs
}

// Parse parses args into fs, then fills every flag not given on the
// command line from its variable, else from the config file that
// --config (or its variable) names: flag > environment > config file
// (Fill; s.ConfigPath and s.Config are set here). pflag.ErrHelp is
// returned as it is (fs.Usage printed the help); a mistyped flag, an
// unreadable or malformed config file and a value a flag refuses are
// *cli.UsageError with the fix.
func Parse(fs *pflag.FlagSet, args []string, prog string, s Sources) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		fix := fmt.Sprintf("run '%s %s --help' for its flags", prog, fs.Name())
		if c := ClosestFlag(fs, err); c != "" {
			fix = "did you mean --" + c + "? " + fix
		}
		return &cli.UsageError{Err: fmt.Errorf("%s: %w", fs.Name(), err), Fix: fix}
	}
	s.ConfigPath, _ = fs.GetString(ConfigFlag)
	if !fs.Changed(ConfigFlag) {
		s.ConfigPath, _ = s.LookupEnv(EnvName(s.Prefix, ConfigFlag))
	}
	if s.ConfigPath != "" {
		var err error
		if s.Config, err = ReadConfig(s.ConfigPath, s.Prefix); err != nil {
			return err
		}
	}
	if err := Fill(fs, s, ConfigFlag); err != nil {
		var ve *ValueError
		if errors.As(err, &ve) {
			return &cli.UsageError{Err: err, Fix: fmt.Sprintf("give %s a valid value for --%s", ve.Key, ve.Flag)}
		}
		return err
	}
	return nil
}

// ReadConfig reads the settings of a --config file (internal/envfile).
// A file that cannot be opened or has a malformed line is a
// *cli.UsageError.
func ReadConfig(path, prefix string) ([]envfile.Setting, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &cli.UsageError{Err: fmt.Errorf("read config file: %w", err), Fix: "check the --config path (or " + EnvName(prefix, ConfigFlag) + ")"}
	}
	defer f.Close()
	settings, err := envfile.Parse(f, path)
	if errors.Is(err, envfile.ErrSyntax) {
		return nil, &cli.UsageError{Err: err, Fix: "write one " + prefix + "NAME=value setting per line"}
	}
	return settings, err
}
