package trustpolicy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

var seedRole = RoleOptions{
	TrustAnchorARNs: []string{seedAnchor},
	Workloads:       []string{"*.not-your-co.com"},
	TOTPDigits:      6,
	Revoke:          []string{"foo-is-revoked.not-your-co.com"},
}

// Acceptance 1: for the seeds' inputs the templates equal the seeds'
// documents semantically.
func TestRoleMatchesSeed(t *testing.T) {
	got, err := Role(seedRole)
	if err != nil {
		t.Fatal(err)
	}
	assertSemanticallyEqual(t, got, mustParse(t, readTestdata(t, "seed-001-role-trust-policy.json")))
	m, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "role-seed.json", m)
}

func TestRoute53MatchesSeeds(t *testing.T) {
	tests := []struct{ client, seed string }{
		{ClientAcmeSh, "seed-000-route53-acme.sh.json"},
		{ClientTraefik, "seed-000-route53-traefik.json"},
		// lego is what Traefik runs inside; lego's own documented
		// least-privilege policy has the same actions.
		{ClientLego, "seed-000-route53-traefik.json"},
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			got, err := Route53(Route53Options{Client: tt.client, ZoneID: seedZone, Domains: []string{"example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			assertSemanticallyEqual(t, got, mustParse(t, readTestdata(t, tt.seed)))
			m, err := Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "route53-"+tt.client+".json", m)
		})
	}
}

