package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

const trustPolicyUsage = `usage: acme-signing-helper trust-policy COMMAND [flags]

Write and check the IAM policies that go with an ACME trust anchor. The
policy (JSON) goes to stdout.

commands:
  role       the IAM role trust policy for IAM Roles Anywhere (or, with
             --format cloudformation, a template with the trust anchor,
             profile and role)
  route53    the least-privilege Route 53 policy for an ACME client's DNS-01
             challenge
  source-ip  a guardrail that denies calls from other addresses
  lint       check a role trust policy; exit 1 on any error finding

Run 'acme-signing-helper trust-policy COMMAND --help' for its flags.
`

const trustPolicyRoleUsage = `--trust-anchor-arn ARN --workload NAME... [flags]

Print the trust policy of the role IAM Roles Anywhere sessions assume:
sts:TagSession, sts:SetSourceIdentity and sts:AssumeRole with a TOTP
session-name condition, for the workload identities, pinned to the trust
anchor, with a Deny for revoked identities. With --format cloudformation
--anchor-cert FILE: a template with the trust anchor, profile and role.
`

const trustPolicyRoute53Usage = `--client CLIENT --zone-id ID --domain NAME... [flags]

Print the least-privilege policy an ACME client (lego, acme.sh, traefik,
cert-manager or certbot) needs for the DNS-01 challenge in one Route 53
hosted zone: its read calls, and changes to TXT records at
_acme-challenge.<domain> only.
`

const trustPolicySourceIPUsage = `--cidr RANGE... [flags]

Print a policy that denies every action unless the call comes from one of
the ranges (calls AWS services make on your behalf are exempt); attach it
next to the role's permissions.
`

const trustPolicyLintUsage = `[flags] FILE

Check a role trust policy meant for IAM Roles Anywhere (FILE '-' reads
stdin) and list findings by severity (error, warning, info). Exit 1 when
any finding is an error.
`

func runTrustPolicy(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, trustPolicyUsage)
		return usageErrorf("run '"+progName+" trust-policy --help'", "trust-policy: missing command (role, route53, source-ip or lint)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, trustPolicyUsage)
		return nil
	case "role":
		return runTrustPolicyRole(e, args[1:])
	case "route53":
		return runTrustPolicyRoute53(e, args[1:])
	case "source-ip":
		return runTrustPolicySourceIP(e, args[1:])
	case "lint":
		return runTrustPolicyLint(e, args[1:])
	}
	return usageErrorf(didYouMean(args[0], "role", "route53", "source-ip", "lint")+"use role, route53, source-ip or lint", "trust-policy: unknown command %q", args[0])
}

