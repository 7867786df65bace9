package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

const serveHelp = `[flags]

Serve temporary AWS credentials over IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT=
http://127.0.0.1:9911/) and the ECS protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI=
http://127.0.0.1:9911/credentials with --auth-token-file), renewed
--refresh-margin before expiry; never empty credentials (HTTP 503 instead).
--port N is 127.0.0.1:N; loopback only unless --allow-remote. Takes the
credential-process flags.
`

type serveOptions struct {
	cp            credentialProcessOptions
	listen        string
	port          int
	allowRemote   bool
	hopLimit      int
	roleName      string
	ecsPath       string
	authTokenFile string
	margin        time.Duration
	readyFile     string
}

// validate checks the flags together; listenChanged and portChanged say
// whether --listen and --port were given.
func (o *serveOptions) validate(listenChanged, portChanged bool) error {
	if portChanged {
		if listenChanged {
			return usageErrorf("give the address with --listen HOST:PORT or the port with --port N (127.0.0.1), not both", "serve: --listen and --port exclude each other")
		}
		if o.port < 1 || o.port > 65535 {
			return usageErrorf("give --port between 1 and 65535", "serve: --port %d out of range", o.port)
		}
		o.listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return usageErrorf("give --listen as HOST:PORT, e.g. 127.0.0.1:9911", "serve: --listen %q: %v", o.listen, err)
	}
	if !o.allowRemote && !credentials.IsLoopback(o.listen) {
		return usageErrorf("listen on 127.0.0.1 or [::1]; add --allow-remote only if other hosts must reach the credentials (anyone who can connect gets them)", "serve: --listen %q is not a loopback address", o.listen)
	}
	if o.hopLimit < 0 || o.hopLimit > 255 {
		return usageErrorf("give --hop-limit between 1 and 255 (0 keeps the system default)", "serve: --hop-limit %d out of range", o.hopLimit)
	}
	if o.ecsPath != "" && !credentials.ValidECSPath(o.ecsPath) {
		return usageErrorf("give --ecs-path an absolute URL path outside /latest/, e.g. /credentials", "serve: --ecs-path %q", o.ecsPath)
	}
	if o.roleName != "" && !credentials.ValidRoleName(o.roleName) {
		return usageErrorf("give --role-name a name without '/' or spaces", "serve: --role-name %q", o.roleName)
	}
	if o.margin <= 0 {
		return usageErrorf("give --refresh-margin a positive duration such as 5m", "serve: --refresh-margin %s is not positive", o.margin)
	}
	return o.cp.validate()
}

// tokenFileError words a credentials.TokenFileError with the flag's name.
func tokenFileError(err error) error {
	var te *credentials.TokenFileError
	if !errors.As(err, &te) {
		return fmt.Errorf("serve: %w", err)
	}
	msg := fmt.Sprintf("serve: %s --auth-token-file: %v", te.Op, te.Err)
	switch te.Err {
	case credentials.ErrTokenFormat:
		msg = fmt.Sprintf("serve: --auth-token-file %q: %v", te.Path, te.Err)
	case credentials.ErrTokenExposed:
		msg = fmt.Sprintf("serve: --auth-token-file %q is %v (mode %04o)", te.Path, te.Err, te.Mode)
	}
	if te.Op == credentials.TokenRandom {
		msg = fmt.Sprintf("serve: make token: %v", te.Err)
	}
	return &rewordedError{msg: msg, err: err}
}

// rewordedError is a package error in the CLI's words (the flag's name).
type rewordedError struct {
	msg string
	err error
}

func (r *rewordedError) Error() string { return r.msg }
func (r *rewordedError) Unwrap() error { return r.err }

// defaultPort is the port of credentials.DefaultAddr, the official
// helper's default --port.
const defaultPort = 9911

