package trustpolicy

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sessionname"
)

// More condition keys of a CreateSession request.
const (
	KeySourceIdentity = "sts:SourceIdentity"
	KeyCurrentTime    = "aws:CurrentTime"
)

// CreateSessionRequest is an IAM Roles Anywhere CreateSession call as a
// role trust policy sees it. Context turns it into condition keys; every
// caller (the emulator's trust policy hook, the demo, simulate) builds the
// request context this one way.
type CreateSessionRequest struct {
	// Certificate is the leaf that signed the call. Its principal tags
	// (CertificateContext) and its source identity (SourceIdentity) join
	// the context. nil: only Tags.
	Certificate *x509.Certificate
	// Tags are principal tags given directly, keyed without the
	// aws:PrincipalTag/ prefix (for example "x509Subject/CN"); they
	// override the certificate's. A value failing TagValueOK is dropped,
	// as the service drops it.
	Tags map[string]string
	// TrustAnchorARN is aws:SourceArn.
	TrustAnchorARN string
	// RoleSessionName is sts:RoleSessionName: the name the call asked for,
	// or the leaf's serial in hex when it named none.
	RoleSessionName string
	// SourceIP is aws:SourceIp ("" leaves it out).
	SourceIP string
	// Time is aws:CurrentTime, unless Extra sets it.
	Time time.Time
	// Extra are further condition keys; their values add to those of the
	// same key from the certificate or Tags. aws:SourceArn,
	// sts:RoleSessionName and aws:SourceIp are the fields above.
	Extra map[string][]string
	// Principal is the calling service principal (default
	// RolesAnywhereService).
	Principal string
	// Actions are the actions evaluated (default RolesAnywhereActions,
	// the three CreateSession needs).
	Actions []string
}

// Context is the request context of r: the certificate's principal tags
// and sts:SourceIdentity, then Tags, Extra, aws:SourceArn,
// sts:RoleSessionName, aws:SourceIp and aws:CurrentTime (RFC 3339, UTC).
func (r CreateSessionRequest) Context() map[string][]string {
	ctx := map[string][]string{}
	if r.Certificate != nil {
		ctx = CertificateContext(r.Certificate)
		ctx[KeySourceIdentity] = []string{SourceIdentity(r.Certificate)}
	}
	for k, v := range r.Tags {
		if TagValueOK(v) {
			ctx[PrincipalTagPrefix+k] = []string{v}
		}
	}
	for k, v := range r.Extra {
		ctx[k] = append(ctx[k], v...)
	}
	ctx[KeySourceArn] = []string{r.TrustAnchorARN}
	ctx[KeyRoleSessionName] = []string{r.RoleSessionName}
	if r.SourceIP != "" {
		ctx[KeySourceIP] = []string{r.SourceIP}
	}
	if _, ok := ctx[KeyCurrentTime]; !ok {
		ctx[KeyCurrentTime] = []string{r.Time.UTC().Format(time.RFC3339)}
	}
	return ctx
}

// ValidRoleSessionName reports whether CreateSession accepts name as
// roleSessionName (2 to 64 of ASCII letters, digits and _+=,.@-). The
// service refuses any other name with a ValidationException before a
// trust policy is evaluated.
func ValidRoleSessionName(name string) bool { return sessionname.Valid(name) }

// ActionDecision is the decision on one action of a CreateSession call.
type ActionDecision struct {
	Action string
	Decision
}

// CreateSessionDecision is the outcome of EvaluateCreateSession.
type CreateSessionDecision struct {
	// Allowed is true when every action is allowed.
	Allowed bool
	// Actions holds one decision per action, in the order evaluated.
	Actions []ActionDecision
}

// Deciding is the decision that settles the call: the first denial, else
// the first action's allow (sts:AssumeRole by default).
func (d CreateSessionDecision) Deciding() ActionDecision {
	for _, a := range d.Actions {
		if !a.Allowed {
			return a
		}
	}
	if len(d.Actions) == 0 {
		return ActionDecision{Decision: Decision{Statement: -1}}
	}
	return d.Actions[0]
}

// EvaluateCreateSession decides a CreateSession call against a role trust
// policy as IAM does: the call needs every action of r.Actions (by default
// sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity) allowed for
// r.Principal with r.Context(). Every action is evaluated, so a report
// can show each; the error is ValidateTrust's (a *ConditionError for a
// policy the evaluator does not understand, an *ElementError for one IAM
// rejects as a trust policy).
func EvaluateCreateSession(p *Policy, r CreateSessionRequest) (CreateSessionDecision, error) {
	if err := p.ValidateTrust(); err != nil {
		return CreateSessionDecision{}, err
	}
	principal := r.Principal
	if principal == "" {
		principal = RolesAnywhereService
	}
	actions := r.Actions
	if len(actions) == 0 {
		actions = RolesAnywhereActions
	}
	ctx := r.Context()
	out := CreateSessionDecision{Allowed: true}
	for _, a := range actions {
		d, err := Evaluate(p, Request{Principal: principal, Action: a, Context: ctx})
		if err != nil {
			return CreateSessionDecision{}, err
		}
		out.Allowed = out.Allowed && d.Allowed
		out.Actions = append(out.Actions, ActionDecision{Action: a, Decision: d})
	}
	return out, nil
}

// MarshalJSON writes the decision as {"action", "decision" (ALLOW or
// DENY), "explicitDeny" (when true), "statement" (1-based, left out when
// no statement decided), "sid", "conditions"}.
func (a ActionDecision) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Action     string            `json:"action"`
		Decision   string            `json:"decision"`
		Explicit   bool              `json:"explicitDeny,omitempty"`
		Statement  int               `json:"statement,omitempty"`
		Sid        string            `json:"sid,omitempty"`
		Conditions []ConditionResult `json:"conditions,omitempty"`
	}{a.Action, a.Verdict(), a.Explicit, a.Statement + 1, a.Sid, a.Conditions})
}

// MarshalJSON writes the decision as {"decision": "ALLOW" or "DENY",
// "results": one ActionDecision per action}.
func (d CreateSessionDecision) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Decision string           `json:"decision"`
		Results  []ActionDecision `json:"results"`
	}{d.Verdict(), d.Actions})
}

// Verdict is "ALLOW" or "DENY".
func (d CreateSessionDecision) Verdict() string {
	if d.Allowed {
		return "ALLOW"
	}
	return "DENY"
}

// Text is the verdict line, then per action the deciding statement as
// simulate prints it: "sts:AssumeRole: ALLOW by statement 1". principal
// is the calling service of the request.
func (d CreateSessionDecision) Text(p *Policy, principal string) string {
	var b strings.Builder
	b.WriteString(d.Verdict() + "\n")
	for _, a := range d.Actions {
		fmt.Fprintf(&b, "%s: %s %s\n", a.Action, a.Verdict(), a.Detail(p, principal, a.Action))
	}
	return b.String()
}
