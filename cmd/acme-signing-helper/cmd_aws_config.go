package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
)

const awsConfigHelp = `--profile NAME [flags]

Print a ~/.aws/config profile whose credential_process line runs this
program with the given credential-process flags (relative paths made
absolute, quoted for the AWS CLI and the SDKs alike). With --config FILE the
line passes --config FILE and the flags given; otherwise every setting in
effect is written into the line.
`

// ownAWSConfigFlags are aws-config's own flags, not passed on.
var ownAWSConfigFlags = map[string]bool{"profile": true, "binary": true, "debug": true, "config": true}

// flagArgs renders the flags of fs for which include is true, in
// cliflags.Args order, with path values made absolute (permissions record
// uses it too).
func flagArgs(fs *pflag.FlagSet, include func(*pflag.Flag) bool) []string {
	return cliflags.Args(fs, include, credentials.AbsPath)
}

func runAWSConfig(e *env, args []string) error {
	if err := rejectPasswordFlag("aws-config", args); err != nil {
		return err
	}
	var o credentialProcessOptions
	var cache cacheOptions
	var profile, binary string
	build := func() *pflag.FlagSet {
		o, cache = credentialProcessOptions{}, cacheOptions{}
		fs := newFlagSet(e, "aws-config", awsConfigHelp)
		o.addFlags(fs)
		cache.addFlags(fs)
		fs.StringVar(&profile, "profile", "", "profile `NAME` of the block (required)")
		fs.StringVar(&binary, "binary", "", "`FILE` of acme-signing-helper in the line (default: this program)")
		setGroup(fs, "aws-config", "profile", "binary")
		return fs
	}
	// Which flags were on the command line (parseFlags then adds the
	// environment and the config file).
	cli := build()
	cli.Usage = func() {} // the second flag set prints the help
	if err := cli.Parse(args); err != nil && !errors.Is(err, pflag.ErrHelp) {
		return &usageError{Err: fmt.Errorf("aws-config: %w", err), Fix: "run 'acme-signing-helper aws-config --help' for its flags"}
	}
	fs := build()
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("aws-config takes flags only", "aws-config: unexpected argument %q", fs.Arg(0))
	}
	if profile == "" || !credentials.ValidProfileName(profile) {
		return usageErrorf("pass --profile NAME (letters, digits and _.@+-): the name you give AWS_PROFILE or --profile", "aws-config: --profile %q is not a profile name", profile)
	}
	o.collect(fs)
	if err := o.validate(); err != nil {
		return err
	}
	if err := cache.validate(o.sessionDuration); err != nil {
		return err
	}
	binary, err := credentials.ProcessProgram(binary)
	if err != nil {
		return withHint(fmt.Errorf("aws-config: %w", err), "pass --binary PATH")
	}

	argv := []string{binary, "credential-process"}
	if cli.Changed("config") {
		cfg, _ := fs.GetString("config")
		argv = append(argv, "--config", credentials.AbsPath(cfg))
		argv = append(argv, flagArgs(fs, func(f *pflag.Flag) bool { return !ownAWSConfigFlags[f.Name] && cli.Changed(f.Name) })...)
	} else {
		argv = append(argv, flagArgs(fs, func(f *pflag.Flag) bool { return !ownAWSConfigFlags[f.Name] && f.Changed })...)
	}
	line, err := credentials.CredentialProcessLine(argv)
	if err != nil {
		return withHint(fmt.Errorf("aws-config: %w", err), "rename the file or directory")
	}
	_, err = fmt.Fprint(e.stdout, credentials.ConfigProfile(profile, line))
	return err
}
