package hints

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestPolicyFlagErrorValidate: every error the Validate methods of
// trustpolicy return is worded with its flag, as a usage error with a
// fix (the texts the trust-policy and simulate testscripts expect).
func TestPolicyFlagErrorValidate(t *testing.T) {
	role := func(o trustpolicy.RoleTemplateOptions) error { return o.Validate() }
	anchors := []string{"arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/x"}
	work := []string{"a.example.com"}
	sim := trustpolicy.SimulateOptions{PolicyFile: "p.json", Tags: []string{"a=b"}, RoleSessionName: "123456", TrustAnchorARN: anchors[0]}
	simWith := func(mod func(*trustpolicy.SimulateOptions)) error { o := sim; mod(&o); return o.Validate() }
	ident := trustpolicy.SimulateOptions{PolicyFile: "p.json", Actions: []string{"s3:GetObject"}, Resource: "*"}
	identWith := func(mod func(*trustpolicy.SimulateOptions)) error { o := ident; mod(&o); return o.ValidateIdentity() }
	tests := []struct {
		name, cmd string
		err       error
		want      string
		fix       string // a part of the fix
	}{
		{"no anchor", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "json", Role: trustpolicy.RoleOptions{Workloads: work}}),
			"trust-policy role: --trust-anchor-arn is required", "e.g. --trust-anchor-arn arn:aws:rolesanywhere:"},
		{"anchor cert with json", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "json", AnchorFile: "ca.pem"}),
			"trust-policy role: --anchor-cert given without --format cloudformation", "only used with --format cloudformation"},
		{"cloudformation without cert", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "cloudformation"}),
			"trust-policy role: --format cloudformation needs --anchor-cert", "--anchor-cert issuer.pem"},
		{"cloudformation with arn", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "cloudformation", AnchorFile: "ca.pem", Role: trustpolicy.RoleOptions{TrustAnchorARNs: anchors}}),
			"trust-policy role: --trust-anchor-arn is not used with --format cloudformation", "drop --trust-anchor-arn"},
		{"format", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "yaml"}),
			`trust-policy role: unknown --format "yaml"`, "--format json or --format cloudformation"},
		{"match", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "json", Role: trustpolicy.RoleOptions{TrustAnchorARNs: anchors, Match: "uri"}}),
			`trust-policy role: unknown --match "uri"`, "--match san"},
		{"no workload", "trust-policy role", role(trustpolicy.RoleTemplateOptions{Format: "json", Role: trustpolicy.RoleOptions{TrustAnchorARNs: anchors, Match: "cn"}}),
			"trust-policy role: --workload is required", "--workload '*.example.com'"},
		{"no client", "trust-policy route53", (&trustpolicy.Route53Options{ZoneID: "Z1"}).Validate(),
			"trust-policy route53: --client is required", "name your ACME client: --client lego"},
		{"no zone", "trust-policy route53", (&trustpolicy.Route53Options{Client: "lego"}).Validate(),
			"trust-policy route53: --zone-id is required", "list-hosted-zones-by-name"},
		{"no policy", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.PolicyFile = "" }),
			"simulate: --policy is required", "--policy trust.json"},
		{"neither", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.Tags = nil }),
			"simulate: --certificate or --tag is required", "--certificate cert.pem"},
		{"both", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.CertificateFile = "leaf.pem" }),
			"simulate: --certificate and --tag both given", "not both"},
		{"no session", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.RoleSessionName = "" }),
			"simulate: --session-name is required", "--session-name 123456"},
		{"no source arn", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.TrustAnchorARN = "" }),
			"simulate: --source-arn is required", "--source-arn arn:aws:rolesanywhere:"},
		{"bad ip", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.SourceIP = "1.2.3" }),
			`simulate: --source-ip "1.2.3" is not an IP address`, "203.0.113.7"},
		{"action", "simulate", simWith(func(o *trustpolicy.SimulateOptions) { o.Actions = []string{"AssumeRole"} }),
			`simulate: --action "AssumeRole" has no service prefix`, "--action sts:AssumeRole"},
		{"tag", "simulate", func() error {
			o := sim
			o.Tags = []string{"novalue"}
			_, err := o.CreateSessionRequest(nil, time.Time{}, nil)
			return err
		}(),
			`simulate: --tag "novalue": want KEY=VALUE`, "--tag x509Subject/CN="},
		{"context", "simulate", func() error {
			o := sim
			o.Context = []string{"x"}
			_, err := o.CreateSessionRequest(nil, time.Time{}, nil)
			return err
		}(),
			`simulate: --context "x": want KEY=VALUE`, "--context aws:SecureTransport=true"},
		{"identity no policy", "simulate", identWith(func(o *trustpolicy.SimulateOptions) { o.PolicyFile = "" }),
			"simulate: --policy is required", "--policy policy.json"},
		{"identity no action", "simulate", identWith(func(o *trustpolicy.SimulateOptions) { o.Actions = nil }),
			"simulate: --resource needs --action", "--action s3:GetObject --resource"},
		{"identity with tag", "simulate", identWith(func(o *trustpolicy.SimulateOptions) { o.Tags = []string{"a=b"} }),
			"simulate: --resource given with CreateSession flags", "drop --certificate, --tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error to word")
			}
			msg, fix, usage := PolicyFlagError(tt.cmd, tt.err)
			if msg != tt.want || !strings.Contains(fix, tt.fix) || !usage {
				t.Errorf("got %q, fix %q, usage %v; want %q, a fix with %q, usage", msg, fix, usage, tt.want, tt.fix)
			}
		})
	}
}

