package emulator

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TrustPolicy returns a Config.Authorize function that applies a role trust
// policy as IAM does for CreateSession, with
// trustpolicy.EvaluateCreateSession: the call is refused unless the policy
// allows all of sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity
// for rolesanywhere.amazonaws.com with the call's condition keys
// (AuthorizeInput.Request). The refusal message names the first action
// denied and the deciding statement. p is validated first as a role trust
// policy (ValidateTrust), so an operator the evaluator does not know, or an
// element IAM rejects in a trust policy, is an error here, not a refusal of
// every call later.
func TrustPolicy(p *trustpolicy.Policy) (func(AuthorizeInput) error, error) {
	if p == nil {
		return nil, fmt.Errorf("trust policy: nil policy")
	}
	if err := p.ValidateTrust(); err != nil {
		return nil, fmt.Errorf("trust policy: %w", err)
	}
	p = p.Clone()
	return func(in AuthorizeInput) error {
		d, err := trustpolicy.EvaluateCreateSession(p, in.Request())
		if err != nil {
			//lint:ignore ST1005 the service's own message, which clients and tests match
			return fmt.Errorf("Unable to assume role %s: the trust policy cannot be evaluated: %v", in.RoleARN, err)
		}
		if !d.Allowed {
			deny := d.Deciding()
			//lint:ignore ST1005 the service's own message, which clients and tests match
			return fmt.Errorf("Unable to assume role %s: the role's trust policy does not allow %s: %s", in.RoleARN, deny.Action, deny.Explain(p))
		}
		return nil
	}, nil
}
