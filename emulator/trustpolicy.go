package emulator

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TrustPolicy returns a Config.Authorize function that applies a role trust
// policy as IAM does for CreateSession: the call is refused unless the
// policy allows all of sts:AssumeRole, sts:TagSession and
// sts:SetSourceIdentity for rolesanywhere.amazonaws.com with the call's
// condition keys (ConditionKeys, plus the x509SAN/Name/* tags
// trustpolicy derives). The refusal message names the action and the
// deciding statement. p is validated first, so an operator the evaluator
// does not know is an error here, not a refusal of every call later.
func TrustPolicy(p *trustpolicy.Policy) (func(AuthorizeInput) error, error) {
	if p == nil {
		return nil, fmt.Errorf("trust policy: nil policy")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("trust policy: %w", err)
	}
	p = p.Clone()
	return func(in AuthorizeInput) error {
		ctx := in.ConditionKeys()
		if in.Leaf != nil {
			for k, v := range trustpolicy.CertificateContext(in.Leaf) {
				if _, ok := ctx[k]; !ok {
					ctx[k] = v
				}
			}
		}
		for _, action := range trustpolicy.RolesAnywhereActions {
			d, err := trustpolicy.Evaluate(p, trustpolicy.Request{Principal: trustpolicy.RolesAnywhereService, Action: action, Context: ctx})
			if err != nil {
				return fmt.Errorf("Unable to assume role %s: the trust policy cannot be evaluated: %v", in.RoleARN, err)
			}
			if !d.Allowed {
				return fmt.Errorf("Unable to assume role %s: the role's trust policy does not allow %s: %s", in.RoleARN, action, d.Explain(p))
			}
		}
		return nil
	}, nil
}
