package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const serveEmulatorUsage = `--anchor-cert FILE [flags]

Run a local IAM Roles Anywhere CreateSession endpoint that verifies the
signature, the chain to --anchor-cert, the ARNs and the body, answers with
fake credentials and writes a CloudTrail-shaped record per call. The ARNs
it accepts are printed on stderr at start. Loopback only unless
--allow-remote; stops on SIGINT or SIGTERM.
`

type serveEmulatorOptions struct {
	anchorCerts     []string
	listen          string
	allowRemote     bool
	tls             bool
	caOut           string
	trustAnchorARNs []string
	profileARNs     []string
	roleARNs        []string
	region          string
	accountID       string
	sessionPattern  string
	trustPolicy     string
	noAcceptName    bool
	maxSkew         time.Duration
	cloudTrail      string
	addrFile        string
	faults          []string
	requireSubject  bool
}

func (o *serveEmulatorOptions) validate() error {
	if len(o.anchorCerts) == 0 {
		return usageErrorf("name the CA certificate your leaf chains to, e.g. --anchor-cert root.pem (the trust anchor's bundle)", "serve-emulator: --anchor-cert is required")
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usageErrorf("give --listen as HOST:PORT, e.g. 127.0.0.1:0 (port 0 picks a free port)", "serve-emulator: --listen %q: %v", o.listen, err)
	}
	if !o.allowRemote && !emulator.LoopbackHost(host) {
		return usageErrorf("listen on 127.0.0.1 or ::1, or add --allow-remote if you really mean to expose the emulator", "serve-emulator: --listen %q is not a loopback address", o.listen)
	}
	if o.tls && o.caOut == "" {
		return usageErrorf("add --ca-out FILE: clients trust the throwaway server CA written there (AWS_CA_BUNDLE=FILE)", "serve-emulator: --tls needs --ca-out")
	}
	if !o.tls && o.caOut != "" {
		return usageErrorf("drop --ca-out, or add --tls", "serve-emulator: --ca-out is only used with --tls")
	}
	if o.maxSkew <= 0 {
		return usageErrorf("give --max-skew a positive duration such as 5m", "serve-emulator: --max-skew %v is not positive", o.maxSkew)
	}
	for _, set := range []struct {
		flag string
		arns []string
	}{{"trust-anchor-arn", o.trustAnchorARNs}, {"profile-arn", o.profileARNs}, {"role-arn", o.roleARNs}} {
		for _, a := range set.arns {
			if _, err := arn.Parse(a); err != nil {
				return usageErrorf("give --"+set.flag+" a full ARN like arn:aws:...; omit it to use the default printed at start", "serve-emulator: --%s %q: %v", set.flag, a, err)
			}
		}
	}
	if o.region == "" {
		return usageErrorf("give --region, e.g. us-east-1", "serve-emulator: --region is empty")
	}
	return nil
}

