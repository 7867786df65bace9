package main

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// simulateIdentity is simulate --resource: each --action on the resource
// against an identity-based (permissions) policy. Prints ALLOW or DENY,
// then one line per action; exit 1 when any is denied.
func simulateIdentity(e *env, o *trustpolicy.SimulateOptions, format string) error {
	if err := o.ValidateIdentity(); err != nil {
		return policyError("simulate", err)
	}
	if err := checkOutputFormat("simulate", format); err != nil {
		return err
	}
	p, err := readPolicyFile(e, "simulate", "--policy", o.PolicyFile)
	if err != nil {
		return err
	}
	ctx, err := o.IdentityContext()
	if err != nil {
		return policyError("simulate", err)
	}
	ds, err := trustpolicy.EvaluateIdentityActions(p, o.Actions, o.Resource, ctx)
	if err != nil {
		return fmt.Errorf("simulate: --policy %q: %w", o.PolicyFile, err)
	}
	return writeDecision(e, format, ds, ds.Allowed, ds.Text(p))
}
