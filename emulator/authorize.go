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

// Request is the call as a role trust policy sees it, the one input of
// trustpolicy.EvaluateCreateSession: the leaf (its principal tags and
// source identity), the trust anchor (aws:SourceArn), the effective
// session name, the caller's address and the time.
func (in AuthorizeInput) Request() trustpolicy.CreateSessionRequest {
	r := trustpolicy.CreateSessionRequest{
		Certificate:     in.Leaf,
		TrustAnchorARN:  in.TrustAnchorARN,
		RoleSessionName: in.RoleSessionName,
		SourceIP:        in.SourceIP,
		Time:            in.Time,
	}
	if in.Leaf == nil && in.SourceIdentity != "" {
		r.Extra = map[string][]string{trustpolicy.KeySourceIdentity: {in.SourceIdentity}}
	}
	return r
}

// ConditionKeys maps the call to the IAM condition keys a role trust
// policy can test (trustpolicy.CreateSessionRequest.Context of Request):
// aws:PrincipalTag/<tag> for every principal tag the service derives from
// the leaf (trustpolicy.TagsFromCertificate), aws:SourceArn (the trust
// anchor), aws:SourceIp, aws:CurrentTime, sts:RoleSessionName and
// sts:SourceIdentity. Every key has one value.
func (in AuthorizeInput) ConditionKeys() map[string][]string {
	return in.Request().Context()
}
