package emulator

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"regexp"
	"time"
)

// AuthorizeInput is what Config.Authorize sees of a call that passed every
// other check: who signed (leaf and chain, already verified), what it asks
// for, and from where. ConditionKeys maps it to IAM condition keys.
type AuthorizeInput struct {
	Leaf  *x509.Certificate
	Chain []*x509.Certificate
	// TrustAnchorARN is aws:SourceArn in the role's trust policy.
	TrustAnchorARN string
	ProfileARN     string
	RoleARN        string
	// RoleSessionName is the effective session name (the leaf serial in
	// hex when the request named none; RoleSessionNameGiven tells).
	RoleSessionName      string
	RoleSessionNameGiven bool
	SourceIdentity       string
	SourceIP             string
	Time                 time.Time
}

// stsTagValue is the STS session tag value pattern; Roles Anywhere drops
// certificate attributes whose value does not match it.
var stsTagValue = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// maxTagValue is the longest session tag value STS accepts.
const maxTagValue = 256

// Object identifiers of the RDNs Roles Anywhere maps to principal tags.
var rdnTags = []struct {
	name string
	oid  asn1.ObjectIdentifier
}{
	{"C", asn1.ObjectIdentifier{2, 5, 4, 6}},
	{"O", asn1.ObjectIdentifier{2, 5, 4, 10}},
	{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}},
	{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}},
	{"L", asn1.ObjectIdentifier{2, 5, 4, 7}},
	{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}},
}

// PrincipalTags returns the session tags Roles Anywhere derives from a
// certificate: x509Subject/<RDN> and x509Issuer/<RDN> for C, O, OU, ST, L
// and CN, x509SAN/DNS and x509SAN/URI; the first value of each, and only
// values that STS accepts as tag values (so "O=Let's Encrypt" is dropped).
// Directory-name SANs (x509SAN/Name/...) are not derived.
func PrincipalTags(leaf *x509.Certificate) map[string]string {
	tags := map[string]string{}
	add := func(k, v string) {
		if _, dup := tags[k]; dup || v == "" || len(v) > maxTagValue || !stsTagValue.MatchString(v) {
			return
		}
		tags[k] = v
	}
	for _, side := range []struct {
		prefix string
		name   pkix.Name
	}{{"x509Subject/", leaf.Subject}, {"x509Issuer/", leaf.Issuer}} {
		for _, rt := range rdnTags {
			for _, atv := range side.name.Names {
				if atv.Type.Equal(rt.oid) {
					if v, ok := atv.Value.(string); ok {
						add(side.prefix+rt.name, v)
						break
					}
				}
			}
		}
	}
	if len(leaf.DNSNames) > 0 {
		add("x509SAN/DNS", leaf.DNSNames[0])
	}
	if len(leaf.URIs) > 0 {
		add("x509SAN/URI", leaf.URIs[0].String())
	}
	return tags
}

// ConditionKeys maps the call to the IAM condition keys a role trust
// policy can test: aws:PrincipalTag/<tag> for every principal tag,
// aws:SourceArn (the trust anchor), aws:SourceIp, aws:CurrentTime,
// sts:RoleSessionName and sts:SourceIdentity. Every key has one value.
func (in AuthorizeInput) ConditionKeys() map[string][]string {
	keys := map[string][]string{
		"aws:SourceArn":       {in.TrustAnchorARN},
		"aws:CurrentTime":     {in.Time.UTC().Format(time.RFC3339)},
		"sts:RoleSessionName": {in.RoleSessionName},
	}
	if in.SourceIP != "" {
		keys["aws:SourceIp"] = []string{in.SourceIP}
	}
	if in.SourceIdentity != "" {
		keys["sts:SourceIdentity"] = []string{in.SourceIdentity}
	}
	if in.Leaf != nil {
		for k, v := range PrincipalTags(in.Leaf) {
			keys["aws:PrincipalTag/"+k] = []string{v}
		}
	}
	return keys
}
