package trustpolicy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

// ErrUnknownAction is wrapped by an *ActionError when a request names an
// action the IAM reference does not have.
var ErrUnknownAction = errors.New("action not in the IAM reference")

// ActionError is a request action that cannot be evaluated: Reason says
// why (no prefix, unknown service or action, a wildcard).
type ActionError struct {
	Action string
	Reason string
	Err    error // ErrUnknownAction
}

func (e *ActionError) Error() string { return e.Reason }
func (e *ActionError) Unwrap() error { return e.Err }

// IdentityRequest is one API call checked against an identity-based
// (permissions) policy: the IAM action and the resource ARN it acts on
// ("*" or empty for actions without a resource), with the request's
// condition keys.
type IdentityRequest struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// IdentityDecision is the result of EvaluateIdentity.
type IdentityDecision struct {
	Decision
	// Action is the request's action as the IAM reference spells it.
	Action string
	// AccessLevel is the action's access level in the reference.
	AccessLevel string
	Resource    string
}

// EvaluateIdentity decides r against the permissions policy p as IAM does
// for one identity-based policy: an explicit Deny wins, an Allow whose
// Action and Resource match (wildcards '*' and '?' within each of the six
// colon-separated parts of the ARN; see ArnLike) and whose conditions hold
// allows, anything else is an implicit deny. The action must exist in the
// IAM reference (else an *ActionError wrapping ErrUnknownAction): a typo
// would otherwise come out as a plausible DENY. Principal elements are not
// considered (identity policies have none).
func EvaluateIdentity(p *Policy, r IdentityRequest) (IdentityDecision, error) {
	d, err := iamdata.Load()
	if err != nil {
		return IdentityDecision{}, err
	}
	if strings.ContainsAny(r.Action, "*?") {
		return IdentityDecision{}, &ActionError{Action: r.Action, Reason: fmt.Sprintf("action %q: a request names one action, not a pattern", r.Action), Err: ErrUnknownAction}
	}
	as, why := ResolveAction(d, r.Action)
	if why != "" {
		return IdentityDecision{}, &ActionError{Action: r.Action, Reason: why, Err: ErrUnknownAction}
	}
	a := as[0]
	res := r.Resource
	if res == "" {
		res = "*"
	}
	dec, err := Evaluate(p, Request{Action: a.String(), Resource: res, Context: r.Context})
	if err != nil {
		return IdentityDecision{}, err
	}
	return IdentityDecision{Decision: dec, Action: a.String(), AccessLevel: a.AccessLevel, Resource: res}, nil
}

// Detail describes the decision in one line, as simulate prints it after
// the verdict: "by statement 2", "(explicit) by statement 3", "(implicit):
// no statement allows s3:PutObject on arn:aws:s3:::b/k", or the closest
// statement and its failed condition.
func (d IdentityDecision) Detail(p *Policy) string {
	if !d.Allowed && !d.Explicit && d.Statement < 0 {
		return fmt.Sprintf("(implicit): no statement allows %s on %s", d.Action, d.Resource)
	}
	return d.Decision.Detail(p, "", d.Action)
}

// IdentityDecisions are the decisions of EvaluateIdentityActions, one per
// action in order; Allowed when every action is allowed.
type IdentityDecisions struct {
	Actions []IdentityDecision `json:"actions"`
	Allowed bool               `json:"allowed"`
}

// EvaluateIdentityActions decides each action on resource against the
// permissions policy p with the condition keys ctx (EvaluateIdentity).
// The first error (an unknown action, a policy IAM would refuse) ends it.
func EvaluateIdentityActions(p *Policy, actions []string, resource string, ctx map[string][]string) (IdentityDecisions, error) {
	ds := IdentityDecisions{Allowed: true}
	for _, a := range actions {
		d, err := EvaluateIdentity(p, IdentityRequest{Action: a, Resource: resource, Context: ctx})
		if err != nil {
			return IdentityDecisions{}, err
		}
		ds.Allowed = ds.Allowed && d.Allowed
		ds.Actions = append(ds.Actions, d)
	}
	return ds, nil
}

// Verdict is "ALLOW" or "DENY".
func (ds IdentityDecisions) Verdict() string {
	if ds.Allowed {
		return "ALLOW"
	}
	return "DENY"
}

// Text is the verdict line, then one line per action: "s3:GetObject on
// arn:aws:s3:::b/k: ALLOW by statement 1".
func (ds IdentityDecisions) Text(p *Policy) string {
	var b strings.Builder
	b.WriteString(ds.Verdict() + "\n")
	for _, d := range ds.Actions {
		fmt.Fprintf(&b, "%s on %s: %s %s\n", d.Action, d.Resource, d.Verdict(), d.Detail(p))
	}
	return b.String()
}