// parseSubFlags parses and refuses positional arguments.
func parseSubFlags(e *env, fs *pflag.FlagSet, args []string) error {
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(fmt.Sprintf("run '%s %s --help' for its flags", progName, fs.Name()), "%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// templateError turns a trustpolicy option error into a usage error that
// names the command and the flag of the option (the flags have the
// options' names).
func templateError(cmd string, err error) error {
	var oe *trustpolicy.OptionError
	if errors.As(err, &oe) {
		return &usageError{Err: optionFlagError(cmd, "--"+oe.Option, oe), Fix: hintOf(err)}
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

// optionFlagError is "cmd: --flag "value": cause", keeping oe in the chain.
func optionFlagError(cmd, flag string, oe *trustpolicy.OptionError) error {
	if oe.Value != "" {
		flag += fmt.Sprintf(" %q", oe.Value)
	}
	return &flagError{msg: cmd + ": " + flag + ": " + oe.Err.Error(), err: oe}
}

// flagError is a package error restated with the flag it came from.
type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }

func writePolicy(e *env, p *trustpolicy.Policy) error {
	b, err := trustpolicy.Marshal(p)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b)
	return err
}

type trustPolicyRoleOptions struct {
	anchors     []string
	workloads   []string
	match       string
	digits      int
	issuers     []string
	revoke      []string
	format      string
	anchorCert  string
	name        string
	duration    int
	managedARNs []string
}

func (o *trustPolicyRoleOptions) validate() error {
	const cmd = "trust-policy role"
	switch o.format {
	case "json":
		if o.anchorCert != "" {
			return usageErrorf("--anchor-cert is only used with --format cloudformation", "%s: --anchor-cert given without --format cloudformation", cmd)
		}
		if len(o.anchors) == 0 {
			return usageErrorf("give the ARN of the trust anchor that holds your ACME CA, e.g. --trust-anchor-arn arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID", "%s: --trust-anchor-arn is required", cmd)
		}
	case "cloudformation":
		if o.anchorCert == "" {
			return usageErrorf("give the CA certificate bundle of the trust anchor, e.g. --anchor-cert issuer.pem", "%s: --format cloudformation needs --anchor-cert", cmd)
		}
		if len(o.anchors) > 0 {
			return usageErrorf("drop --trust-anchor-arn: the template pins the trust anchor it creates", "%s: --trust-anchor-arn is not used with --format cloudformation", cmd)
		}
	default:
		return usageErrorf("use --format json or --format cloudformation", "%s: unknown --format %q", cmd, o.format)
	}
	if o.match != "cn" && o.match != "san" {
		return usageErrorf("use --match cn (subject CN) or --match san (first DNS SAN; works for certificates without a CN)", "%s: unknown --match %q", cmd, o.match)
	}
	if len(o.workloads) == 0 {
		return usageErrorf("name the certificates allowed, e.g. --workload '*.example.com' or --workload host.example.com", "%s: --workload is required", cmd)
	}
	return nil
}

func runTrustPolicyRole(e *env, args []string) error {
	var o trustPolicyRoleOptions
	fs := newFlagSet(e, "trust-policy role", trustPolicyRoleUsage)
	fs.StringSliceVar(&o.anchors, "trust-anchor-arn", nil, "trust anchor `ARN` pinned as aws:SourceArn; repeatable")
	fs.StringSliceVar(&o.workloads, "workload", nil, "allowed identity: a DNS `NAME` or a pattern like '*.example.com'; repeatable or comma-separated")
	fs.StringVar(&o.match, "match", "cn", "certificate `FIELD` to match: cn (x509Subject/CN) or san (x509SAN/DNS)")
	fs.IntVar(&o.digits, "totp-digits", 6, "require a session name of `N` characters (the TOTP code); 0 for no session-name condition")
	fs.StringSliceVar(&o.issuers, "issuer-cn", nil, "pin the issuing CA by `CN`, e.g. YE1,YE2,YR1,YR2; repeatable or comma-separated")
	fs.StringSliceVar(&o.revoke, "revoke", nil, "deny this identity `NAME` (case-insensitive); repeatable")
	fs.StringVar(&o.format, "format", "json", "output `FORMAT`: json (the trust policy) or cloudformation (trust anchor, profile and role)")
	fs.StringVar(&o.anchorCert, "anchor-cert", "", "with --format cloudformation: the trust anchor's CA certificate bundle, PEM `FILE`")
	fs.StringVar(&o.name, "name", "acme-signing-helper", "with --format cloudformation: `NAME` of the trust anchor and profile")
	fs.IntVar(&o.duration, "session-duration", 3600, "with --format cloudformation: the profile's session duration in `SECONDS`")
	fs.StringSliceVar(&o.managedARNs, "managed-policy-arn", nil, "with --format cloudformation: attach this managed policy `ARN` to the role; repeatable")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	ro := trustpolicy.RoleOptions{
		TrustAnchorARNs: o.anchors, Workloads: o.workloads, Match: trustpolicy.Match(o.match),
		TOTPDigits: o.digits, IssuerCNs: o.issuers, Revoke: o.revoke,
	}
	if o.format == "cloudformation" {
		pemData, err := rawfile.ReadFile(o.anchorCert, trustpolicy.MaxDocumentBytes)
		if err != nil {
			return withHint(fmt.Errorf("trust-policy role: read --anchor-cert: %w", err), "give the PEM file of your ACME CA's certificate")
		}
		out, err := trustpolicy.CloudFormation(trustpolicy.CloudFormationOptions{
			Role: ro, AnchorPEM: pemData, Name: o.name, DurationSeconds: o.duration, ManagedPolicyARNs: o.managedARNs,
		})
		if err != nil {
			var oe *trustpolicy.OptionError
			if errors.As(err, &oe) && oe.Option == "anchor-cert" {
				return withHint(optionFlagError("trust-policy role", fmt.Sprintf("--anchor-cert %q", o.anchorCert), oe), hintOf(err))
			}
			return templateError("trust-policy role", err)
		}
		_, err = e.stdout.Write(out)
		return err
	}
	p, err := trustpolicy.Role(ro)
	if err != nil {
		return templateError("trust-policy role", err)
	}
	return writePolicy(e, p)
}

func runTrustPolicyRoute53(e *env, args []string) error {
	var o trustpolicy.Route53Options
	fs := newFlagSet(e, "trust-policy route53", trustPolicyRoute53Usage)
	fs.StringVar(&o.Client, "client", "", "ACME `CLIENT`: "+strings.Join(trustpolicy.Route53Clients, ", "))
	fs.StringVar(&o.ZoneID, "zone-id", "", "hosted zone `ID` (Z...)")
	fs.StringSliceVar(&o.Domains, "domain", nil, "certificate domain `NAME` (*.example.com allowed); repeatable or comma-separated")
	fs.StringVar(&o.Partition, "partition", "aws", "ARN `PARTITION` (aws, aws-cn, aws-us-gov)")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	if o.Client == "" {
		return usageErrorf("name your ACME client: --client "+strings.Join(trustpolicy.Route53Clients, ", "), "trust-policy route53: --client is required")
	}
	if o.ZoneID == "" {
		return usageErrorf("copy the ID from 'aws route53 list-hosted-zones-by-name --dns-name example.com'", "trust-policy route53: --zone-id is required")
	}
	p, err := trustpolicy.Route53(o)
	if err != nil {
		return templateError("trust-policy route53", err)
	}
	return writePolicy(e, p)
}

func runTrustPolicySourceIP(e *env, args []string) error {
	var cidrs []string
	fs := newFlagSet(e, "trust-policy source-ip", trustPolicySourceIPUsage)
	fs.StringSliceVar(&cidrs, "cidr", nil, "allowed source address or `RANGE` (203.0.113.7, 203.0.113.0/24, 2001:db8::/32); repeatable or comma-separated")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	p, err := trustpolicy.SourceIP(cidrs)
	if err != nil {
		return templateError("trust-policy source-ip", err)
	}
	return writePolicy(e, p)
}

// readPolicyFile reads and parses a policy document; "-" is stdin. flag
// names where the path came from for messages ("--policy", "FILE"). It
// reads one byte more than trustpolicy.Parse accepts, so an oversized
// document is refused by Parse rather than cut.
func readPolicyFile(e *env, cmd, flag, path string) (*trustpolicy.Policy, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, trustpolicy.MaxDocumentBytes+1))
	} else {
		data, err = readFileLimited(path, trustpolicy.MaxDocumentBytes+1) // Parse refuses what is over
	}
	if err != nil {
		return nil, withHint(fmt.Errorf("%s: read %s %q: %w", cmd, flag, path, err), "check the path of the policy document")
	}
	p, err := trustpolicy.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %q: %w", cmd, flag, path, err)
	}
	return p, nil
}