// TestPolicyFlagErrorTemplates: the other option errors read
// "cmd: --flag "value": cause" with the option's hint; a bad anchor
// bundle and an unreadable anchor are not usage errors.
func TestPolicyFlagErrorTemplates(t *testing.T) {
	_, err := trustpolicy.SourceIP(nil)
	if msg, fix, usage := PolicyFlagError("trust-policy source-ip", err); msg != "trust-policy source-ip: --cidr: required" || fix == "" || !usage {
		t.Errorf("required: got %q, %q, %v", msg, fix, usage)
	}
	_, err = trustpolicy.Route53(trustpolicy.Route53Options{Client: "caddy", ZoneID: "Z1", Domains: []string{"example.com"}})
	if msg, fix, usage := PolicyFlagError("trust-policy route53", err); !strings.HasPrefix(msg, `trust-policy route53: --client "caddy": unknown ACME client`) ||
		!strings.HasPrefix(fix, "use --client lego") || !usage {
		t.Errorf("value: got %q, %q, %v", msg, fix, usage)
	}
	bundle := &trustpolicy.OptionError{Option: "anchor-cert", Value: "leaf.pem", Err: errors.New("certificate 1 (CN=x) is not a CA certificate")}
	if msg, fix, usage := PolicyFlagError("trust-policy role", bundle); msg != `trust-policy role: --anchor-cert "leaf.pem": certificate 1 (CN=x) is not a CA certificate` || fix == "" || usage {
		t.Errorf("bundle: got %q, %q, %v", msg, fix, usage)
	}
	read := &trustpolicy.FileError{What: "anchor certificate", Path: "x.pem", Err: errors.New("open x.pem: boom")}
	if msg, fix, usage := PolicyFlagError("trust-policy role", fmt.Errorf("w: %w", read)); msg != "trust-policy role: read --anchor-cert: open x.pem: boom" ||
		fix != "give the PEM file of your ACME CA's certificate" || usage {
		t.Errorf("read: got %q, %q, %v", msg, fix, usage)
	}
	if msg, _, _ := PolicyFlagError("simulate", errors.New("other")); msg != "" {
		t.Errorf("other error: got %q, want no wording", msg)
	}
}

