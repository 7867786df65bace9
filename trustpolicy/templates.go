package trustpolicy

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Condition keys used by the templates.
const (
	KeySourceArn       = "aws:SourceArn"
	KeySourceIP        = "aws:SourceIp"
	KeyRoleSessionName = "sts:RoleSessionName"
	KeySubjectCN       = "aws:PrincipalTag/x509Subject/CN"
	KeySANDNS          = "aws:PrincipalTag/x509SAN/DNS"
	KeyIssuerCN        = "aws:PrincipalTag/x509Issuer/CN"
)

// The three actions Roles Anywhere needs allowed in a role's trust policy.
const (
	ActionAssumeRole        = "sts:AssumeRole"
	ActionTagSession        = "sts:TagSession"
	ActionSetSourceIdentity = "sts:SetSourceIdentity"
)

// RolesAnywhereActions are the actions CreateSession needs.
var RolesAnywhereActions = []string{ActionAssumeRole, ActionTagSession, ActionSetSourceIdentity}

// OptionError is a bad template or simulation option. Option names it in
// lower case with dashes ("trust-anchor-arn", "workload", "match",
// "totp-digits", "issuer-cn", "revoke", "zone-id", "domain", "client",
// "cidr", "session-duration", "anchor-cert", "format", and SimulateOptions'
// "policy", "certificate", "tag", "session-name", "source-arn", "action",
// "source-ip", "context", "resource"); Value is the offending value ("" for
// a missing option, Err is then ErrRequired). With names the other option
// that excludes this one (ErrConflict) or makes it required, else "".
type OptionError struct {
	Option string
	Value  string
	Err    error
	With   string
}

func (e *OptionError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("option %s %q: %v", e.Option, e.Value, e.Err)
	}
	return fmt.Sprintf("option %s: %v", e.Option, e.Err)
}

func (e *OptionError) Unwrap() error { return e.Err }

// ErrRequired is the Err of an OptionError for an option that must be
// given.
var ErrRequired = errors.New("required")

func optErr(opt, val, format string, a ...any) error {
	return &OptionError{Option: opt, Value: val, Err: fmt.Errorf(format, a...)}
}

func optRequired(opt string) error {
	return &OptionError{Option: opt, Err: ErrRequired}
}

// Match selects the certificate field a role trust policy keys on.
type Match string

// The identity fields.
const (
	MatchCN  Match = "cn"  // aws:PrincipalTag/x509Subject/CN
	MatchSAN Match = "san" // aws:PrincipalTag/x509SAN/DNS (first DNS SAN)
)

// IdentityKey returns the condition key of m.
func (m Match) IdentityKey() string {
	if m == MatchSAN {
		return KeySANDNS
	}
	return KeySubjectCN
}

// RoleOptions are the inputs of the role trust policy template.
type RoleOptions struct {
	// TrustAnchorARNs pin aws:SourceArn (ArnEquals) on every Allow
	// statement. Required.
	TrustAnchorARNs []string
	// Workloads are the identities allowed: exact DNS names or patterns
	// with a leading "*." label (StringLike). Required.
	Workloads []string
	// Match selects CN (default) or the first DNS SAN.
	Match Match
	// TOTPDigits, when non-zero, requires sts:RoleSessionName to be that
	// many characters (N '?'): the TOTP code of the session. 6 to 10.
	TOTPDigits int
	// IssuerCNs pin the issuing CA by CN (StringEquals
	// aws:PrincipalTag/x509Issuer/CN), for example YE1, YE2, YR1, YR2.
	IssuerCNs []string
	// Revoke lists identities to deny (StringEqualsIgnoreCase) even when
	// a workload pattern covers them.
	Revoke []string
}

var arnRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):rolesanywhere:[a-z0-9-]+:[0-9]{12}:trust-anchor/[0-9a-zA-Z-]+$`)
})

// ValidTrustAnchorARN checks the shape of a Roles Anywhere trust anchor ARN.
func ValidTrustAnchorARN(s string) error {
	if !arnRE().MatchString(s) {
		return errors.New("not a trust anchor ARN (want arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID)")
	}
	return nil
}

var labelRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$`) })