// readFileLimited reads at most n bytes of the regular file path, without
// blocking on a FIFO (internal/rawfile).
func readFileLimited(path string, n int64) ([]byte, error) {
	f, err := rawfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func runTrustPolicyLint(e *env, args []string) error {
	var format string
	fs := newFlagSet(e, "trust-policy lint", trustPolicyLintUsage)
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if format != "text" && format != "json" {
		return usageErrorf("use --format text or --format json", "trust-policy lint: unknown --format %q", format)
	}
	if fs.NArg() != 1 {
		return usageErrorf("give one policy file, e.g. 'trust-policy lint trust.json' ('-' for stdin)", "trust-policy lint: want one FILE, got %d arguments", fs.NArg())
	}
	p, err := readPolicyFile(e, "trust-policy lint", "file", fs.Arg(0))
	if err != nil {
		return err
	}
	findings := trustpolicy.Lint(p)
	if format == "json" {
		b, err := trustpolicy.MarshalFindings(findings)
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
	} else {
		for _, f := range findings {
			if _, err := fmt.Fprintln(e.stdout, f.String()); err != nil {
				return err
			}
		}
		if len(findings) == 0 {
			fmt.Fprintln(e.stderr, "trust-policy lint: no findings")
		}
	}
	if trustpolicy.HasErrors(findings) {
		return &exitError{Code: 1}
	}
	return nil
}