func runServeEmulator(e *env, args []string) error {
	var o serveEmulatorOptions
	fs := newFlagSet(e, "serve-emulator", serveEmulatorUsage)
	fs.StringArrayVar(&o.anchorCerts, "anchor-cert", nil, "trust anchor certificate(s) in PEM `FILE`; repeatable")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: a free port)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --listen address other than loopback")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a throwaway certificate (see --ca-out)")
	fs.StringVar(&o.caOut, "ca-out", "", "with --tls, write the throwaway server CA (PEM) to `FILE` for AWS_CA_BUNDLE")
	fs.StringArrayVar(&o.trustAnchorARNs, "trust-anchor-arn", nil, "accepted trust anchor `ARN`; repeatable (default: printed at start)")
	fs.StringArrayVar(&o.profileARNs, "profile-arn", nil, "accepted profile `ARN`; repeatable (default: printed at start)")
	fs.StringArrayVar(&o.roleARNs, "role-arn", nil, "role `ARN` the profile lists; repeatable (default: printed at start)")
	fs.StringVar(&o.region, "region", emulator.DefaultRegion, "`REGION` of the endpoint and of the signature scope")
	fs.StringVar(&o.accountID, "account-id", emulator.DefaultAccountID, "AWS account `ID` of the default ARNs and of the records")
	fs.StringVar(&o.sessionPattern, "session-name-pattern", "", "refuse session names not matching `REGEXP` (like a trust policy on sts:RoleSessionName), e.g. '^[0-9]{6}$'")
	fs.StringVar(&o.trustPolicy, "trust-policy", "", "apply this role trust policy JSON `FILE` (see 'trust-policy role'); calls it does not allow get AccessDeniedException")
	fs.BoolVar(&o.noAcceptName, "no-accept-role-session-name", false, "behave like a profile without acceptRoleSessionName")
	fs.BoolVar(&o.requireSubject, "require-subject", false, "refuse leaf certificates with an empty subject (the default accepts them, as AWS documents no subject rule)")
	fs.DurationVar(&o.maxSkew, "max-skew", emulator.DefaultMaxSkew, "allowed difference `DURATION` between the request date and the clock")
	fs.StringVar(&o.cloudTrail, "cloudtrail", "", "append one CloudTrail-shaped JSON record per call to `FILE` ('-' for stdout)")
	fs.StringVar(&o.addrFile, "addr-file", "", "write the endpoint URL to `FILE` once listening")
	fs.StringArrayVar(&o.faults, "fault", nil, "inject a fault `SPEC` into the next calls; repeatable, in order: "+emulator.FaultSyntax)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve-emulator takes only flags", "serve-emulator: unexpected argument %q", fs.Arg(0))
	}
	// An empty value (ACME_SIGNING_HELPER_ROLE_ARN= in the environment)
	// adds nothing.
	for _, l := range []*[]string{&o.anchorCerts, &o.trustAnchorARNs, &o.profileARNs, &o.roleARNs, &o.faults} {
		*l = slices.DeleteFunc(*l, func(s string) bool { return strings.TrimSpace(s) == "" })
	}
	if err := o.validate(); err != nil {
		return err
	}

	cfg := emulator.Config{
		TrustAnchorARNs: o.trustAnchorARNs,
		ProfileARNs:     o.profileARNs,
		RoleARNs:        o.roleARNs,
		Region:          o.region,
		AccountID:       o.accountID,
		Now:             e.now,
		MaxSkew:         o.maxSkew,
		RequireSubject:  o.requireSubject,
		Logger:          e.log,
	}
	if o.noAcceptName {
		f := false
		cfg.AcceptRoleSessionName = &f
	}
	if o.sessionPattern != "" {
		re, err := regexp.Compile(o.sessionPattern)
		if err != nil {
			return usageErrorf("give --session-name-pattern a Go regular expression, e.g. '^[0-9]{6}$'", "serve-emulator: --session-name-pattern: %w", err)
		}
		cfg.SessionNamePattern = re
	}
	if o.trustPolicy != "" {
		p, err := readPolicyFile(e, "serve-emulator", "--trust-policy", o.trustPolicy)
		if err != nil {
			return err
		}
		if cfg.Authorize, err = emulator.TrustPolicy(p); err != nil {
			return withHint(fmt.Errorf("serve-emulator: --trust-policy %q: %w", o.trustPolicy, err), "fix the policy; 'acme-signing-helper trust-policy lint' lists its problems")
		}
	}
	for _, f := range o.anchorCerts {
		certs, err := readEmulatorAnchors(f)
		if err != nil {
			return err
		}
		cfg.AnchorCerts = append(cfg.AnchorCerts, certs...)
	}
	var faults []emulator.Fault
	for _, spec := range o.faults {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			return usageErrorf("write --fault as "+emulator.FaultSyntax, "serve-emulator: --fault: %w", err)
		}
		faults = append(faults, f)
	}
	switch o.cloudTrail {
	case "":
	case "-":
		cfg.CloudTrail = e.stdout
	default:
		f, err := os.OpenFile(o.cloudTrail, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
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

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return withHint(fmt.Errorf("serve-emulator: listen on %s: %w", o.listen, err), "pick a free port, or port 0 for any")
	}
	var tlsConfig *tls.Config
	scheme := "http"
	if o.tls {
		st, err := emulator.NewServerTLS(e.now())
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve-emulator: %w", err)
		}
		if err := atomicfile.Write(o.caOut, st.CAPEM, 0o644, nil); err != nil {
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
	srv.WriteBanner(e.stderr, emulator.Banner{URL: url, SessionPattern: o.sessionPattern, NoAcceptName: o.noAcceptName, Faults: o.faults, CAFile: o.caOut})
	if o.addrFile != "" {
		if err := atomicfile.Write(o.addrFile, []byte(url+"\n"), 0o644, nil); err != nil {
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

// readEmulatorAnchors reads every CERTIFICATE block of a PEM file.
func readEmulatorAnchors(path string) ([]*x509.Certificate, error) {
	hint := "give --anchor-cert a PEM file holding the CA certificate(s) of your trust anchor"
	certs, err := signer.ReadCertificateFile(path)
	var (
		fe *signer.FileError
		ce *signer.CertificateError
	)
	switch {
	case errors.As(err, &fe):
		return nil, withHint(fmt.Errorf("read --anchor-cert %q: %w", path, fe.Err), hint)
	case errors.As(err, &ce) && ce.Block == 0:
		return nil, withHint(fmt.Errorf("read --anchor-cert %q: no PEM CERTIFICATE block", path), hint)
	case errors.As(err, &ce):
		return nil, withHint(fmt.Errorf("read --anchor-cert %q: PEM block %d: %w", path, ce.Block, ce.Err), hint)
	case err != nil:
		return nil, withHint(fmt.Errorf("read --anchor-cert %q: %w", path, err), hint)
	}
	for _, c := range certs {
		if err := emulator.CheckAnchor(c); err != nil {
			return nil, fmt.Errorf("read --anchor-cert %q: %w", path, err)
		}
	}
	return certs, nil
}
