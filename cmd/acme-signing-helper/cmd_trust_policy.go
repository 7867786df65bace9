package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
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

// policyError restates err, an error of package trustpolicy, in the
// flags of command cmd (hints.PolicyFlagError), as a usage error where it
// is one; an error without such wording gets the command's name.
func policyError(cmd string, err error) error {
	msg, fix, usage := hints.PolicyFlagError(cmd, err)
	switch {
	case msg == "":
		return fmt.Errorf("%s: %w", cmd, err)
	case usage:
		return &usageError{Err: &flagError{msg: msg, err: err}, Fix: fix}
	}
	return &flagError{msg: msg, err: err}
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

func runTrustPolicyRole(e *env, args []string) error {
	var o trustpolicy.RoleTemplateOptions
	fs := newFlagSet(e, "trust-policy role", trustPolicyRoleUsage)
	fs.StringSliceVar(&o.Role.TrustAnchorARNs, "trust-anchor-arn", nil, "trust anchor `ARN` pinned as aws:SourceArn; repeatable")
	fs.StringSliceVar(&o.Role.Workloads, "workload", nil, "allowed identity: a DNS `NAME` or a pattern like '*.example.com'; repeatable or comma-separated")
	fs.StringVar((*string)(&o.Role.Match), "match", "cn", "certificate `FIELD` to match: cn (x509Subject/CN) or san (x509SAN/DNS)")
	fs.IntVar(&o.Role.TOTPDigits, "totp-digits", 6, "require a session name of `N` characters (the TOTP code); 0 for no session-name condition")
	fs.StringSliceVar(&o.Role.IssuerCNs, "issuer-cn", nil, "pin the issuing CA by `CN`, e.g. YE1,YE2,YR1,YR2; repeatable or comma-separated")
	fs.StringSliceVar(&o.Role.Revoke, "revoke", nil, "deny this identity `NAME` (case-insensitive); repeatable")
	fs.StringVar(&o.Format, "format", "json", "output `FORMAT`: json (the trust policy) or cloudformation (trust anchor, profile and role)")
	fs.StringVar(&o.AnchorFile, "anchor-cert", "", "with --format cloudformation: the trust anchor's CA certificate bundle, PEM `FILE`")
	fs.StringVar(&o.Name, "name", "acme-signing-helper", "with --format cloudformation: `NAME` of the trust anchor and profile")
	fs.IntVar(&o.DurationSeconds, "session-duration", 3600, "with --format cloudformation: the profile's session duration in `SECONDS`")
	fs.StringSliceVar(&o.ManagedPolicyARNs, "managed-policy-arn", nil, "with --format cloudformation: attach this managed policy `ARN` to the role; repeatable")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	out, err := trustpolicy.RoleTemplate(o)
	if err != nil {
		return policyError("trust-policy role", err)
	}
	_, err = e.stdout.Write(out)
	return err
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
	p, err := trustpolicy.Route53(o)
	if err != nil {
		return policyError("trust-policy route53", err)
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
		return policyError("trust-policy source-ip", err)
	}
	return writePolicy(e, p)
}

// readPolicyFile reads and parses a policy document; "-" is stdin
// (trustpolicy.ReadFile). flag names where the path came from for
// messages ("--policy", "FILE").
func readPolicyFile(e *env, cmd, flag, path string) (*trustpolicy.Policy, error) {
	p, err := trustpolicy.ReadFile(path, e.stdin)
	var fe *trustpolicy.FileError
	switch {
	case errors.As(err, &fe):
		return nil, &flagError{msg: fmt.Sprintf("%s: read %s %q: %v", cmd, flag, path, fe.Err), err: err}
	case err != nil:
		return nil, fmt.Errorf("%s: %s %q: %w", cmd, flag, path, err)
	}
	return p, nil
}

func runTrustPolicyLint(e *env, args []string) error {
	var format string
	fs := newFlagSet(e, "trust-policy lint", trustPolicyLintUsage)
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := checkOutputFormat("trust-policy lint", format); err != nil {
		return err
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
