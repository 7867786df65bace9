package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const doctorHelp = `[flags]

Check a setup and print a checklist, one line per check (PASS, WARN, FAIL or
SKIP, with the fix): files, permissions, key, chain, validity, subject, key
usage, ARNs and regions, fingerprint, clock, and with --call a real
CreateSession. Exit 1 when any check fails. Takes the credential-process
flags.
`

type doctorOptions struct {
	cp          credentialProcessOptions
	anchorCerts []string
	call        bool
	offline     bool
	format      string
	maxSkew     time.Duration
}

func runDoctor(e *env, args []string) error {
	if err := rejectPasswordFlag("doctor", args); err != nil {
		return err
	}
	if err := rejectTPMPasswordFlag("doctor", args); err != nil {
		return err
	}
	var o doctorOptions
	fs := newFlagSet(e, "doctor", doctorHelp)
	o.cp.addFlags(fs)
	fs.StringArrayVar(&o.anchorCerts, "anchor-cert", nil, "trust anchor CA certificate(s) in PEM `FILE` to verify the chain against; repeatable (default: the system roots)")
	fs.BoolVar(&o.call, "call", false, "also make a real CreateSession call")
	fs.BoolVar(&o.offline, "offline", false, "skip the checks that contact the endpoint (clock)")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	fs.DurationVar(&o.maxSkew, "max-skew", 5*time.Minute, "clock offset `DURATION` that fails (the service rejects about 5 minutes)")
	setGroup(fs, "doctor", "anchor-cert", "call", "offline", "format", "max-skew")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("doctor takes flags only", "doctor: unexpected argument %q", fs.Arg(0))
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("use --format text or --format json", "doctor: --format %q", o.format)
	}
	if o.call && o.offline {
		return usageErrorf("drop --offline to make the call", "doctor: --call and --offline exclude each other")
	}
	o.cp.collect(fs)
	rep := doctor.Run(e.ctx, o.inputs(e))
	for i := range rep.Checks {
		if c := &rep.Checks[i]; c.Status != doctor.Pass && c.Status != doctor.Skip {
			if h := doctorFix(c.Err); h != "" {
				c.Fix = h
			} else if h := hintOf(c.Err); h != "" {
				c.Fix = h
			} else if c.Fix == "" {
				c.Fix = doctorFallbackFix(c.Name)
			}
		}
	}
	var out []byte
	if o.format == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("doctor: encode report: %w", err)
		}
		out = append(b, '\n')
	} else {
		var b strings.Builder
		for _, c := range rep.Checks {
			fmt.Fprintf(&b, "%-4s  %-11s  %s\n", c.Status, c.Name, c.Detail)
			if c.Fix != "" && c.Status != doctor.Pass {
				fmt.Fprintf(&b, "      %-11s  fix: %s\n", "", c.Fix)
			}
		}
		if rep.OK {
			b.WriteString("doctor: no failures\n")
		} else {
			b.WriteString("doctor: failures found; apply the fixes above\n")
		}
		out = []byte(b.String())
	}
	if _, err := e.stdout.Write(out); err != nil {
		return err
	}
	if !rep.OK {
		return &exitError{code: 1}
	}
	return nil
}

// inputs are the options as doctor's plain values, with the clock, the
// environment and the logger of e.
func (o *doctorOptions) inputs(e *env) doctor.Inputs {
	lo := signer.LoadOptions{Certificate: o.cp.certificate, PrivateKey: o.cp.privateKey, AcmeDir: o.cp.acmeDir, Domain: o.cp.domain, Now: e.now}
	if o.cp.intermediates != "" {
		lo.Intermediates = []string{o.cp.intermediates}
	}
	lo.TPMDevice = o.cp.tpmKey.device
	cfg := o.cp.signerConfig()
	cfg.Now, cfg.Logger, cfg.CABundle = e.now, e.log, e.getenv("AWS_CA_BUNDLE")
	return doctor.Inputs{
		Load:           lo,
		KeyPassword:    func() ([]byte, error) { return o.cp.keyPassword(e) },
		TPMKeyPassword: func() ([]byte, error) { return o.cp.tpmKey.password(e) },
		Config:         cfg,
		AnchorFiles:    o.anchorCerts,
		Fingerprints:   o.cp.totp.fingerprints,
		Digits:         o.cp.totp.digitsOrDefault(),
		LookupEnv:      e.lookupEnv,
		Now:            e.now,
		Offline:        o.offline,
		Call:           o.call,
		MaxSkew:        o.maxSkew,
	}
}

// doctorFix words, with this command's flags, the fix of a problem the
// doctor found itself ("" for other errors).
func doctorFix(err error) string {
	var am *doctor.AnchorMismatchError
	switch {
	case errors.As(err, &am):
		return fmt.Sprintf("the trust anchor must be the CA that issued the top of the chain: check --anchor-cert (and the trust anchor's bundle) against the issuer %q, and that no intermediate is missing", am.Issuer)
	case errors.Is(err, doctor.ErrAnchorFile):
		return "give --anchor-cert the PEM file of your trust anchor's CA certificate(s)"
	case errors.Is(err, doctor.ErrEmbeddedRoots):
		return "pass --anchor-cert FILE"
	case errors.Is(err, doctor.ErrUnrelatedCertificates):
		return "drop the unrelated certificates from --intermediates"
	case errors.Is(err, doctor.ErrIncompleteChain):
		return "send every intermediate: use lego's NAME.crt or certbot's fullchain.pem as --certificate, or pass the issuer bundle with --intermediates (Let's Encrypt's current intermediates chain to ISRG Root X1/X2, possibly through the Gen Y cross-signs)"
	case errors.Is(err, doctor.ErrSystemRoots):
		return "pass --anchor-cert FILE with the trust anchor's CA certificate to check the chain against it"
	case errors.Is(err, doctor.ErrNoIntermediates):
		return "IAM Roles Anywhere needs every certificate between the leaf and the trust anchor: pass --intermediates with the issuer bundle (lego NAME.issuer.crt, certbot chain.pem) or a full-chain --certificate"
	case errors.Is(err, doctor.ErrMissingARN):
		return "pass --trust-anchor-arn, --profile-arn and --role-arn (or set them in the --config file)"
	case errors.Is(err, doctor.ErrRegionOverride):
		return "drop --region: the session is made in the trust anchor's region"
	case errors.Is(err, doctor.ErrEndpoint):
		return "check --endpoint"
	case errors.Is(err, doctor.ErrUnreachable):
		return "check network access to the endpoint (proxy: HTTPS_PROXY/NO_PROXY; private CA: AWS_CA_BUNDLE) or pass --offline"
	case errors.Is(err, doctor.ErrNoDate):
		return "check that --endpoint is an IAM Roles Anywhere endpoint"
	}
	return ""
}

// doctorFallbackFix is the fix of a failed check when nothing more precise
// is known.
func doctorFallbackFix(name string) string {
	switch name {
	case "fingerprint":
		return "make the --fingerprint sources readable by this user (see '" + progName + " totp seed')"
	case "call":
		return "run credential-process with --debug for the request details"
	}
	return "check the --certificate/--private-key or --acme-dir/--domain flags"
}
