package main

import (
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
)

const doctorHelp = `[flags]

Check a setup and print a checklist, one line per check (PASS, WARN, FAIL or
SKIP, with the fix): files, permissions, key, chain, validity, subject, key
usage, ARNs and regions, fingerprint, clock, and with --call a real
CreateSession. Exit 1 when any check fails. Takes the credential-process
flags.
`

// doctorOptions are the credential-process flags and doctor's own, bound
// to the doctor.Inputs fields they set.
type doctorOptions struct {
	cp     credentialProcessOptions
	in     doctor.Inputs
	format string
}

func runDoctor(e *env, args []string) error {
	if err := rejectPasswordFlag("doctor", args); err != nil {
		return err
	}
	var o doctorOptions
	fs := newFlagSet(e, "doctor", doctorHelp)
	o.cp.addFlags(fs)
	fs.StringArrayVar(&o.in.AnchorFiles, "anchor-cert", nil, "trust anchor CA certificate(s) in PEM `FILE` to verify the chain against; repeatable (default: the system roots)")
	fs.BoolVar(&o.in.Call, "call", false, "also make a real CreateSession call")
	fs.BoolVar(&o.in.Offline, "offline", false, "skip the checks that contact the endpoint (clock)")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	fs.DurationVar(&o.in.MaxSkew, "max-skew", 5*time.Minute, "clock offset `DURATION` that fails (the service rejects about 5 minutes)")
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
	if o.in.Call && o.in.Offline {
		return usageErrorf("drop --offline to make the call", "doctor: --call and --offline exclude each other")
	}
	o.cp.collect(fs)
	rep := doctor.Run(e.ctx, o.inputs(e))
	hints.DoctorFixes(&rep)
	write := rep.WriteText
	if o.format == "json" {
		write = rep.WriteJSON
	}
	if err := write(e.stdout); err != nil {
		return err
	}
	if !rep.OK {
		return &exitError{Code: 1}
	}
	return nil
}

// inputs are the options as doctor's plain values, with the clock, the
// environment and the logger of e.
func (o *doctorOptions) inputs(e *env) doctor.Inputs {
	in := o.in // AnchorFiles, Call, Offline and MaxSkew: doctor's flags
	in.Load = o.cp.loadOptions()
	in.Load.TPMDevice = o.cp.tpmKey.device
	in.Config = o.cp.signerConfig()
	in.Config.Logger, in.Config.CABundle = e.log, e.getenv("AWS_CA_BUNDLE")
	in.KeyPassword = func() ([]byte, error) { return o.cp.keyPassword(e) }
	in.TPMKeyPassword = func() ([]byte, error) { return o.cp.tpmKey.password(e) }
	in.Fingerprints = o.cp.totp.fingerprints
	in.Digits = o.cp.totp.digitsOrDefault()
	in.LookupEnv = e.lookupEnv
	in.Now = e.now // doctor.Run gives it to Load and Config
	return in
}
