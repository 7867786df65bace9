package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

const serveEmulatorUsage = `--anchor-cert FILE [flags]

Run a local IAM Roles Anywhere CreateSession endpoint that verifies the
signature, the chain to --anchor-cert, the ARNs and the body, answers with
fake credentials and writes a CloudTrail-shaped record per call. The ARNs
it accepts are printed on stderr at start. Loopback only unless
--allow-remote; stops on SIGINT or SIGTERM.
`

func runServeEmulator(e *env, args []string) error {
	var o emulator.Options
	var trustPolicy, cloudTrail, addrFile string
	fs := newFlagSet(e, "serve-emulator", serveEmulatorUsage)
	fs.StringArrayVar(&o.AnchorFiles, "anchor-cert", nil, "trust anchor certificate(s) in PEM `FILE`; repeatable")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: a free port)")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a --listen address other than loopback")
	fs.BoolVar(&o.TLS, "tls", false, "serve HTTPS with a throwaway certificate (see --ca-out)")
	fs.StringVar(&o.CAFile, "ca-out", "", "with --tls, write the throwaway server CA (PEM) to `FILE` for AWS_CA_BUNDLE")
	fs.StringArrayVar(&o.TrustAnchorARNs, "trust-anchor-arn", nil, "accepted trust anchor `ARN`; repeatable (default: printed at start)")
	fs.StringArrayVar(&o.ProfileARNs, "profile-arn", nil, "accepted profile `ARN`; repeatable (default: printed at start)")
	fs.StringArrayVar(&o.RoleARNs, "role-arn", nil, "role `ARN` the profile lists; repeatable (default: printed at start)")
	fs.StringVar(&o.Region, "region", emulator.DefaultRegion, "`REGION` of the endpoint and of the signature scope")
	fs.StringVar(&o.AccountID, "account-id", emulator.DefaultAccountID, "AWS account `ID` of the default ARNs and of the records")
	fs.StringVar(&o.SessionNamePattern, "session-name-pattern", "", "refuse session names not matching `REGEXP` (like a trust policy on sts:RoleSessionName), e.g. '^[0-9]{6}$'")
	fs.StringVar(&trustPolicy, "trust-policy", "", "apply this role trust policy JSON `FILE` (see 'trust-policy role'); calls it does not allow get AccessDeniedException")
	fs.BoolVar(&o.NoAcceptRoleSessionName, "no-accept-role-session-name", false, "behave like a profile without acceptRoleSessionName")
	fs.BoolVar(&o.RequireSubject, "require-subject", false, "refuse leaf certificates with an empty subject (the default accepts them, as AWS documents no subject rule)")
	fs.DurationVar(&o.MaxSkew, "max-skew", emulator.DefaultMaxSkew, "allowed difference `DURATION` between the request date and the clock")
	fs.StringVar(&cloudTrail, "cloudtrail", "", "append one CloudTrail-shaped JSON record per call to `FILE` ('-' for stdout)")
	fs.StringVar(&addrFile, "addr-file", "", "write the endpoint URL to `FILE` once listening")
	fs.StringArrayVar(&o.Faults, "fault", nil, "inject a fault `SPEC` into the next calls; repeatable, in order: "+emulator.FaultSyntax)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve-emulator takes only flags", "serve-emulator: unexpected argument %q", fs.Arg(0))
	}
	if err := o.Validate(); err != nil {
		return &usageError{Err: reworded("serve-emulator", err)} // the hint comes from the error
	}
	var authorize func(emulator.AuthorizeInput) error
	if trustPolicy != "" {
		p, err := readPolicyFile(e, "serve-emulator", "--trust-policy", trustPolicy)
		if err != nil {
			return err
		}
		if authorize, err = emulator.TrustPolicy(p); err != nil {
			return withHint(fmt.Errorf("serve-emulator: --trust-policy %q: %w", trustPolicy, err), "fix the policy; 'acme-signing-helper trust-policy lint' lists its problems")
		}
	}
	cfg, faults, err := o.Config()
	if err != nil {
		return reworded("serve-emulator", err)
	}
	cfg.Now, cfg.Logger, cfg.Authorize = e.now, e.log, authorize
	switch cloudTrail {
	case "":
	case "-":
		cfg.CloudTrail = e.stdout
	default:
		f, err := os.OpenFile(cloudTrail, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return withHint(fmt.Errorf("serve-emulator: open --cloudtrail file: %w", err), "check that the directory of --cloudtrail exists and is writable")
		}
		defer f.Close()
		cfg.CloudTrail = f
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		return withHint(fmt.Errorf("serve-emulator: %w", err), "check --anchor-cert and the --*-arn flags")
	}
	for _, f := range faults {
		srv.InjectFault(f)
	}

	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return withHint(fmt.Errorf("serve-emulator: listen on %s: %w", o.Listen, err), "pick a free port, or port 0 for any")
	}
	var tlsConfig *tls.Config
	scheme := "http"
	if o.TLS {
		st, err := emulator.NewServerTLS(e.now())
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve-emulator: %w", err)
		}
		if err := atomicfile.Write(o.CAFile, st.CAPEM, 0o644, nil); err != nil {
			ln.Close()
			return withHint(fmt.Errorf("serve-emulator: --ca-out: %w", err), "check that the directory of --ca-out exists and is writable")
		}
		tlsConfig, scheme = st.Config, "https"
	}
	// The signal handler is in place before --addr-file exists: whoever
	// waits for that file and then stops the emulator gets a clean shutdown.
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	url := scheme + "://" + ln.Addr().String()
	srv.WriteBanner(e.stderr, o.Banner(url))
	if addrFile != "" {
		if err := atomicfile.Write(addrFile, []byte(url+"\n"), 0o644, nil); err != nil {
			ln.Close()
			return withHint(fmt.Errorf("serve-emulator: --addr-file: %w", err), "check that the directory of --addr-file exists and is writable")
		}
	}
	err = emulator.Serve(ctx, ln, srv, emulator.ServeOptions{
		TLS: tlsConfig, ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
		OnShutdown: func() { fmt.Fprintln(e.stderr, "serve-emulator: shutting down") },
	})
	if err != nil {
		return fmt.Errorf("serve-emulator: %w", err)
	}
	return nil
}