// TestPolicyCLIHints: each sentinel and type behind trustpolicy's
// command line options gets a hint from For, alone and wrapped, so a new
// one without a hint fails here.
func TestPolicyCLIHints(t *testing.T) {
	errs := map[string]error{
		"ErrUnknownChoice":   trustpolicy.ErrUnknownChoice,
		"ErrConflict":        trustpolicy.ErrConflict,
		"ErrNotIPAddress":    trustpolicy.ErrNotIPAddress,
		"ErrNoServicePrefix": trustpolicy.ErrNoServicePrefix,
		"ErrNotKeyValue":     trustpolicy.ErrNotKeyValue,
		"FileError policy":   &trustpolicy.FileError{What: "policy", Path: "p.json", Err: fs.ErrNotExist},
		"FileError anchor":   &trustpolicy.FileError{What: "anchor certificate", Path: "a.pem", Err: fs.ErrNotExist},
	}
	for _, o := range []struct {
		option string
		err    error
		with   string
	}{
		{"format", trustpolicy.ErrUnknownChoice, ""}, {"match", trustpolicy.ErrUnknownChoice, ""},
		{"anchor-cert", trustpolicy.ErrConflict, "format"}, {"trust-anchor-arn", trustpolicy.ErrConflict, "format"},
		{"policy", trustpolicy.ErrRequired, ""}, {"policy", trustpolicy.ErrRequired, "resource"},
		{"certificate", trustpolicy.ErrRequired, "tag"}, {"certificate", trustpolicy.ErrConflict, "tag"},
		{"session-name", trustpolicy.ErrRequired, ""}, {"source-arn", trustpolicy.ErrRequired, ""},
		{"source-ip", trustpolicy.ErrNotIPAddress, ""}, {"action", trustpolicy.ErrNoServicePrefix, ""},
		{"action", trustpolicy.ErrRequired, "resource"}, {"resource", trustpolicy.ErrConflict, "tag"},
		{"tag", trustpolicy.ErrNotKeyValue, ""}, {"context", trustpolicy.ErrNotKeyValue, ""},
		{"client", trustpolicy.ErrRequired, ""}, {"zone-id", trustpolicy.ErrRequired, ""},
	} {
		errs[fmt.Sprintf("OptionError %s %v %s", o.option, o.err, o.with)] = &trustpolicy.OptionError{Option: o.option, Value: "x", Err: o.err, With: o.with}
	}
	for name, err := range errs {
		if For(err) == "" {
			t.Errorf("%s: no hint", name)
		}
		if For(fmt.Errorf("cmd: %w", err)) == "" {
			t.Errorf("%s wrapped: no hint", name)
		}
	}
}

// TestLeafCertificateFlagError: the wording of each failure of
// signer.ReadLeafCertificate, and the cause kept behind it.
func TestLeafCertificateFlagError(t *testing.T) {
	cause := errors.New("x509: malformed certificate")
	tests := []struct {
		name      string
		err       error
		want      string
		wantCause error
	}{
		{"file", &signer.FileError{What: "certificate", Path: "c.pem", Err: fs.ErrNotExist}, "simulate: read --certificate: file does not exist", fs.ErrNotExist},
		{"no block", &signer.CertificateError{Path: "c.pem"}, `simulate: --certificate "c.pem": no PEM CERTIFICATE block`, nil},
		{"bad block", &signer.CertificateError{Path: "c.pem", Block: 1, Err: cause}, `simulate: --certificate "c.pem": x509: malformed certificate`, cause},
		{"other", cause, `simulate: --certificate "c.pem": x509: malformed certificate`, cause},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, got := LeafCertificateFlagError("simulate", "--certificate", "c.pem", tt.err)
			if msg != tt.want || got != tt.wantCause {
				t.Errorf("got %q, %v; want %q, %v", msg, got, tt.want, tt.wantCause)
			}
		})
	}
}