func runServe(e *env, args []string) error {
	if err := rejectPasswordFlag("serve", args); err != nil {
		return err
	}
	var o serveOptions
	fs := newFlagSet(e, "serve", serveHelp)
	o.cp.addFlags(fs)
	fs.StringVar(&o.listen, "listen", credentials.DefaultAddr, "listen on `HOST:PORT`")
	fs.IntVar(&o.port, "port", defaultPort, "listen on 127.0.0.1:`PORT` (as the official helper; excludes --listen)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --listen address other than loopback (prints a warning)")
	fs.IntVar(&o.hopLimit, "hop-limit", 1, "IP TTL / IPv6 hop limit `N` of the answers (1: they cannot leave the host's link)")
	fs.StringVar(&o.roleName, "role-name", "", "role `NAME` the IMDS listing shows (default: the --role-arn's name)")
	fs.StringVar(&o.ecsPath, "ecs-path", credentials.DefaultECSPath, "URL `PATH` of the ECS container-credentials endpoint")
	fs.StringVar(&o.authTokenFile, "auth-token-file", "", "ECS authorization token `FILE` (created with a random token if missing); without it the ECS endpoint is off")
	fs.DurationVar(&o.margin, "refresh-margin", credentials.DefaultRefreshMargin, marginUsage)
	fs.StringVar(&o.readyFile, "ready-file", "", "write the base URL to `FILE` once serving")
	setGroup(fs, "serve", "listen", "port", "allow-remote", "hop-limit", "role-name", "ecs-path", "auth-token-file", "refresh-margin", "ready-file")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve takes flags only", "serve: unexpected argument %q", fs.Arg(0))
	}
	o.cp.collect(fs)
	o.margin = defaultMargin(fs, o.margin, o.cp.sessionDuration)
	if err := o.validate(fs.Changed("listen"), fs.Changed("port")); err != nil {
		return err
	}
	if o.roleName == "" {
		o.roleName = credentials.RoleName(o.cp.roleARN)
	}
	var token string
	if o.authTokenFile != "" {
		t, err := credentials.ReadOrCreateToken(o.authTokenFile)
		if err != nil {
			return tokenFileError(err)
		}
		if note := credentials.UncheckedModes(o.authTokenFile); note != "" {
			e.log.Warn("serve: " + note)
		}
		token = t
	}

	ctx, stop := signal.NotifyContext(e.ctx, stopSignals...)
	defer stop()
	r := &credentials.Refresher{Fetch: sessionFetcher(e, &o.cp), Margin: o.margin, Now: e.now, Log: e.log}
	// The first session must work: there is nothing to serve otherwise.
	if _, err := r.Refresh(ctx); err != nil {
		return err
	}
	srv, err := credentials.NewServer(r.Current, o.roleName)
	if err != nil {
		return err
	}
	srv.Now, srv.Log = e.now, e.log
	if token != "" {
		srv.ECSPath, srv.ECSToken = o.ecsPath, token
	} else {
		srv.ECSPath = ""
	}
	ln, err := credentials.Listen(ctx, o.listen, o.hopLimit)
	if err != nil {
		return withHint(fmt.Errorf("serve: %w", err), "pick a free port with --listen (another serve running?)")
	}
	if !credentials.IsLoopbackListener(ln) {
		if !o.allowRemote {
			ln.Close()
			return usageErrorf("listen on 127.0.0.1 or [::1]; add --allow-remote only if other hosts must reach the credentials (anyone who can connect gets them)", "serve: --listen %q is bound to %s, not a loopback address", o.listen, ln.Addr())
		}
		fmt.Fprintf(e.stderr, "%s: warning: serving credentials on %s: every host that can connect gets them\n", progName, ln.Addr())
	}
	base := "http://" + ln.Addr().String()
	tokenFile := ""
	if token != "" {
		tokenFile, _ = filepath.Abs(o.authTokenFile)
	}
	fmt.Fprintf(e.stdout, "%s\n", strings.Join(credentials.ClientEnv(base, o.ecsPath, tokenFile), "\n"))
	fmt.Fprintf(e.stderr, "%s: serving role %q on %s (hop limit %d); set the variables above in the clients' environment\n", progName, o.roleName, base, o.hopLimit)

	err = credentials.Serve(ctx, ln, srv, r, e.log, func() error {
		if o.readyFile == "" {
			return nil
		}
		return os.WriteFile(o.readyFile, []byte(base+"\n"), 0o644)
	})
	var re *credentials.ReadyError
	if errors.As(err, &re) {
		return withHint(fmt.Errorf("serve: write --ready-file: %w", re.Err), "check that the directory of --ready-file exists and is writable")
	}
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "%s: serve: shutting down\n", progName)
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
