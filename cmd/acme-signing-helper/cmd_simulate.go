package main

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

const simulateUsage = `--policy FILE (--certificate FILE | --tag KEY=VALUE...) --session-name NAME --source-arn ARN [flags]

Tell whether a role trust policy allows IAM Roles Anywhere's CreateSession
(sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity unless --action
names one), with the principal tags of --certificate or --tag. Prints ALLOW
or DENY, then per action the deciding statement. Exit 0 allow, 1 deny.
`

type simulateOptions struct {
	policy      string
	certificate string
	tags        []string
	sessionName string
	sourceArn   string
	actions     []string
	sourceIP    string
	context     []string
	principal   string
	format      string
	resource    string // identity-policy mode (cmd_simulate_identity.go)
}

func (o *simulateOptions) validate() error {
	const cmd = "simulate"
	if o.policy == "" {
		return usageErrorf("give the role trust policy, e.g. --policy trust.json", "%s: --policy is required", cmd)
	}
	if o.certificate == "" && len(o.tags) == 0 {
		return usageErrorf("give --certificate cert.pem, or the principal tags with --tag x509Subject/CN=host.example.com", "%s: --certificate or --tag is required", cmd)
	}
	if o.certificate != "" && len(o.tags) > 0 {
		return usageErrorf("use --certificate or --tag, not both", "%s: --certificate and --tag both given", cmd)
	}
	if o.sessionName == "" {
		return usageErrorf("give the role session name the client sends, e.g. --session-name 123456 (the TOTP code)", "%s: --session-name is required", cmd)
	}
	if o.sourceArn == "" {
		return usageErrorf("give the trust anchor ARN the client signs for, e.g. --source-arn arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID", "%s: --source-arn is required", cmd)
	}
	if o.sourceIP != "" {
		if _, err := netip.ParseAddr(o.sourceIP); err != nil {
			return usageErrorf("give an IP address such as 203.0.113.7", "%s: --source-ip %q is not an IP address", cmd, o.sourceIP)
		}
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("use --format text or --format json", "%s: unknown --format %q", cmd, o.format)
	}
	for _, a := range o.actions {
		if !strings.Contains(a, ":") {
			return usageErrorf("write the action as service:Name, e.g. --action sts:AssumeRole", "%s: --action %q has no service prefix", cmd, a)
		}
	}
	return nil
}

