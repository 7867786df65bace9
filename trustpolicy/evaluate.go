package trustpolicy

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one call to simulate: who (a service principal) asks for
// which action on which resource, with which request context.
type Request struct {
	// Principal is the calling service principal, for example
	// RolesAnywhereService. Empty skips the principal check (identity
	// policies have no Principal element).
	Principal string
	// Action is the action asked for, for example "sts:AssumeRole".
	Action string
	// Resource is the resource ARN. Empty skips the resource check (trust
	// policies have no Resource element).
	Resource string
	// Context holds the condition keys of the request and their values,
	// for example "aws:PrincipalTag/x509Subject/CN" or
	// "sts:RoleSessionName". Key names match case-insensitively, as in IAM.
	Context map[string][]string
}

// Decision is the outcome of Evaluate.
type Decision struct {
	// Allowed is true when an Allow statement applies and no Deny does.
	Allowed bool
	// Explicit is true for a deny by a Deny statement.
	Explicit bool
	// Statement is the 0-based index of the deciding statement: the Allow
	// that applied, the Deny that applied, or for an implicit deny the
	// closest Allow statement (the one for the principal and action with
	// the fewest failing conditions). -1 when no statement concerns the
	// principal and action.
	Statement int
	// Sid is the deciding statement's Sid, if any.
	Sid string
	// Conditions are, for an implicit deny, the failing conditions of the
	// closest Allow statement (first the one that failed first in
	// operator/key order); for an explicit deny, the conditions of the
	// Deny statement that matched.
	Conditions []ConditionResult
}

// ConditionResult describes one operator/key pair of a statement's
// Condition element as evaluated against a request.
type ConditionResult struct {
	Operator string
	Key      string
	// Want are the policy's values, Got the request's (nil: key absent).
	Want []string
	Got  []string
}

// String renders the pair for messages: `StringLike "sts:RoleSessionName"`.
func (c ConditionResult) String() string {
	return fmt.Sprintf("%s %q", c.Operator, c.Key)
}

// Verdict is "ALLOW" or "DENY".
func (d Decision) Verdict() string {
	if d.Allowed {
		return "ALLOW"
	}
	return "DENY"
}