// cert-manager's documentation (seed 002) grants its actions on every
// hosted zone without conditions; ours has the same actions, narrowed to
// the zone and to TXT records at the challenge name.
func TestRoute53CertManagerTightensSeed(t *testing.T) {
	got, err := Route53(Route53Options{Client: ClientCertManager, ZoneID: seedZone, Domains: []string{"*.example.com", "Example.COM."}})
	if err != nil {
		t.Fatal(err)
	}
	seed := mustParse(t, readTestdata(t, "seed-002-route53-cert-manager.json"))
	actions := func(p *Policy) map[string]bool {
		m := map[string]bool{}
		for _, s := range p.Statement {
			for _, a := range s.Action {
				m[a] = true
			}
		}
		return m
	}
	ga, sa := actions(got), actions(seed)
	if len(ga) != len(sa) {
		t.Errorf("actions: got %v, want %v", ga, sa)
	}
	for a := range sa {
		if !ga[a] {
			t.Errorf("missing action %s", a)
		}
	}
	// Everything ours allows, the seed allows; the seed allows more.
	zone := "arn:aws:route53:::hostedzone/" + seedZone
	ctx := func(name, typ string) map[string][]string {
		return map[string][]string{
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": {name},
			"route53:ChangeResourceRecordSetsRecordTypes":           {typ},
		}
	}
	for _, c := range []struct {
		req          Request
		ours, theirs bool
	}{
		{Request{Action: "route53:ChangeResourceRecordSets", Resource: zone, Context: ctx("_acme-challenge.example.com", "TXT")}, true, true},
		{Request{Action: "route53:ChangeResourceRecordSets", Resource: zone, Context: ctx("www.example.com", "A")}, false, true},
		{Request{Action: "route53:ChangeResourceRecordSets", Resource: zone, Context: ctx("_acme-challenge.example.com", "CNAME")}, false, true},
		{Request{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/ZOTHER", Context: ctx("_acme-challenge.example.com", "TXT")}, false, true},
		{Request{Action: "route53:GetChange", Resource: "arn:aws:route53:::change/C123"}, true, true},
		{Request{Action: "route53:ListResourceRecordSets", Resource: zone}, true, true},
		{Request{Action: "route53:ListHostedZonesByName", Resource: "*"}, true, true},
		{Request{Action: "route53:DeleteHostedZone", Resource: zone}, false, false},
	} {
		o, err := Evaluate(got, c.req)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Evaluate(seed, c.req)
		if err != nil {
			t.Fatal(err)
		}
		if o.Allowed != c.ours || s.Allowed != c.theirs {
			t.Errorf("%s %s %v: ours %v theirs %v, want %v %v", c.req.Action, c.req.Resource, c.req.Context, o.Allowed, s.Allowed, c.ours, c.theirs)
		}
	}
	names := got.Statement[len(got.Statement)-1].Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"]
	if strings.Join(names, ",") != "_acme-challenge.example.com" {
		t.Errorf("record names: got %v, want [_acme-challenge.example.com] (wildcard and apex share one name)", names)
	}
	m, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "route53-cert-manager.json", m)
}

func TestRoute53Certbot(t *testing.T) {
	got, err := Route53(Route53Options{Client: ClientCertbot, ZoneID: "/hostedzone/" + seedZone, Domains: []string{"a.example.com", "b.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "route53-certbot.json", m)
	d, err := Evaluate(got, Request{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/" + seedZone, Context: map[string][]string{
		"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_acme-challenge.a.example.com", "_acme-challenge.b.example.com"},
		"route53:ChangeResourceRecordSetsRecordTypes":           {"TXT"},
	}})
	if err != nil || !d.Allowed {
		t.Errorf("both challenge names in one change: %+v %v", d, err)
	}
}

func TestSourceIPMatchesSeed(t *testing.T) {
	got, err := SourceIP([]string{"20.20.20.20", "30.30.30.30/32"})
	if err != nil {
		t.Fatal(err)
	}
	assertSemanticallyEqual(t, got, mustParse(t, readTestdata(t, "seed-000-source-ip.json")))
	// The guardrail denies other addresses, not listed ones, and not AWS
	// services acting for the principal.
	for _, c := range []struct {
		ctx  map[string][]string
		deny bool
	}{
		{map[string][]string{KeySourceIP: {"20.20.20.20"}}, false},
		{map[string][]string{KeySourceIP: {"20.20.20.21"}}, true},
		{map[string][]string{KeySourceIP: {"20.20.20.21"}, "aws:ViaAwsService": {"true"}}, false},
		{map[string][]string{KeySourceIP: {"20.20.20.21"}, "aws:PrincipalIsAWSService": {"false"}}, true},
	} {
		d, err := Evaluate(got, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: c.ctx})
		if err != nil {
			t.Fatal(err)
		}
		if d.Explicit != c.deny {
			t.Errorf("%v: explicit deny %v, want %v", c.ctx, d.Explicit, c.deny)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		name string
		f    func() error
		opt  string
		want string
	}{
		{"no anchor", func() error { _, err := Role(RoleOptions{Workloads: []string{"a.example.com"}}); return err }, "trust-anchor-arn", "required"},
		{"bad anchor", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{"arn:aws:iam::123456789012:role/x"}, Workloads: []string{"a.example.com"}})
			return err
		}, "trust-anchor-arn", "not a trust anchor ARN"},
		{"no workload", func() error { _, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}}); return err }, "workload", "required"},
		{"star", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"*"}})
			return err
		}, "workload", "top-level domain"},
		{"star tld", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"*.com"}})
			return err
		}, "workload", "top-level domain"},
		{"inner star", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"a*.example.com"}})
			return err
		}, "workload", "whole first label"},
		{"unicode", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"bücher.example"}})
			return err
		}, "workload", "xn--"},
		{"digits", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"a.example.com"}, TOTPDigits: 4})
			return err
		}, "totp-digits", "between 6 and 10"},
		{"match", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"a.example.com"}, Match: "uri"})
			return err
		}, "match", "unknown"},
		{"issuer", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"a.example.com"}, IssuerCNs: []string{"Let's Encrypt"}})
			return err
		}, "issuer-cn", "tag value"},
		{"revoke wildcard", func() error {
			_, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"a.example.com"}, Revoke: []string{"*.example.com"}})
			return err
		}, "revoke", "wildcard"},
		{"zone", func() error {
			_, err := Route53(Route53Options{Client: ClientLego, ZoneID: "z123", Domains: []string{"a.example.com"}})
			return err
		}, "zone-id", "hosted zone ID"},
		{"client", func() error {
			_, err := Route53(Route53Options{Client: "caddy", ZoneID: seedZone, Domains: []string{"a.example.com"}})
			return err
		}, "client", "unknown ACME client"},
		{"domain", func() error {
			_, err := Route53(Route53Options{Client: ClientLego, ZoneID: seedZone, Domains: []string{"a..example.com"}})
			return err
		}, "domain", "DNS label"},
		{"no domain", func() error { _, err := Route53(Route53Options{Client: ClientLego, ZoneID: seedZone}); return err }, "domain", "required"},
		{"cidr", func() error { _, err := SourceIP([]string{"20.20.20.256/32"}); return err }, "cidr", "CIDR"},
		{"cidr host bits", func() error { _, err := SourceIP([]string{"10.0.0.1/8"}); return err }, "cidr", "10.0.0.0/8"},
		{"cidr none", func() error { _, err := SourceIP(nil); return err }, "cidr", "required"},
		{"anchor not ca", func() error {
			h, err := testpki.New(testpki.Options{})
			if err != nil {
				return err
			}
			_, err = CloudFormation(CloudFormationOptions{Role: seedRole, AnchorPEM: testpki.CertPEM(h.Leaf.Cert)})
			return err
		}, "anchor-cert", "not a CA certificate"},
		{"anchor empty", func() error {
			_, err := CloudFormation(CloudFormationOptions{Role: seedRole, AnchorPEM: []byte("nope")})
			return err
		}, "anchor-cert", "no PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f()
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("got %v, want an *OptionError", err)
			}
			if oe.Option != tt.opt || !strings.Contains(err.Error(), tt.want) || strings.HasPrefix(err.Error(), "--") {
				t.Errorf("got option %q error %q, want option %q containing %q and naming no flag", oe.Option, err, tt.opt, tt.want)
			}
		})
	}
}