func runSimulate(e *env, args []string) error {
	o := simulateOptions{}
	fs := newFlagSet(e, "simulate", simulateUsage)
	fs.StringVar(&o.policy, "policy", "", "role trust policy JSON `FILE` ('-' for stdin)")
	fs.StringVar(&o.certificate, "certificate", "", "leaf certificate PEM `FILE` (the first certificate is used) to take the principal tags from")
	fs.StringArrayVar(&o.tags, "tag", nil, "principal tag `KEY=VALUE`, e.g. x509Subject/CN=host.example.com; repeatable")
	fs.StringVar(&o.sessionName, "session-name", "", "role session `NAME` of the request (sts:RoleSessionName)")
	fs.StringVar(&o.sourceArn, "source-arn", "", "trust anchor `ARN` of the request (aws:SourceArn)")
	fs.StringArrayVar(&o.actions, "action", nil, "check only this `ACTION` (default: sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity); repeatable")
	fs.StringVar(&o.sourceIP, "source-ip", "", "caller `IP` address (aws:SourceIp)")
	fs.StringArrayVar(&o.context, "context", nil, "any other condition key `KEY=VALUE`; repeatable")
	fs.StringVar(&o.principal, "principal", trustpolicy.RolesAnywhereService, "calling service `PRINCIPAL`")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	fs.StringVar(&o.resource, "resource", "", "identity policy mode: the resource `ARN` of the call ('*' for none); checks each --action against a permissions policy")
	if err := parseSubFlags(e, fs, args); err != nil {
		return err
	}
	if o.resource != "" {
		return simulateIdentity(e, &o)
	}
	if err := o.validate(); err != nil {
		return err
	}
	p, err := readPolicyFile(e, "simulate", "--policy", o.policy)
	if err != nil {
		return err
	}
	req := trustpolicy.CreateSessionRequest{
		TrustAnchorARN: o.sourceArn, RoleSessionName: o.sessionName, SourceIP: o.sourceIP, Time: e.now(),
		Tags: map[string]string{}, Extra: map[string][]string{}, Principal: o.principal, Actions: o.actions,
	}
	if o.certificate != "" {
		cert, err := readLeafCertificate(o.certificate)
		if err != nil {
			return err
		}
		if trustpolicy.EmptySubject(cert) {
			e.log.Warn("the certificate has an empty subject: IAM Roles Anywhere refuses it before any policy is evaluated", "certificate", o.certificate)
		}
		req.Certificate = cert
	}
	for _, t := range o.tags {
		k, v, ok := strings.Cut(t, "=")
		k = strings.TrimPrefix(k, trustpolicy.PrincipalTagPrefix)
		if !ok || k == "" {
			return usageErrorf("write --tag KEY=VALUE, e.g. --tag x509Subject/CN=host.example.com", "simulate: --tag %q: want KEY=VALUE", t)
		}
		if !trustpolicy.TagValueOK(v) {
			e.log.Warn("tag value fails the STS tag pattern; Roles Anywhere drops such a tag, so it is left out", "tag", k, "value", v)
			continue
		}
		req.Tags[k] = v
	}
	for _, c := range o.context {
		k, v, ok := strings.Cut(c, "=")
		if !ok || k == "" {
			return usageErrorf("write --context KEY=VALUE, e.g. --context aws:SecureTransport=true", "simulate: --context %q: want KEY=VALUE", c)
		}
		req.Extra[k] = append(req.Extra[k], v)
	}
	if !trustpolicy.ValidRoleSessionName(o.sessionName) {
		e.log.Warn("CreateSession refuses this session name before the trust policy (ValidationException: 2 to 64 of letters, digits and +=,.@_-)", "session-name", o.sessionName)
	}
	d, err := trustpolicy.EvaluateCreateSession(p, req)
	if err != nil {
		err = fmt.Errorf("simulate: --policy %q: %w", o.policy, err)
		var ee *trustpolicy.ElementError
		if errors.As(err, &ee) {
			return err // IAM rejects the policy: trustpolicyHint names the fix
		}
		return withHint(err, "fix the policy; 'acme-signing-helper trust-policy lint' lists its problems")
	}
	for _, a := range d.Actions {
		e.log.Debug("simulate", "action", a.Action, "decision", a.Verdict(), "statement", a.Statement+1)
	}
	if o.format == "json" {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if _, err := io.WriteString(e.stdout, d.Text(p, o.principal)); err != nil {
		return err
	}
	if !d.Allowed {
		return &exitError{Code: 1}
	}
	return nil
}

// readLeafCertificate reads the first certificate of a PEM file (a leaf or
// a full chain, leaf first).
func readLeafCertificate(path string) (*x509.Certificate, error) {
	const hint = "give the leaf certificate in PEM, e.g. lego's certificates/<domain>.crt"
	cert, err := signer.ReadLeafCertificate(path)
	var (
		fe *signer.FileError
		ce *signer.CertificateError
	)
	switch {
	case errors.As(err, &fe):
		return nil, withHint(fmt.Errorf("simulate: read --certificate: %w", fe.Err), hint)
	case errors.As(err, &ce) && ce.Block == 0:
		return nil, withHint(fmt.Errorf("simulate: --certificate %q: no PEM CERTIFICATE block", path), hint)
	case errors.As(err, &ce):
		return nil, withHint(fmt.Errorf("simulate: --certificate %q: %w", path, ce.Err), hint)
	case err != nil:
		return nil, withHint(fmt.Errorf("simulate: --certificate %q: %w", path, err), hint)
	}
	return cert, nil
}
