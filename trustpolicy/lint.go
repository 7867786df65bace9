package trustpolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a lint finding.
type Severity string

// The severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Finding is one lint result.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is a stable identifier such as "no-source-arn".
	Code string `json:"code"`
	// Statement is the 1-based statement number, 0 for the whole document.
	Statement int    `json:"statement,omitempty"`
	Sid       string `json:"sid,omitempty"`
	Key       string `json:"key,omitempty"`
	Message   string `json:"message"`
}

// String renders the finding as one line of text.
func (f Finding) String() string {
	where := "policy"
	if f.Statement > 0 {
		where = statementName(f.Statement-1, f.Sid)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", f.Severity, where, f.Message, f.Code)
}

// MarshalFindings is the findings as an indented JSON array ("[]" for
// none) and a newline, as 'trust-policy lint --format json' prints them.
func MarshalFindings(fs []Finding) ([]byte, error) {
	if fs == nil {
		fs = []Finding{}
	}
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// identityTagSuffixes are the principal tags that name the workload.
var identityTagSuffixes = []string{"x509subject/cn", "x509san/dns", "x509san/uri", "x509san/name/cn"}

func isIdentityKey(k string) bool {
	t := strings.ToLower(tagKeyOf(k))
	for _, s := range identityTagSuffixes {
		if t == s {
			return true
		}
	}
	return false
}

// Lint checks a role trust policy meant for IAM Roles Anywhere and returns
// its findings, most important first within each statement:
//
//   - error invalid-condition: an operator or value Evaluate cannot use;
//   - error not-principal: NotPrincipal, which IAM rejects in a role trust
//     policy (and with Effect Allow in any policy);
//   - error trust-resource: a Resource or NotResource element, which IAM
//     rejects in a role trust policy ("Has prohibited field Resource");
//   - error/warning foreign-principal: an Allow for a principal other than
//     rolesanywhere.amazonaws.com ("*" is an error);
//   - error no-source-arn: an Allow without an aws:SourceArn pin, so any
//     trust anchor of the account (or of any account) is trusted;
//   - error no-identity: an Allow with no condition on the certificate's
//     identity, so every certificate of the anchor's CA is trusted;
//   - error/warning wildcard-too-broad: an identity pattern such as "*",
//     "*.com" (error) or "*example.com" (warning: also matches
//     evilexample.com);
//   - warning cn-only: identity pinned by CN only; certificates of Let's
//     Encrypt's tlsserver and shortlived profiles have no CN;
//   - warning no-session-name: sts:AssumeRole allowed without an
//     sts:RoleSessionName condition;
//   - error missing-action: sts:AssumeRole, sts:TagSession or
//     sts:SetSourceIdentity allowed by no statement (CreateSession fails);
//   - error/warning issuer-by-o: a pin on an O attribute; Let's Encrypt's
//     "Let's Encrypt" fails the tag pattern, the tag is dropped and the
//     condition can never match (error when the value fails the pattern);
//   - error unmatchable-tag-value: a principal-tag value the tag pattern
//     drops;
//   - info deny-case-sensitive: a Deny on an identity with a case-sensitive
//     operator (DNS names are case-insensitive);
//   - warning old-version: Version missing or 2008-10-17.
func Lint(p *Policy) []Finding {
	var out []Finding
	add := func(sev Severity, code string, stmt int, key, format string, a ...any) {
		f := Finding{Severity: sev, Code: code, Statement: stmt, Key: key, Message: fmt.Sprintf(format, a...)}
		if stmt > 0 {
			f.Sid = p.Statement[stmt-1].Sid
		}
		out = append(out, f)
	}
	if p.Version != Version2012 {
		add(SeverityWarning, "old-version", 0, "", "Version is %q; write \"2012-10-17\" (policy variables need it)", p.Version)
	}
	if err := p.Validate(); err != nil {
		var ce *ConditionError
		if errors.As(err, &ce) {
			add(SeverityError, "invalid-condition", ce.Statement, ce.Key, "%s", strings.TrimPrefix(ce.Error(), "policy "+statementName(ce.Statement-1, ce.Sid)+" "))
		} else {
			add(SeverityError, "invalid-condition", 0, "", "%v", err)
		}
	}
	// An identity (permissions) policy has Resource and no Principal: the
	// trust-policy elements rule is for role trust policies only.
	for _, e := range trustElementErrorsUnlessIdentity(p) {
		code := "trust-resource"
		if e.Element == "NotPrincipal" {
			code = "not-principal"
		}
		add(SeverityError, code, e.Statement, "", "%s", strings.TrimPrefix(e.Error(), "policy "+statementName(e.Statement-1, e.Sid)+": "))
	}
	covered := map[string]bool{}
	for i, s := range p.Statement {
		n := i + 1
		ra := s.Principal != nil && principalMatches(Statement{Principal: s.Principal}, RolesAnywhereService)
		if s.Effect == Deny {
			for op, km := range s.Condition {
				o, err := parseOperator(op)
				if err != nil || o.kind != kString || o.negated {
					continue
				}
				for k := range km {
					if isIdentityKey(k) {
						add(SeverityInfo, "deny-case-sensitive", n, k, "%s on %q is case-sensitive; use StringEqualsIgnoreCase so FOO.example.com is denied too", op, k)
					}
				}
			}
			continue
		}
		if s.Principal == nil && s.NotPrincipal == nil {
			continue // an identity policy statement: not a trust policy concern
		}
		switch {
		case s.NotPrincipal != nil:
			continue // not-principal above: IAM rejects the policy
		case s.Principal.Wildcard || hasValue(s.Principal.Values["AWS"], "*"):
			add(SeverityError, "foreign-principal", n, "", "Allow for every principal (\"*\"); use \"Principal\": {\"Service\": %q}", RolesAnywhereService)
		case !ra || len(s.Principal.Values) > 1 || len(s.Principal.Values["Service"]) > 1:
			add(SeverityWarning, "foreign-principal", n, "", "Allow for a principal other than the Roles Anywhere service; keep this role's trust to %q", RolesAnywhereService)
		}
		if !ra {
			continue
		}
		for _, a := range RolesAnywhereActions {
			if actionMatches(s, a) {
				covered[a] = true
			}
		}
		hasSourceArn, hasIdentity, hasSAN, hasCN, hasSession := false, false, false, false, false
		for op, km := range s.Condition {
			o, err := parseOperator(op)
			if err != nil {
				continue
			}
			for k, vals := range km {
				lk := strings.ToLower(k)
				if lk == "aws:sourcearn" && !o.negated && !o.ifExists && !o.forAll && o.kind != kNull {
					for _, v := range vals {
						if v != "*" {
							hasSourceArn = true
						}
					}
				}
				if lk == "sts:rolesessionname" && !o.ifExists && o.kind != kNull {
					hasSession = true
				}
				if tag := strings.ToLower(tagKeyOf(k)); tag != "" && !o.negated && o.kind != kNull {
					for _, v := range vals {
						if !TagValueOK(v) && o.kind != kStringLike || o.kind == kStringLike && !TagValueOK(strings.NewReplacer("*", "", "?", "").Replace(v)) {
							code := "unmatchable-tag-value"
							if strings.HasSuffix(tag, "/o") {
								code = "issuer-by-o"
							}
							add(SeverityError, code, n, k, "value %q fails the STS tag pattern, so Roles Anywhere drops the tag and this condition never matches; pin the issuer by CN instead", v)
						} else if strings.HasSuffix(tag, "/o") {
							add(SeverityWarning, "issuer-by-o", n, k, "pinned by O; organisation names often fail the tag pattern (Let's Encrypt's does): pin x509Issuer/CN instead")
						}
					}
				}
				if isIdentityKey(k) && !o.negated && !o.ifExists && !o.forAll && o.kind != kNull {
					hasIdentity = true
					if strings.HasSuffix(lk, "/cn") {
						hasCN = true
					} else {
						hasSAN = true
					}
					if o.kind == kStringLike {
						for _, v := range vals {
							if sev, why := patternBreadth(v); sev != "" {
								add(sev, "wildcard-too-broad", n, k, "pattern %q %s", v, why)
							}
						}
					}
				}
			}
		}
		if !hasSourceArn {
			add(SeverityError, "no-source-arn", n, KeySourceArn, "no ArnEquals %q condition: every trust anchor is trusted; pin your trust anchor's ARN", KeySourceArn)
		}
		if !hasIdentity {
			add(SeverityError, "no-identity", n, "", "no condition on the certificate identity (x509Subject/CN or x509SAN/DNS): every certificate the CA issues is trusted")
		} else if hasCN && !hasSAN {
			add(SeverityWarning, "cn-only", n, KeySubjectCN, "identity pinned by CN only; certificates without a CN (Let's Encrypt tlsserver and shortlived profiles) are refused: consider --match san (x509SAN/DNS)")
		}
		if actionMatches(s, ActionAssumeRole) && !hasSession {
			add(SeverityWarning, "no-session-name", n, KeyRoleSessionName, "sts:AssumeRole without an sts:RoleSessionName condition: any session name is accepted (e.g. require a TOTP code with \"??????\")")
		}
	}
	for _, a := range RolesAnywhereActions {
		if !covered[a] && !isIdentityPolicy(p) {
			add(SeverityError, "missing-action", 0, "", "no Allow of %s for %s: CreateSession needs sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity", a, RolesAnywhereService)
		}
	}
	out = append(out, iamFindings(p)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Statement != out[j].Statement {
			return out[i].Statement < out[j].Statement
		}
		if out[i].Severity.rank() != out[j].Severity.rank() {
			return out[i].Severity.rank() < out[j].Severity.rank()
		}
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func hasValue(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// patternBreadth judges a StringLike identity pattern: "" when it is fine,
// else a severity and the reason.
func patternBreadth(v string) (Severity, string) {
	last := strings.LastIndexAny(v, "*?")
	if last < 0 {
		return "", ""
	}
	suffix := v[last+1:]
	labels := strings.Split(strings.Trim(suffix, "."), ".")
	if suffix == "" || len(labels) < 2 || !strings.HasPrefix(suffix, ".") && strings.Count(suffix, ".") < 2 {
		return SeverityError, "matches names in more than one registered domain"
	}
	if !strings.HasPrefix(v, "*.") || strings.ContainsAny(v[2:], "*?") {
		if !strings.HasPrefix(suffix, ".") {
			return SeverityWarning, fmt.Sprintf("also matches names that merely end in %q (write *.%s)", suffix, strings.TrimLeft(suffix, "."))
		}
		return SeverityInfo, "has a wildcard outside the first label"
	}
	return "", ""
}

// trustElementErrorsUnlessIdentity is trustElementErrors for a role trust
// policy, nothing for an identity policy (no Principal anywhere).
func trustElementErrorsUnlessIdentity(p *Policy) []*ElementError {
	if isIdentityPolicy(p) {
		return nil
	}
	return trustElementErrors(p)
}
