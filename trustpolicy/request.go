package trustpolicy

import (
	"crypto/x509"
	"log/slog"
	"strings"
	"time"
)

// SimulateOptions describe a call to simulate in plain values, as a
// command line gives them: a CreateSession call against a role trust
// policy, or (Resource given) calls checked against a permissions policy.
type SimulateOptions struct {
	// PolicyFile is the policy document (ReadFile; "-" is stdin).
	PolicyFile string
	// CertificateFile is the leaf certificate whose principal tags the
	// call carries; Tags ("KEY=VALUE", KEY with or without the
	// aws:PrincipalTag/ prefix) give them instead.
	CertificateFile string
	Tags            []string
	// RoleSessionName and TrustAnchorARN are the CreateSessionRequest's.
	RoleSessionName string
	TrustAnchorARN  string
	// Actions are the actions evaluated (service:Name).
	Actions []string
	// SourceIP is aws:SourceIp ("" for none).
	SourceIP string
	// Context are further condition keys, "KEY=VALUE", repeatable.
	Context []string
	// Principal is the calling service principal.
	Principal string
	// Resource, when not "", selects the permissions policy mode: each
	// action on this resource ARN ("*" for none).
	Resource string
}

// Validate checks the options of a CreateSession simulation: a policy,
// either a certificate or tags (ErrConflict With "tag" for both), a
// session name, a trust anchor ARN, an IP address as SourceIP and actions
// with a service prefix. The error is an *OptionError.
func (o *SimulateOptions) Validate() error {
	switch {
	case o.PolicyFile == "":
		return optRequired("policy")
	case o.CertificateFile == "" && len(o.Tags) == 0:
		return &OptionError{Option: "certificate", Err: ErrRequired, With: "tag"}
	case o.CertificateFile != "" && len(o.Tags) > 0:
		return &OptionError{Option: "certificate", Value: o.CertificateFile, Err: ErrConflict, With: "tag"}
	case o.RoleSessionName == "":
		return optRequired("session-name")
	case o.TrustAnchorARN == "":
		return optRequired("source-arn")
	}
	if err := checkIP(o.SourceIP); err != nil {
		return err
	}
	return checkActions(o.Actions)
}

// ValidateIdentity checks the options of the permissions policy mode
// (Resource given): a policy and at least one action (ErrRequired With
// "resource"), and none of the options that describe a CreateSession
// (ErrConflict for "resource", With the first of them given).
func (o *SimulateOptions) ValidateIdentity() error {
	if o.PolicyFile == "" {
		return &OptionError{Option: "policy", Err: ErrRequired, With: "resource"}
	}
	if len(o.Actions) == 0 {
		return &OptionError{Option: "action", Err: ErrRequired, With: "resource"}
	}
	for _, f := range []struct {
		name  string
		given bool
	}{
		{"certificate", o.CertificateFile != ""}, {"tag", len(o.Tags) > 0},
		{"session-name", o.RoleSessionName != ""}, {"source-arn", o.TrustAnchorARN != ""},
	} {
		if f.given {
			return &OptionError{Option: "resource", Value: o.Resource, Err: ErrConflict, With: f.name}
		}
	}
	return nil
}

// CreateSessionRequest is the request o describes, at time now, with
// cert (read from CertificateFile by the caller; nil with Tags). A
// malformed tag or context entry is an *OptionError (ErrNotKeyValue). On
// log (nil: none) it warns of what the service would refuse or drop
// before the policy is evaluated: a certificate with an empty subject, a
// tag value failing TagValueOK (left out, as the service drops it) and a
// session name ValidRoleSessionName refuses.
func (o *SimulateOptions) CreateSessionRequest(cert *x509.Certificate, now time.Time, log *slog.Logger) (CreateSessionRequest, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	req := CreateSessionRequest{
		Certificate: cert, TrustAnchorARN: o.TrustAnchorARN, RoleSessionName: o.RoleSessionName, SourceIP: o.SourceIP, Time: now,
		Tags: map[string]string{}, Principal: o.Principal, Actions: o.Actions,
	}
	if cert != nil && EmptySubject(cert) {
		log.Warn("the certificate has an empty subject: IAM Roles Anywhere refuses it before any policy is evaluated", "certificate", o.CertificateFile)
	}
	for _, t := range o.Tags {
		k, v, ok := strings.Cut(t, "=")
		k = strings.TrimPrefix(k, PrincipalTagPrefix)
		if !ok || k == "" {
			return CreateSessionRequest{}, &OptionError{Option: "tag", Value: t, Err: ErrNotKeyValue}
		}
		if !TagValueOK(v) {
			log.Warn("tag value fails the STS tag pattern; Roles Anywhere drops such a tag, so it is left out", "tag", k, "value", v)
			continue
		}
		req.Tags[k] = v
	}
	extra, err := contextValues(o.Context)
	if err != nil {
		return CreateSessionRequest{}, err
	}
	req.Extra = extra
	if !ValidRoleSessionName(o.RoleSessionName) {
		log.Warn("CreateSession refuses this session name before the trust policy (ValidationException: 2 to 64 of letters, digits and +=,.@_-)", "session-name", o.RoleSessionName)
	}
	return req, nil
}

// IdentityContext is the request context of the permissions policy mode:
// Context, and aws:SourceIp when SourceIP is given. A malformed context
// entry is an *OptionError (ErrNotKeyValue).
func (o *SimulateOptions) IdentityContext() (map[string][]string, error) {
	ctx, err := contextValues(o.Context)
	if err != nil {
		return nil, err
	}
	if o.SourceIP != "" {
		ctx[KeySourceIP] = []string{o.SourceIP}
	}
	return ctx, nil
}
