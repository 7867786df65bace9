package trustpolicy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

// iamFindings checks the actions and condition keys of every statement
// against the published IAM reference (internal/iamdata):
//
//   - error unknown-action: an action (or a wildcard) that names no action
//     of the reference, such as sts:AssumeRoles; IAM accepts the policy and
//     the statement silently grants nothing;
//   - warning unsupported-condition-key: a service condition key that no
//     action of the statement supports (global aws: keys always apply), so
//     the condition never sees a value: it always fails, or with IfExists
//     or a negated operator always holds.
//
// Statements with NotAction are checked for unknown actions only.
func iamFindings(p *Policy) []Finding {
	d, err := iamdata.Load()
	if err != nil {
		return []Finding{{Severity: SeverityError, Code: "iam-data", Message: err.Error()}}
	}
	var out []Finding
	for i, s := range p.Statement {
		n := i + 1
		var actions []*iamdata.Action
		resolved := s.NotAction == nil
		for _, a := range append(append(Strings(nil), s.Action...), s.NotAction...) {
			got, why := ResolveAction(d, a)
			if why != "" {
				out = append(out, Finding{Severity: SeverityError, Code: "unknown-action", Statement: n, Sid: s.Sid, Key: a, Message: why})
				resolved = false
				continue
			}
			actions = append(actions, got...)
		}
		if !resolved || len(actions) == 0 {
			continue
		}
		for _, key := range conditionKeys(s.Condition) {
			if prefix, _, ok := strings.Cut(key, ":"); !ok || strings.EqualFold(prefix, "aws") {
				continue
			} else if _, known := d.Service(prefix); !known {
				continue // a key of an identity provider (accounts.google.com:aud, ...) or a service the data lacks
			}
			supported := false
			for _, a := range actions {
				if a.SupportsConditionKey(key) {
					supported = true
					break
				}
			}
			if !supported {
				out = append(out, Finding{Severity: SeverityWarning, Code: "unsupported-condition-key", Statement: n, Sid: s.Sid, Key: key,
					Message: fmt.Sprintf("no action of the statement (%s) supports condition key %q, so the condition never sees a value", actionList(actions), key)})
			}
		}
	}
	return out
}

// ResolveAction returns the actions of the IAM reference a policy's action
// entry names: one for an exact name, all matches for a wildcard ("sts:*",
// "s3:Get*", "*"). why, when not empty, says why the entry names nothing:
// no service prefix, an unknown service, an unknown action, or a wildcard
// that matches no action.
func ResolveAction(d *iamdata.Data, a string) (actions []*iamdata.Action, why string) {
	if a == "*" {
		return d.Expand("*"), ""
	}
	prefix, name, ok := strings.Cut(a, ":")
	if !ok || prefix == "" || name == "" {
		return nil, fmt.Sprintf("action %q is not service:Name", a)
	}
	if !strings.ContainsAny(prefix, "*?") {
		if _, known := d.Service(prefix); !known {
			return nil, fmt.Sprintf("action %q: no service with prefix %q in the IAM reference (%s)", a, prefix, iamdata.Version)
		}
	}
	got := d.Expand(a)
	if len(got) == 0 {
		if strings.ContainsAny(a, "*?") {
			return nil, fmt.Sprintf("action pattern %q matches no action in the IAM reference (%s)", a, iamdata.Version)
		}
		return nil, fmt.Sprintf("action %q does not exist in the IAM reference (%s)%s", a, iamdata.Version, nearest(d, prefix, name))
	}
	return got, ""
}

// nearest suggests the action of the service whose name is closest to
// name, when it is only a letter or two away (a typo).
func nearest(d *iamdata.Data, prefix, name string) string {
	s, _ := d.Service(prefix)
	best, bestD := "", 3
	for _, a := range s.Actions {
		if dist := editDistance(strings.ToLower(a.Name), strings.ToLower(name), bestD); dist < bestD {
			best, bestD = a.String(), dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// conditionKeys lists the keys of a condition block, sorted.
func conditionKeys(c Condition) []string {
	seen := map[string]bool{}
	var keys []string
	for _, km := range c {
		for k := range km {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func actionList(as []*iamdata.Action) string {
	const show = 3
	var names []string
	for i, a := range as {
		if i == show {
			names = append(names, fmt.Sprintf("and %d more", len(as)-show))
			break
		}
		names = append(names, a.String())
	}
	return strings.Join(names, ", ")
}

// isIdentityPolicy reports whether p is an identity-based (permissions)
// policy: no statement names a principal. The trust-policy checks that
// need an Allow for Roles Anywhere do not apply to it.
func isIdentityPolicy(p *Policy) bool {
	for _, s := range p.Statement {
		if s.Principal != nil || s.NotPrincipal != nil {
			return false
		}
	}
	return len(p.Statement) > 0
}
