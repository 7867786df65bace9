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
	var ds []trustpolicy.IdentityDecision
	allowed := true
	for _, a := range o.actions {
		d, err := trustpolicy.EvaluateIdentity(p, trustpolicy.IdentityRequest{Action: a, Resource: o.resource, Context: ctx})
		if err != nil {
			return fmt.Errorf("simulate: --policy %q: %w", o.policy, err)
		}
		allowed = allowed && d.Allowed
		ds = append(ds, d)
	}
	if o.format == "json" {
		b, err := json.MarshalIndent(map[string]any{"allowed": allowed, "actions": ds}, "", "  ")
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		b.WriteString(map[bool]string{true: "ALLOW", false: "DENY"}[allowed] + "\n")
		for _, d := range ds {
			fmt.Fprintf(&b, "%s on %s: %s %s\n", d.Action, d.Resource, d.Verdict(), d.Detail(p))
		}
		if _, err := e.stdout.Write([]byte(b.String())); err != nil {
			return err
		}
	}
	if !allowed {
		return &exitError{1}
	}
	return nil
}
