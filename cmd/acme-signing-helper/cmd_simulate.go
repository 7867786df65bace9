package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"

	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

const simulateUsage = `--policy FILE (--certificate FILE | --tag KEY=VALUE...) --session-name NAME --source-arn ARN [flags]

Tell whether a role trust policy allows IAM Roles Anywhere's CreateSession
(sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity unless --action
names one), with the principal tags of --certificate or --tag. Prints ALLOW
or DENY, then per action the deciding statement. Exit 0 allow, 1 deny.
`

func runSimulate(e *env, args []string) error {
	var (
		o      trustpolicy.SimulateOptions
		format string
	)
	fs := newFlagSet(e, "simulate", simulateUsage)
	fs.StringVar(&o.PolicyFile, "policy", "", "role trust policy JSON `FILE` ('-' for stdin)")
	fs.StringVar(&o.CertificateFile, "certificate", "", "leaf certificate PEM `FILE` (the first certificate is used) to take the principal tags from")
	fs.StringArrayVar(&o.Tags, "tag", nil, "principal tag `KEY=VALUE`, e.g. x509Subject/CN=host.example.com; repeatable")
	fs.StringVar(&o.RoleSessionName, "session-name", "", "role session `NAME` of the request (sts:RoleSessionName)")
	fs.StringVar(&o.TrustAnchorARN, "source-arn", "", "trust anchor `ARN` of the request (aws:SourceArn)")
	fs.StringArrayVar(&o.Actions, "action", nil, "check only this `ACTION` (default: sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity); repeatable")
	fs.StringVar(&o.SourceIP, "source-ip", "", "caller `IP` address (aws:SourceIp)")
	fs.StringArrayVar(&o.Context, "context", nil, "any other condition key `KEY=VALUE`; repeatable")
	fs.StringVar(&o.Principal, "principal", trustpolicy.RolesAnywhereService, "calling service `PRINCIPAL`")
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	fs.StringVar(&o.Resource, "resource", "", "identity policy mode: the resource `ARN` of the call ('*' for none); checks each --action against a permissions policy")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	if o.Resource != "" {
		return simulateIdentity(e, &o, format)
	}
	if err := o.Validate(); err != nil {
		return policyError("simulate", err)
	}
	if err := checkOutputFormat("simulate", format); err != nil {
		return err
	}
	p, err := readPolicyFile(e, "simulate", "--policy", o.PolicyFile)
	if err != nil {
		return err
	}
	var cert *x509.Certificate
	if o.CertificateFile != "" {
		if cert, err = readLeafCertificate(o.CertificateFile); err != nil {
			return err
		}
	}
	req, err := o.CreateSessionRequest(cert, e.now(), e.log)
	if err != nil {
		return policyError("simulate", err)
	}
	d, err := trustpolicy.EvaluateCreateSession(p, req)
	if err != nil {
		// An IAM-rejected policy (*trustpolicy.ElementError) or a bad
		// condition brings its own hint; anything else gets this one.
		return withHint(fmt.Errorf("simulate: --policy %q: %w", o.PolicyFile, err), "fix the policy; 'acme-signing-helper trust-policy lint' lists its problems")
	}
	for _, a := range d.Actions {
		e.log.Debug("simulate", "action", a.Action, "decision", a.Verdict(), "statement", a.Statement+1)
	}
	return writeDecision(e, format, d, d.Allowed, d.Text(p, o.Principal))
}

// checkOutputFormat refuses a --format other than text and json.
func checkOutputFormat(cmd, format string) error {
	if format != "text" && format != "json" {
		return usageErrorf("use --format text or --format json", "%s: unknown --format %q", cmd, format)
	}
	return nil
}

// writeDecision prints a decision d as indented JSON or as text, and ends
// the command with exit code 1 unless allowed.
func writeDecision(e *env, format string, d any, allowed bool, text string) error {
	if format == "json" {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		text = string(append(b, '\n'))
	}
	if _, err := io.WriteString(e.stdout, text); err != nil {
		return err
	}
	if !allowed {
		return &exitError{Code: 1}
	}
	return nil
}

// readLeafCertificate reads the first certificate of a PEM file (a leaf or
// a full chain, leaf first), worded for --certificate.
func readLeafCertificate(path string) (*x509.Certificate, error) {
	cert, err := signer.ReadLeafCertificate(path)
	if err != nil {
		msg, cause := hints.LeafCertificateFlagError("simulate", "--certificate", path, err)
		return nil, withHint(&flagError{msg: msg, err: cause}, hints.LeafCertificateFix)
	}
	return cert, nil
}
