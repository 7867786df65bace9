package trustpolicy_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

const exampleAnchor = "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/086719f2-2612-4c3a-8fe3-changeme0064"

// Build the seed's trust policy and ask whether three CreateSession calls
// would be allowed.
func ExampleEvaluate() {
	p, err := trustpolicy.Role(trustpolicy.RoleOptions{
		TrustAnchorARNs: []string{exampleAnchor},
		Workloads:       []string{"*.not-your-co.com"},
		TOTPDigits:      6,
		Revoke:          []string{"foo-is-revoked.not-your-co.com"},
	})
	if err != nil {
		panic(err)
	}
	for _, c := range []struct{ cn, session string }{
		{"web.not-your-co.com", "123456"},
		{"web.not-your-co.com", "abc"},
		{"FOO-is-revoked.not-your-co.com", "123456"},
	} {
		d, err := trustpolicy.Evaluate(p, trustpolicy.Request{
			Principal: trustpolicy.RolesAnywhereService,
			Action:    trustpolicy.ActionAssumeRole,
			Context: map[string][]string{
				trustpolicy.KeySourceArn:       {exampleAnchor},
				trustpolicy.KeySubjectCN:       {c.cn},
				trustpolicy.KeyRoleSessionName: {c.session},
			},
		})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s: %s, %s\n", c.cn, c.session, d.Verdict(), d.Explain(p))
	}
	// Output:
	// web.not-your-co.com 123456: ALLOW, allowed by statement 2 (Sid "RolesAnywhereAssumeRole")
	// web.not-your-co.com abc: DENY, implicitly denied: closest is statement 2 (Sid "RolesAnywhereAssumeRole"): condition StringLike "sts:RoleSessionName" not met
	// FOO-is-revoked.not-your-co.com 123456: DENY, explicitly denied by statement 3 (Sid "DenyRevoked"): StringEqualsIgnoreCase "aws:PrincipalTag/x509Subject/CN" matched
}

func ExampleRoute53() {
	p, err := trustpolicy.Route53(trustpolicy.Route53Options{Client: trustpolicy.ClientCertbot, ZoneID: "Z0123456789ABCDEFGHIJ", Domains: []string{"*.example.com"}})
	if err != nil {
		panic(err)
	}
	for _, s := range p.Statement {
		fmt.Println(s.Action, s.Resource)
	}
	// Output:
	// [route53:ListHostedZones] [*]
	// [route53:GetChange] [arn:aws:route53:::change/*]
	// [route53:ChangeResourceRecordSets] [arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ]
}

// Decide a whole CreateSession call (its three actions) with the principal
// tags given directly; with a certificate, set Certificate instead and the
// tags and source identity come from it.
func ExampleEvaluateCreateSession() {
	p, err := trustpolicy.Role(trustpolicy.RoleOptions{
		TrustAnchorARNs: []string{exampleAnchor},
		Workloads:       []string{"*.not-your-co.com"},
		TOTPDigits:      6,
	})
	if err != nil {
		panic(err)
	}
	d, err := trustpolicy.EvaluateCreateSession(p, trustpolicy.CreateSessionRequest{
		Tags:            map[string]string{"x509Subject/CN": "web.not-your-co.com"},
		TrustAnchorARN:  exampleAnchor,
		RoleSessionName: "12345",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Verdict())
	for _, a := range d.Actions {
		fmt.Printf("%s: %s %s\n", a.Action, a.Verdict(), a.Detail(p, trustpolicy.RolesAnywhereService, a.Action))
	}
	// Output:
	// DENY
	// sts:AssumeRole: DENY (implicit): closest is statement 2 (Sid "RolesAnywhereAssumeRole"): condition StringLike "sts:RoleSessionName" failed: got "12345", want "??????"
	// sts:TagSession: ALLOW by statement 1 (Sid "RolesAnywhereTagSession")
	// sts:SetSourceIdentity: ALLOW by statement 1 (Sid "RolesAnywhereTagSession")
}