// normalizeName lower-cases a DNS name, drops a trailing dot and checks its
// labels; with wildcard, a leading "*." label is allowed.
func normalizeName(s string, wildcard bool) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if n == "" {
		return "", errors.New("empty name")
	}
	if len(n) > 253 {
		return "", errors.New("longer than 253 characters")
	}
	labels := strings.Split(n, ".")
	for i, l := range labels {
		if i == 0 && l == "*" && wildcard {
			continue
		}
		if strings.ContainsRune(l, '*') {
			return "", errors.New("a wildcard is only allowed as the whole first label (*.example.com)")
		}
		if !labelRE().MatchString(l) {
			for _, r := range l {
				if r > 127 {
					return "", fmt.Errorf("label %q is not ASCII (write internationalised names as xn-- A-labels)", l)
				}
			}
			return "", fmt.Errorf("label %q is not a DNS label", l)
		}
	}
	return n, nil
}

// checkBreadth refuses identity patterns broader than one registered
// domain: "*" or "*.com" would admit any certificate of a public CA.
func checkBreadth(n string) error {
	if rest, ok := strings.CutPrefix(n, "*."); n == "*" || ok && !strings.Contains(rest, ".") {
		return fmt.Errorf("pattern %q covers a whole top-level domain", n)
	}
	return nil
}

// Role builds the IAM role trust policy for Roles Anywhere: an Allow of
// sts:TagSession and sts:SetSourceIdentity, an Allow of sts:AssumeRole with
// the session-name condition, both pinned to the trust anchors, the
// workload identities and the issuer CNs, and, when Revoke is given, a Deny
// of sts:AssumeRole for the revoked identities compared case-insensitively.
//
// The Deny is deliberately not pinned to aws:SourceArn: an explicit deny
// must be at least as broad as every Allow, so a revoked name stays denied
// whichever trust anchor it comes through.
func Role(o RoleOptions) (*Policy, error) {
	if len(o.TrustAnchorARNs) == 0 {
		return nil, optRequired("trust-anchor-arn")
	}
	for _, a := range o.TrustAnchorARNs {
		if a == cfnAnchorPlaceholder {
			continue
		}
		if err := ValidTrustAnchorARN(a); err != nil {
			return nil, optErr("trust-anchor-arn", a, "%v", err)
		}
	}
	if o.Match == "" {
		o.Match = MatchCN
	}
	if o.Match != MatchCN && o.Match != MatchSAN {
		return nil, optErr("match", string(o.Match), "unknown field")
	}
	if len(o.Workloads) == 0 {
		return nil, optRequired("workload")
	}
	var workloads []string
	for _, w := range o.Workloads {
		n, err := normalizeName(w, true)
		if err == nil {
			err = checkBreadth(n)
		}
		if err != nil {
			return nil, optErr("workload", w, "%v", err)
		}
		workloads = appendUnique(workloads, n)
	}
	if o.TOTPDigits != 0 && (o.TOTPDigits < 6 || o.TOTPDigits > 10) {
		return nil, optErr("totp-digits", fmt.Sprint(o.TOTPDigits), "must be between 6 and 10")
	}
	var issuers []string
	for _, c := range o.IssuerCNs {
		c = strings.TrimSpace(c)
		if c == "" || !TagValueOK(c) {
			return nil, optErr("issuer-cn", c, "not a valid tag value")
		}
		issuers = appendUnique(issuers, c)
	}
	var revoked []string
	for _, r := range o.Revoke {
		n, err := normalizeName(r, false)
		if err != nil {
			return nil, optErr("revoke", r, "%v", err)
		}
		revoked = appendUnique(revoked, n)
	}
	key := o.Match.IdentityKey()
	service := &Principal{Values: map[string]Strings{"Service": {RolesAnywhereService}}}
	base := func() Condition {
		c := Condition{
			"ArnEquals":  {KeySourceArn: Strings(append([]string(nil), o.TrustAnchorARNs...))},
			"StringLike": {key: Strings(append([]string(nil), workloads...))},
		}
		if len(issuers) > 0 {
			c["StringEquals"] = map[string]Strings{KeyIssuerCN: Strings(append([]string(nil), issuers...))}
		}
		return c
	}
	tag := Statement{Sid: "RolesAnywhereTagSession", Effect: Allow, Principal: service, Action: Strings{ActionTagSession, ActionSetSourceIdentity}, Condition: base()}
	assume := Statement{Sid: "RolesAnywhereAssumeRole", Effect: Allow, Principal: service.clone(), Action: Strings{ActionAssumeRole}, Condition: base()}
	if o.TOTPDigits > 0 {
		assume.Condition["StringLike"][KeyRoleSessionName] = Strings{strings.Repeat("?", o.TOTPDigits)}
	}
	p := &Policy{Version: Version2012, Statement: []Statement{tag, assume}}
	if len(revoked) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: "DenyRevoked", Effect: Deny, Principal: service.clone(), Action: Strings{ActionAssumeRole},
			Condition: Condition{"StringEqualsIgnoreCase": {key: Strings(revoked)}}})
	}
	return p, nil
}

