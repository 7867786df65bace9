package emulator

import (
	"crypto/x509"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
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

// ConditionKeys maps the call to the IAM condition keys a role trust
// policy can test: aws:PrincipalTag/<tag> for every principal tag the
// service derives from the leaf (trustpolicy.TagsFromCertificate),
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
		for k, v := range trustpolicy.CertificateContext(in.Leaf) {
			keys[k] = v
		}
	}
	return keys
}
