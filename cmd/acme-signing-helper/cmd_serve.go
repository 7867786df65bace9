package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
)

const serveHelp = `[flags]

Serve temporary AWS credentials over IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT=
http://127.0.0.1:9911/) and the ECS protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI=
http://127.0.0.1:9911/credentials with --auth-token-file), renewed
--refresh-margin before expiry; never empty credentials (HTTP 503 instead).
--port N is 127.0.0.1:N; loopback only unless --allow-remote. Takes the
credential-process flags.
`

// reworded is err in the words of command cmd, naming the flag it came
// from (hints.Message), or "CMD: ERR" when there are none; it still wraps
// err, whose hint hintOf finds.
func reworded(cmd string, err error) error {
	if msg := hints.Message(cmd, err); msg != "" {
		return &rewordedError{msg: msg, err: err}
	}
	return fmt.Errorf("%s: %w", cmd, err)
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
	var o credentials.ServeOptions
	var cp credentialProcessOptions
	fs := newFlagSet(e, "serve", serveHelp)
	cp.addFlags(fs)
	fs.StringVar(&o.Listen, "listen", credentials.DefaultAddr, "listen on `HOST:PORT`")
	fs.IntVar(&o.Port, "port", defaultPort, "listen on 127.0.0.1:`PORT` (as the official helper; excludes --listen)")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a --listen address other than loopback (prints a warning)")
	fs.IntVar(&o.HopLimit, "hop-limit", 1, "IP TTL / IPv6 hop limit `N` of the answers (1: they cannot leave the host's link)")
	fs.StringVar(&o.RoleName, "role-name", "", "role `NAME` the IMDS listing shows (default: the --role-arn's name)")
	fs.StringVar(&o.ECSPath, "ecs-path", credentials.DefaultECSPath, "URL `PATH` of the ECS container-credentials endpoint")
	fs.StringVar(&o.AuthTokenFile, "auth-token-file", "", "ECS authorization token `FILE` (created with a random token if missing); without it the ECS endpoint is off")
	fs.DurationVar(&o.RefreshMargin, "refresh-margin", credentials.DefaultRefreshMargin, marginUsage)
	fs.StringVar(&o.ReadyFile, "ready-file", "", "write the base URL to `FILE` once serving")
	setGroup(fs, "serve", "listen", "port", "allow-remote", "hop-limit", "role-name", "ecs-path", "auth-token-file", "refresh-margin", "ready-file")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve takes flags only", "serve: unexpected argument %q", fs.Arg(0))
	}
	cp.collect(fs)
	sc := cp.signerConfig()
	o.RefreshMargin = defaultMargin(fs, o.RefreshMargin, sc.DurationSeconds)
	if err := o.Check(fs.Changed("listen"), fs.Changed("port")); err != nil {
		return &usageError{Err: reworded("serve", err)} // the hint comes from the error
	}
	if err := cp.validate(); err != nil {
		return err
	}
	var token string
	if o.AuthTokenFile != "" {
		t, err := credentials.ReadOrCreateToken(o.AuthTokenFile)
		if err != nil {
			return reworded("serve", err)
		}
		if note := credentials.UncheckedModes(o.AuthTokenFile); note != "" {
			e.log.Warn("serve: " + note)
		}
		token = t
	}

	ctx, stop := signal.NotifyContext(e.ctx, stopSignals...)
	defer stop()
	r := &credentials.Refresher{Fetch: sessionFetcher(e, &cp), Margin: o.RefreshMargin, Now: e.now, Log: e.log}
	// The first session must work: there is nothing to serve otherwise.
	if _, err := r.Refresh(ctx); err != nil {
		return err
	}
	srv, err := o.Server(r.Current, sc.RoleARN, token)
	if err != nil {
		return err
	}
	srv.Now, srv.Log = e.now, e.log
	ln, err := credentials.Listen(ctx, o.Listen, o.HopLimit)
	if err != nil {
		return withHint(fmt.Errorf("serve: %w", err), "pick a free port with --listen (another serve running?)")
	}
	if err := o.CheckListener(ln); err != nil {
		ln.Close()
		return &usageError{Err: reworded("serve", err)}
	}
	if !credentials.IsLoopbackListener(ln) {
		fmt.Fprintf(e.stderr, "%s: warning: serving credentials on %s: every host that can connect gets them\n", progName, ln.Addr())
	}
	base := "http://" + ln.Addr().String()
	tokenFile := ""
	if token != "" {
		tokenFile, _ = filepath.Abs(o.AuthTokenFile)
	}
	fmt.Fprintf(e.stdout, "%s\n", strings.Join(credentials.ClientEnv(base, o.ECSPath, tokenFile), "\n"))
	fmt.Fprintf(e.stderr, "%s: serving role %q on %s (hop limit %d); set the variables above in the clients' environment\n", progName, o.RoleName, base, o.HopLimit)

	err = credentials.Serve(ctx, ln, srv, r, e.log, func() error {
		if o.ReadyFile == "" {
			return nil
		}
		return os.WriteFile(o.ReadyFile, []byte(base+"\n"), 0o644)
	})
	if errors.As(err, new(*credentials.ReadyError)) {
		return reworded("serve", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "%s: serve: shutting down\n", progName)
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