func appendUnique(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// Route 53 DNS-01 clients.
const (
	ClientLego        = "lego"
	ClientAcmeSh      = "acme.sh"
	ClientTraefik     = "traefik"
	ClientCertManager = "cert-manager"
	ClientCertbot     = "certbot"
)

// Route53Clients lists the clients Route53 knows.
var Route53Clients = []string{ClientLego, ClientAcmeSh, ClientTraefik, ClientCertManager, ClientCertbot}

// Route53Options are the inputs of the Route 53 DNS-01 policy template.
type Route53Options struct {
	Client string
	// ZoneID is the hosted zone ID (Z...), optionally with the
	// "/hostedzone/" prefix the API returns.
	ZoneID string
	// Domains are the names certificates are requested for; "*.example.com"
	// and "example.com" both need "_acme-challenge.example.com".
	Domains []string
	// Partition is the ARN partition, "aws" by default.
	Partition string
}

var zoneRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]{1,32}$`) })

// NormalizeZoneID validates a Route 53 hosted zone ID and strips the
// "/hostedzone/" prefix.
func NormalizeZoneID(z string) (string, error) {
	z = strings.TrimPrefix(strings.TrimSpace(z), "/hostedzone/")
	if !zoneRE().MatchString(z) {
		return "", errors.New("not a hosted zone ID (upper-case letters and digits, such as Z0123456789ABCDEFGHIJ)")
	}
	return z, nil
}

// ChallengeName is the normalised record name of a domain's DNS-01
// challenge: lower case, no trailing dot, "*." dropped, "_acme-challenge."
// prepended (unless already there).
func ChallengeName(domain string) (string, error) {
	n, err := normalizeName(domain, true)
	if err != nil {
		return "", err
	}
	n = strings.TrimPrefix(n, "*.")
	if strings.HasPrefix(n, "_acme-challenge.") {
		return n, nil
	}
	return "_acme-challenge." + n, nil
}

// Route53 builds the least-privilege policy an ACME client needs to solve
// DNS-01 challenges in one hosted zone: the read-only calls that client
// makes (see README-section.md for which client needs which and why) and
// route53:ChangeResourceRecordSets restricted to TXT records at the
// challenge names (ForAllValues:StringEquals on
// route53:ChangeResourceRecordSetsNormalizedRecordNames and
// route53:ChangeResourceRecordSetsRecordTypes). It checks o with Validate
// first; a bad value is an *OptionError.
func Route53(o Route53Options) (*Policy, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	zone, err := NormalizeZoneID(o.ZoneID)
	if err != nil {
		return nil, optErr("zone-id", o.ZoneID, "%v", err)
	}
	if len(o.Domains) == 0 {
		return nil, optRequired("domain")
	}
	var names []string
	for _, d := range o.Domains {
		n, err := ChallengeName(d)
		if err != nil {
			return nil, optErr("domain", d, "%v", err)
		}
		names = appendUnique(names, n)
	}
	part := o.Partition
	if part == "" {
		part = "aws"
	}
	zoneARN := fmt.Sprintf("arn:%s:route53:::hostedzone/%s", part, zone)
	changeARN := fmt.Sprintf("arn:%s:route53:::change/*", part)
	allow := func(res string, actions ...string) Statement {
		return Statement{Effect: Allow, Action: Strings(actions), Resource: Strings{res}}
	}
	change := Statement{Effect: Allow, Action: Strings{"route53:ChangeResourceRecordSets"}, Resource: Strings{zoneARN},
		Condition: Condition{"ForAllValues:StringEquals": {
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": Strings(names),
			"route53:ChangeResourceRecordSetsRecordTypes":           Strings{"TXT"},
		}}}
	var st []Statement
	switch o.Client {
	case ClientLego, ClientTraefik:
		st = []Statement{
			allow(changeARN, "route53:GetChange"),
			allow("*", "route53:ListHostedZonesByName"),
			allow(zoneARN, "route53:ListResourceRecordSets"),
		}
	case ClientAcmeSh:
		st = []Statement{
			allow("*", "route53:ListHostedZones"),
			allow(zoneARN, "route53:GetHostedZone", "route53:ListResourceRecordSets"),
		}
	case ClientCertManager:
		st = []Statement{
			allow(changeARN, "route53:GetChange"),
			allow("*", "route53:ListHostedZonesByName"),
			allow(zoneARN, "route53:ListResourceRecordSets"),
		}
	case ClientCertbot:
		st = []Statement{
			allow("*", "route53:ListHostedZones"),
			allow(changeARN, "route53:GetChange"),
		}
	default:
		return nil, optErr("client", o.Client, "unknown ACME client")
	}
	return &Policy{Version: Version2012, Statement: append(st, change)}, nil
}

// SourceIP builds the guardrail that denies every action unless the call
// comes from one of cidrs, exempting calls AWS services make on the
// principal's behalf (BoolIfExists aws:PrincipalIsAWSService and
// aws:ViaAwsService "false"). A bare address becomes a /32 (or /128).
func SourceIP(cidrs []string) (*Policy, error) {
	if len(cidrs) == 0 {
		return nil, optRequired("cidr")
	}
	var vals []string
	for _, c := range cidrs {
		p, err := ParseCIDR(strings.TrimSpace(c))
		if err != nil {
			return nil, optErr("cidr", c, "%v", err)
		}
		vals = appendUnique(vals, p.String())
	}
	return &Policy{Version: Version2012, Statement: []Statement{{
		Sid: "DenyIfNotFromSpecifiedIps", Effect: Deny, Action: Strings{"*"}, Resource: Strings{"*"},
		Condition: Condition{
			"NotIpAddress": {KeySourceIP: Strings(vals)},
			"BoolIfExists": {"aws:PrincipalIsAWSService": {"false"}, "aws:ViaAwsService": {"false"}},
		},
	}}}, nil
}

// CloudFormationOptions are the inputs of the CloudFormation template.
type CloudFormationOptions struct {
	// Role is the trust policy template's input; its TrustAnchorARNs are
	// ignored: the template refers to the anchor it creates.
	Role RoleOptions
	// AnchorPEM is the CA certificate bundle (PEM) of the trust anchor.
	AnchorPEM []byte
	// Name prefixes the resource names ("acme-signing-helper" if empty).
	Name string
	// DurationSeconds is the profile's session duration (3600 if 0).
	DurationSeconds int
	// ManagedPolicyARNs are attached to the role.
	ManagedPolicyARNs []string
}

const cfnAnchorPlaceholder = "arn:aws:rolesanywhere:cloudformation:000000000000:trust-anchor/placeholder"

// CloudFormation builds a CloudFormation template (JSON) that creates the
// trust anchor from AnchorPEM, the role with the trust policy of Role
// (whose aws:SourceArn is the anchor's TrustAnchorArn by Fn::GetAtt, which
// breaks the anchor/policy circularity) and a profile for the role with
// AcceptRoleSessionName true, so TOTP session names are accepted.
func CloudFormation(o CloudFormationOptions) ([]byte, error) {
	bundle, err := anchorBundle(o.AnchorPEM)
	if err != nil {
		return nil, err
	}
	ro := o.Role
	ro.TrustAnchorARNs = []string{cfnAnchorPlaceholder}
	p, err := Role(ro)
	if err != nil {
		return nil, err
	}
	raw, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("cloudformation: %w", err)
	}
	getAtt := func(res, attr string) any { return map[string]any{"Fn::GetAtt": []string{res, attr}} }
	doc = replaceString(doc, cfnAnchorPlaceholder, getAtt("TrustAnchor", "TrustAnchorArn"))
	name := o.Name
	if name == "" {
		name = "acme-signing-helper"
	}
	dur := o.DurationSeconds
	if dur == 0 {
		dur = 3600
	}
	if dur < 900 || dur > 43200 {
		return nil, optErr("session-duration", fmt.Sprint(dur), "out of range")
	}
	roleProps := map[string]any{
		"Description":              "Assumed through IAM Roles Anywhere by " + name,
		"AssumeRolePolicyDocument": doc,
		"MaxSessionDuration":       max(dur, 3600),
	}
	if len(o.ManagedPolicyARNs) > 0 {
		roleProps["ManagedPolicyArns"] = o.ManagedPolicyARNs
	}
	tmpl := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "IAM Roles Anywhere trust anchor, profile and role for " + name + " (generated by acme-signing-helper)",
		"Resources": map[string]any{
			"TrustAnchor": map[string]any{
				"Type": "AWS::RolesAnywhere::TrustAnchor",
				"Properties": map[string]any{
					"Name":    name,
					"Enabled": true,
					"Source": map[string]any{
						"SourceType": "CERTIFICATE_BUNDLE",
						"SourceData": map[string]any{"X509CertificateData": bundle},
					},
				},
			},
			"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": roleProps},
			"Profile": map[string]any{
				"Type": "AWS::RolesAnywhere::Profile",
				"Properties": map[string]any{
					"Name":                  name,
					"Enabled":               true,
					"RoleArns":              []any{getAtt("Role", "Arn")},
					"AcceptRoleSessionName": true,
					"DurationSeconds":       dur,
				},
			},
		},
		"Outputs": map[string]any{
			"TrustAnchorArn": map[string]any{"Value": getAtt("TrustAnchor", "TrustAnchorArn")},
			"ProfileArn":     map[string]any{"Value": getAtt("Profile", "ProfileArn")},
			"RoleArn":        map[string]any{"Value": getAtt("Role", "Arn")},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return nil, fmt.Errorf("cloudformation: %w", err)
	}
	return buf.Bytes(), nil
}

func replaceString(v any, from string, to any) any {
	switch t := v.(type) {
	case string:
		if t == from {
			return to
		}
	case []any:
		for i := range t {
			t[i] = replaceString(t[i], from, to)
		}
	case map[string]any:
		for k := range t {
			t[k] = replaceString(t[k], from, to)
		}
	}
	return v
}

// anchorBundle checks that pemData holds one or more CA certificates and
// returns them re-encoded as a clean PEM bundle.
func anchorBundle(pemData []byte) (string, error) {
	var out bytes.Buffer
	rest := pemData
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			if strings.Contains(b.Type, "PRIVATE KEY") {
				return "", optErr("anchor-cert", "", "holds a private key; a trust anchor is a CA certificate only")
			}
			continue
		}
		n++
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return "", optErr("anchor-cert", "", "certificate %d: %v", n, err)
		}
		if !c.IsCA {
			return "", optErr("anchor-cert", "", "certificate %d (%s) is not a CA certificate", n, c.Subject)
		}
		if err := pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: b.Bytes}); err != nil {
			return "", err
		}
	}
	if n == 0 {
		return "", optErr("anchor-cert", "", "no PEM CERTIFICATE block")
	}
	return out.String(), nil
}
