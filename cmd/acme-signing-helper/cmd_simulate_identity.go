package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// validateIdentity checks the flags of simulate's identity-policy mode
// (--resource given): a policy, at least one action, no trust-policy
// request flags.
func (o *simulateOptions) validateIdentity() error {
	const cmd = "simulate"
	if o.policy == "" {
		return usageErrorf("give the permissions policy, e.g. --policy policy.json", "%s: --policy is required", cmd)
	}
	if len(o.actions) == 0 {
		return usageErrorf("name the call, e.g. --action s3:GetObject --resource arn:aws:s3:::bucket/key", "%s: --resource needs --action", cmd)
	}
	if o.certificate != "" || len(o.tags) > 0 || o.sessionName != "" || o.sourceArn != "" {
		return usageErrorf("--resource checks a permissions policy: drop --certificate, --tag, --session-name and --source-arn (they describe a CreateSession)", "%s: --resource given with CreateSession flags", cmd)
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("use --format text or --format json", "%s: unknown --format %q", cmd, o.format)
	}
	return nil
}

// simulateIdentity is simulate --resource: each --action on the resource
// against an identity-based (permissions) policy. Prints ALLOW or DENY,
// then one line per action; exit 1 when any is denied.
func simulateIdentity(e *env, o *simulateOptions) error {
	if err := o.validateIdentity(); err != nil {
		return err
	}
	p, err := readPolicyFile(e, "simulate", "--policy", o.policy)
	if err != nil {
		return err
	}
	ctx := map[string][]string{}
	for _, c := range o.context {
		k, v, ok := strings.Cut(c, "=")
		if !ok || k == "" {
			return usageErrorf("write --context KEY=VALUE, e.g. --context aws:SecureTransport=true", "simulate: --context %q: want KEY=VALUE", c)
		}
		ctx[k] = append(ctx[k], v)
	}
	if o.sourceIP != "" {
		ctx["aws:SourceIp"] = []string{o.sourceIP}
	}
	ds, err := trustpolicy.EvaluateIdentityActions(p, o.actions, o.resource, ctx)
	if err != nil {
		return fmt.Errorf("simulate: --policy %q: %w", o.policy, err)
	}
	if o.format == "json" {
		b, err := json.MarshalIndent(ds, "", "  ")
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if _, err := e.stdout.Write([]byte(ds.Text(p))); err != nil {
		return err
	}
	if !ds.Allowed {
		return &exitError{Code: 1}
	}
	return nil
}