func TestRoleVariants(t *testing.T) {
	p, err := Role(RoleOptions{TrustAnchorARNs: []string{seedAnchor}, Workloads: []string{"API.example.com.", "*.svc.example.com", "api.example.com"},
		Match: MatchSAN, TOTPDigits: 8, IssuerCNs: []string{"YE1", "YE2", "YR1", "YR2"}, Revoke: []string{"old.svc.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "role-san-issuers.json", m)
	if fs := Lint(p); HasErrors(fs) {
		t.Errorf("generated policy has lint errors: %v", fs)
	}
	ok := map[string][]string{
		KeySourceArn: {seedAnchor}, KeySANDNS: {"api.example.com"}, KeyIssuerCN: {"YR2"}, KeyRoleSessionName: {"12345678"},
	}
	for _, a := range RolesAnywhereActions {
		d, err := Evaluate(p, Request{Principal: RolesAnywhereService, Action: a, Context: ok})
		if err != nil || !d.Allowed {
			t.Errorf("%s: %+v %v", a, d, err)
		}
	}
	bad := map[string][]string{KeySourceArn: {seedAnchor}, KeySANDNS: {"api.example.com"}, KeyIssuerCN: {"R10"}, KeyRoleSessionName: {"12345678"}}
	if d, _ := Evaluate(p, Request{Principal: RolesAnywhereService, Action: ActionAssumeRole, Context: bad}); d.Allowed || len(d.Conditions) == 0 || d.Conditions[0].Key != KeyIssuerCN {
		t.Errorf("retired issuer: %+v", d)
	}
}

func TestCloudFormation(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ro := seedRole
	ro.TrustAnchorARNs = nil
	out, err := CloudFormation(CloudFormationOptions{Role: ro, AnchorPEM: testpki.CertPEM(h.Root.Cert), Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{"TrustAnchor": "AWS::RolesAnywhere::TrustAnchor", "Profile": "AWS::RolesAnywhere::Profile", "Role": "AWS::IAM::Role"}
	for name, typ := range types {
		if tmpl.Resources[name].Type != typ {
			t.Errorf("resource %s: type %q, want %q", name, tmpl.Resources[name].Type, typ)
		}
	}
	if string(tmpl.Resources["Profile"].Properties["AcceptRoleSessionName"]) != "true" {
		t.Error("profile does not accept role session names")
	}
	if !strings.Contains(string(tmpl.Resources["TrustAnchor"].Properties["Source"]), "BEGIN CERTIFICATE") {
		t.Error("trust anchor has no certificate bundle")
	}
	doc := string(tmpl.Resources["Role"].Properties["AssumeRolePolicyDocument"])
	if strings.Contains(doc, "placeholder") || !strings.Contains(doc, `"Fn::GetAtt"`) || !strings.Contains(doc, `"TrustAnchorArn"`) {
		t.Errorf("trust policy does not refer to the anchor by Fn::GetAtt: %s", doc)
	}
}