// Explain describes the decision in one line for messages, naming the
// statement of p that decided and the conditions involved, without the
// request's values: "denied by statement 3 (Sid "DenyRevoked"):
// StringEqualsIgnoreCase "aws:PrincipalTag/x509Subject/CN" matched".
func (d Decision) Explain(p *Policy) string {
	var b strings.Builder
	switch {
	case d.Allowed:
		fmt.Fprintf(&b, "allowed by %s", p.Name(d.Statement))
	case d.Explicit:
		fmt.Fprintf(&b, "explicitly denied by %s", p.Name(d.Statement))
		for i, c := range d.Conditions {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s matched", c)
		}
	case d.Statement < 0:
		b.WriteString("implicitly denied: no statement applies to the principal and action")
	default:
		fmt.Fprintf(&b, "implicitly denied: closest is %s", p.Name(d.Statement))
		for i, c := range d.Conditions {
			if i == 0 {
				b.WriteString(": condition ")
			} else {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s", c)
		}
		if len(d.Conditions) > 0 {
			b.WriteString(" not met")
		}
	}
	return b.String()
}

// Detail describes the decision on action for principal in one line,
// with the request's values, as simulate prints it after the verdict:
// "by statement 2", "(explicit) by statement 3: StringEqualsIgnoreCase
// "aws:PrincipalTag/x509Subject/CN" matched "old.example.com"",
// "(implicit): no statement allows sts:AssumeRole for
// rolesanywhere.amazonaws.com" or "(implicit): closest is statement 2:
// condition StringLike "sts:RoleSessionName" failed: got "12345", want
// "??????"".
func (d Decision) Detail(p *Policy, principal, action string) string {
	var b strings.Builder
	switch {
	case d.Allowed:
		fmt.Fprintf(&b, "by %s", p.Name(d.Statement))
	case d.Explicit:
		fmt.Fprintf(&b, "(explicit) by %s", p.Name(d.Statement))
		for i, c := range d.Conditions {
			sep := ": "
			if i > 0 {
				sep = ", "
			}
			fmt.Fprintf(&b, "%s%s matched %s", sep, c, quoteList(c.Got))
		}
	case d.Statement < 0:
		fmt.Fprintf(&b, "(implicit): no statement allows %s for %s", action, principal)
	default:
		fmt.Fprintf(&b, "(implicit): closest is %s", p.Name(d.Statement))
		for i, c := range d.Conditions {
			sep := ": condition "
			if i > 0 {
				sep = "; condition "
			}
			got := "absent"
			if c.Got != nil {
				got = quoteList(c.Got)
			}
			fmt.Fprintf(&b, "%s%s failed: got %s, want %s", sep, c, got, quoteList(c.Want))
		}
	}
	return b.String()
}

// quoteList quotes one value, or a list of them in brackets.
func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// ErrNotPrincipalAllow is a statement with NotPrincipal and Effect Allow:
// IAM rejects such a policy (in any policy, not only trust policies).
var ErrNotPrincipalAllow = errors.New("NotPrincipal with Effect Allow is rejected by IAM")

// ErrTrustNotPrincipal is NotPrincipal in a role trust policy: IAM rejects
// it there whatever the Effect.
var ErrTrustNotPrincipal = errors.New("NotPrincipal is rejected by IAM in a role trust policy")

// ErrTrustResource is a Resource or NotResource element in a role trust
// policy: IAM rejects the policy (MalformedPolicyDocument "Has prohibited
// field Resource"); the role itself is the resource.
var ErrTrustResource = errors.New("IAM rejects a role trust policy with a Resource or NotResource element")

// ElementError is a statement element IAM refuses: Err is
// ErrNotPrincipalAllow, ErrTrustNotPrincipal or ErrTrustResource.
type ElementError struct {
	Statement int // 1-based
	Sid       string
	// Element is "NotPrincipal", "Resource" or "NotResource".
	Element string
	Err     error
}

// Error says what IAM says about a Resource in a trust policy ("has
// prohibited field Resource") and why.
func (e *ElementError) Error() string {
	if e.Err == ErrTrustResource {
		return fmt.Sprintf("policy %s: has prohibited field %s: %v", statementName(e.Statement-1, e.Sid), e.Element, e.Err)
	}
	return fmt.Sprintf("policy %s: %v", statementName(e.Statement-1, e.Sid), e.Err)
}

// Unwrap returns Err.
func (e *ElementError) Unwrap() error { return e.Err }

// ValidateTrust checks p as a role trust policy: Validate's checks, then
// every element IAM rejects in a trust policy (NotPrincipal, Resource,
// NotResource), as *ElementError. EvaluateCreateSession calls it, so such
// a policy is an error, never a decision.
func (p *Policy) ValidateTrust() error {
	if p == nil {
		return errors.New("nil policy")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if errs := trustElementErrors(p); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// trustElementErrors lists the elements of p that IAM rejects in a role
// trust policy, in statement order.
func trustElementErrors(p *Policy) []*ElementError {
	var out []*ElementError
	for i, s := range p.Statement {
		switch {
		case s.NotPrincipal != nil && s.Effect == Allow:
			out = append(out, &ElementError{Statement: i + 1, Sid: s.Sid, Element: "NotPrincipal", Err: ErrNotPrincipalAllow})
		case s.NotPrincipal != nil:
			out = append(out, &ElementError{Statement: i + 1, Sid: s.Sid, Element: "NotPrincipal", Err: ErrTrustNotPrincipal})
		}
		if s.Resource != nil {
			out = append(out, &ElementError{Statement: i + 1, Sid: s.Sid, Element: "Resource", Err: ErrTrustResource})
		}
		if s.NotResource != nil {
			out = append(out, &ElementError{Statement: i + 1, Sid: s.Sid, Element: "NotResource", Err: ErrTrustResource})
		}
	}
	return out
}

// ConditionError is an operator or condition value Evaluate cannot use.
type ConditionError struct {
	Statement int // 1-based
	Sid       string
	Operator  string
	Key       string
	Err       error
}

// ErrUnsupportedOperator is wrapped by a ConditionError for an operator
// the evaluator does not implement.
var ErrUnsupportedOperator = errors.New("unsupported condition operator")

// ErrBadConditionValue is wrapped by a ConditionError for a policy value
// that its operator cannot use (a bad CIDR, number, date or boolean).
var ErrBadConditionValue = errors.New("bad condition value")

func (e *ConditionError) Error() string {
	s := fmt.Sprintf("policy %s condition %s", statementName(e.Statement-1, e.Sid), e.Operator)
	if e.Key != "" {
		s += fmt.Sprintf(" key %q", e.Key)
	}
	return s + ": " + e.Err.Error()
}

func (e *ConditionError) Unwrap() error { return e.Err }

// operator is a parsed condition operator.
type operator struct {
	name     string // as written
	base     string // without qualifier and IfExists
	forAll   bool
	forAny   bool
	ifExists bool
	kind     opKind
	negated  bool
}

type opKind int

const (
	kString opKind = iota
	kStringIgnoreCase
	kStringLike
	kNumEq
	kNumLT
	kNumLE
	kNumGT
	kNumGE
	kDateEq
	kDateLT
	kDateLE
	kDateGT
	kDateGE
	kBool
	kBinary
	kIP
	kArn
	kNull
)

var baseOperators = map[string]struct {
	kind    opKind
	negated bool
}{
	"StringEquals":              {kString, false},
	"StringNotEquals":           {kString, true},
	"StringEqualsIgnoreCase":    {kStringIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {kStringIgnoreCase, true},
	"StringLike":                {kStringLike, false},
	"StringNotLike":             {kStringLike, true},
	"NumericEquals":             {kNumEq, false},
	"NumericNotEquals":          {kNumEq, true},
	"NumericLessThan":           {kNumLT, false},
	"NumericLessThanEquals":     {kNumLE, false},
	"NumericGreaterThan":        {kNumGT, false},
	"NumericGreaterThanEquals":  {kNumGE, false},
	"DateEquals":                {kDateEq, false},
	"DateNotEquals":             {kDateEq, true},
	"DateLessThan":              {kDateLT, false},
	"DateLessThanEquals":        {kDateLE, false},
	"DateGreaterThan":           {kDateGT, false},
	"DateGreaterThanEquals":     {kDateGE, false},
	"Bool":                      {kBool, false},
	"BinaryEquals":              {kBinary, false},
	"IpAddress":                 {kIP, false},
	"NotIpAddress":              {kIP, true},
	"ArnEquals":                 {kArn, false},
	"ArnLike":                   {kArn, false},
	"ArnNotEquals":              {kArn, true},
	"ArnNotLike":                {kArn, true},
	"Null":                      {kNull, false},
}

func parseOperator(name string) (operator, error) {
	o := operator{name: name}
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		o.forAll, rest = true, r
	} else if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		o.forAny, rest = true, r
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok && r != "Null" {
		o.ifExists, rest = true, r
	}
	b, ok := baseOperators[rest]
	if !ok {
		return o, ErrUnsupportedOperator
	}
	if b.kind == kNull && (o.forAll || o.forAny) {
		return o, fmt.Errorf("%w: Null takes no ForAllValues:/ForAnyValue: qualifier", ErrUnsupportedOperator)
	}
	o.base, o.kind, o.negated = rest, b.kind, b.negated
	return o, nil
}

// compiled is a policy value prepared for comparison.
type compiled struct {
	s      string
	num    float64
	t      time.Time
	prefix netip.Prefix
	b      bool
}

func compileValue(o operator, v string) (compiled, error) {
	c := compiled{s: v}
	var err error
	switch o.kind {
	case kNumEq, kNumLT, kNumLE, kNumGT, kNumGE:
		if c.num, err = parseNumber(v); err != nil {
			return c, fmt.Errorf("%w: %q is not a number", ErrBadConditionValue, v)
		}
	case kDateEq, kDateLT, kDateLE, kDateGT, kDateGE:
		if c.t, err = parseDate(v); err != nil {
			return c, fmt.Errorf("%w: %q is not a date (want ISO 8601 such as 2026-01-02T15:04:05Z, or epoch seconds)", ErrBadConditionValue, v)
		}
	case kBool, kNull:
		switch strings.ToLower(v) {
		case "true":
			c.b = true
		case "false":
		default:
			return c, fmt.Errorf("%w: %q is not true or false", ErrBadConditionValue, v)
		}
	case kIP:
		if c.prefix, err = ParseCIDR(v); err != nil {
			return c, fmt.Errorf("%w: %v", ErrBadConditionValue, err)
		}
	}
	return c, nil
}

// ParseCIDR parses an IP address range in CIDR notation as IAM's IpAddress
// operator accepts it; a bare address means a single host (/32 or /128).
// Host bits must be zero: 10.0.0.1/8 is refused (write 10.0.0.0/8).
func ParseCIDR(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR range", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR range such as 203.0.113.0/24", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set (did you mean %s?)", s, p.Masked())
	}
	return p, nil
}

func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	return f, nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, errors.New("not a date")
}

// matchOne reports whether the request value v matches the policy value c
// under the positive form of o.
func matchOne(o operator, v string, c compiled) bool {
	switch o.kind {
	case kString, kBinary:
		return v == c.s
	case kStringIgnoreCase:
		return strings.EqualFold(v, c.s)
	case kStringLike:
		return Like(c.s, v)
	case kNumEq, kNumLT, kNumLE, kNumGT, kNumGE:
		n, err := parseNumber(v)
		if err != nil {
			return false
		}
		switch o.kind {
		case kNumEq:
			return n == c.num
		case kNumLT:
			return n < c.num
		case kNumLE:
			return n <= c.num
		case kNumGT:
			return n > c.num
		default:
			return n >= c.num
		}
	case kDateEq, kDateLT, kDateLE, kDateGT, kDateGE:
		t, err := parseDate(v)
		if err != nil {
			return false
		}
		switch o.kind {
		case kDateEq:
			return t.Equal(c.t)
		case kDateLT:
			return t.Before(c.t)
		case kDateLE:
			return !t.After(c.t)
		case kDateGT:
			return t.After(c.t)
		default:
			return !t.Before(c.t)
		}
	case kBool:
		return strings.EqualFold(v, c.s)
	case kIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		return c.prefix.Contains(a.Unmap()) || c.prefix.Contains(a)
	case kArn:
		return ArnLike(c.s, v)
	}
	return false
}

// matchValue applies o (with its negation) to one request value: a
// positive operator matches when any policy value matches; a negated one
// when none does.
func matchValue(o operator, v string, want []compiled) bool {
	any := false
	for _, c := range want {
		if matchOne(o, v, c) {
			any = true
			break
		}
	}
	return any != o.negated
}

// evalCondition evaluates one operator/key pair with IAM's rules:
//   - Null tests presence only ("true": the key is absent).
//   - ForAllValues: true when every request value matches (also when the key
//     is absent or empty).
//   - ForAnyValue: true when at least one request value matches; false when
//     the key is absent, unless IfExists.
//   - No qualifier: an absent key does not match a positive operator and
//     does match a negated one; IfExists makes an absent key match. With
//     several request values a positive operator matches when any of them
//     matches and a negated one when none matches the positive form.
func evalCondition(o operator, got []string, present bool, want []compiled) bool {
	if o.kind == kNull {
		for _, c := range want {
			if c.b == !present {
				return true
			}
		}
		return false
	}
	switch {
	case o.forAll:
		for _, v := range got {
			if !matchValue(o, v, want) {
				return false
			}
		}
		return true
	case o.forAny:
		if !present {
			return o.ifExists
		}
		for _, v := range got {
			if matchValue(o, v, want) {
				return true
			}
		}
		return false
	}
	if !present {
		return o.ifExists || o.negated
	}
	pos := o
	pos.negated = false
	for _, v := range got {
		if matchValue(pos, v, want) {
			return !o.negated
		}
	}
	return o.negated
}

// Validate checks every condition operator and value of p: an unsupported
// operator or a value its operator cannot use (bad CIDR, number, date,
// boolean) is a *ConditionError naming the statement, operator and key.
func (p *Policy) Validate() error {
	_, err := compilePolicy(p)
	return err
}

type compiledCond struct {
	op   operator
	key  string
	raw  []string
	vals []compiled
}

func compilePolicy(p *Policy) ([][]compiledCond, error) {
	out := make([][]compiledCond, len(p.Statement))
	for i, s := range p.Statement {
		ops := make([]string, 0, len(s.Condition))
		for op := range s.Condition {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, name := range ops {
			o, err := parseOperator(name)
			if err != nil {
				return nil, &ConditionError{Statement: i + 1, Sid: s.Sid, Operator: name, Err: err}
			}
			keys := make([]string, 0, len(s.Condition[name]))
			for k := range s.Condition[name] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				cc := compiledCond{op: o, key: k, raw: s.Condition[name][k]}
				for _, v := range cc.raw {
					c, err := compileValue(o, v)
					if err != nil {
						return nil, &ConditionError{Statement: i + 1, Sid: s.Sid, Operator: name, Key: k, Err: err}
					}
					cc.vals = append(cc.vals, c)
				}
				out[i] = append(out[i], cc)
			}
		}
	}
	return out, nil
}

// Evaluate decides r against p as IAM does for a single policy: an
// applicable Deny statement wins, else an applicable Allow statement
// allows, else the request is implicitly denied. A statement applies when
// its principal, action and resource match and all its conditions hold
// (operators and keys are ANDed, values of one key ORed). The error is a
// *ConditionError when p holds an unsupported operator or unusable value
// anywhere, so a policy the simulator does not understand never decides,
// and an *ElementError (ErrNotPrincipalAllow) for a statement IAM rejects
// in any policy: NotPrincipal with Effect Allow.
func Evaluate(p *Policy, r Request) (Decision, error) {
	if p == nil {
		return Decision{Statement: -1}, errors.New("evaluate: nil policy")
	}
	conds, err := compilePolicy(p)
	if err != nil {
		return Decision{Statement: -1}, err
	}
	for i, s := range p.Statement {
		if s.NotPrincipal != nil && s.Effect == Allow {
			return Decision{Statement: -1}, &ElementError{Statement: i + 1, Sid: s.Sid, Element: "NotPrincipal", Err: ErrNotPrincipalAllow}
		}
	}
	ctx := make(map[string][]string, len(r.Context))
	for k, v := range r.Context {
		lk := strings.ToLower(k)
		ctx[lk] = append(ctx[lk], v...)
	}
	d := Decision{Statement: -1}
	bestFails := -1
	var bestFailed []ConditionResult
	allowAt := -1
	for i, s := range p.Statement {
		if !principalMatches(s, r.Principal) || !actionMatches(s, r.Action) || !resourceMatches(s, r.Resource) {
			continue
		}
		var failed, matched []ConditionResult
		for _, c := range conds[i] {
			got, present := ctx[strings.ToLower(c.key)]
			present = present && len(got) > 0
			res := ConditionResult{Operator: c.op.name, Key: c.key, Want: c.raw, Got: got}
			if evalCondition(c.op, got, present, c.vals) {
				matched = append(matched, res)
			} else {
				failed = append(failed, res)
			}
		}
		if s.Effect == Deny {
			if len(failed) == 0 {
				return Decision{Allowed: false, Explicit: true, Statement: i, Sid: s.Sid, Conditions: matched}, nil
			}
			continue
		}
		if len(failed) == 0 {
			if allowAt < 0 {
				allowAt = i
			}
			continue
		}
		if bestFails < 0 || len(failed) < bestFails {
			bestFails, bestFailed = len(failed), failed
			d.Statement, d.Sid = i, s.Sid
		}
	}
	if allowAt >= 0 {
		return Decision{Allowed: true, Statement: allowAt, Sid: p.Statement[allowAt].Sid}, nil
	}
	d.Conditions = bestFailed
	return d, nil
}

func principalMatches(s Statement, principal string) bool {
	if principal == "" {
		return true
	}
	in := func(p *Principal) bool {
		if p.Wildcard {
			return true
		}
		for _, a := range p.Values["AWS"] {
			if a == "*" {
				return true
			}
		}
		for _, v := range p.Values["Service"] {
			if strings.EqualFold(v, principal) {
				return true
			}
		}
		return false
	}
	switch {
	case s.Principal != nil:
		return in(s.Principal)
	case s.NotPrincipal != nil:
		return !in(s.NotPrincipal)
	}
	return true
}

func actionMatches(s Statement, action string) bool {
	la := strings.ToLower(action)
	list, neg := s.Action, false
	if s.NotAction != nil {
		list, neg = s.NotAction, true
	}
	for _, a := range list {
		if Like(strings.ToLower(a), la) {
			return !neg
		}
	}
	return neg
}

func resourceMatches(s Statement, resource string) bool {
	if resource == "" {
		return true
	}
	list, neg := s.Resource, false
	if s.NotResource != nil {
		list, neg = s.NotResource, true
	}
	if list == nil {
		return true
	}
	for _, r := range list {
		if ArnLike(r, resource) {
			return !neg
		}
	}
	return neg
}

// Like reports whether s matches pattern, where '*' matches any run of
// characters (also empty, also '.', '/' and ':') and '?' exactly one
// character; the comparison is case-sensitive, as StringLike's.
func Like(pattern, s string) bool {
	p := []rune(pattern)
	t := []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]) && p[pi] != '*':
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// ArnLike reports whether arn matches pattern component by component: both
// are split into their six colon-separated parts (the resource part may
// itself contain colons) and each part is matched with Like, so a wildcard
// never spans a colon between components. A pattern of just "*" matches
// anything; a value that is not an ARN matches nothing else. ArnEquals and
// ArnLike behave the same way in IAM.
func ArnLike(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return pattern == arn
	}
	for i := range pp {
		if !Like(pp[i], ap[i]) {
			return false
		}
	}
	return true
}
