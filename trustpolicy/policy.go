// Package trustpolicy models IAM policy documents and produces, checks and
// evaluates the policies that go with an ACME certificate used through IAM
// Roles Anywhere: the role trust policy (who may call CreateSession with
// which certificate and session name), the Route 53 least-privilege policies
// an ACME client needs for the DNS-01 challenge, and a source-IP guardrail.
//
// The package opens no sockets and keeps no global state; it reads only
// the files it is named (ReadFile's policy document, RoleTemplate's anchor
// certificate), through internal/rawfile, bounded and without blocking on
// a FIFO. Parse and Marshal convert between JSON and the model,
// the Role, Route53 and SourceIP functions build documents, Evaluate
// simulates IAM's decision for one request against one policy, Lint
// reports weaknesses and TagsFromCertificate computes the principal tags
// Roles Anywhere derives from a certificate.
//
// Security considerations: Evaluate implements the documented IAM semantics
// for the operators it knows (explicit deny wins, default deny, missing keys,
// IfExists, ForAllValues/ForAnyValue) and returns an error for anything
// else, so an unknown operator can never turn into a silent match. It is a
// simulator, not the service: policy variables (${...}) are compared
// literally, and only one policy is evaluated (no SCPs, permission
// boundaries or session policies). The documents it builds never contain
// secrets; values from a certificate are public. Errors quote policy values
// (which are public) but never request secrets.
package trustpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The policy language versions IAM accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// RolesAnywhereService is the service principal of IAM Roles Anywhere.
const RolesAnywhereService = "rolesanywhere.amazonaws.com"

// Effect is Allow or Deny.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Strings is a list of strings that IAM writes either as a single string or
// as an array. It marshals as a string when it has one element.
type Strings []string

// MarshalJSON writes one element as a string, otherwise an array.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	if s == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(s))
}

// Principal is the Principal (or NotPrincipal) element: either "*" or a map
// from principal type (AWS, Service, Federated, CanonicalUser) to values.
type Principal struct {
	// Wildcard is true for "Principal": "*".
	Wildcard bool
	// Values maps a principal type to its identifiers.
	Values map[string]Strings
}

// MarshalJSON writes "*" or an object with sorted keys.
func (p *Principal) MarshalJSON() ([]byte, error) {
	if p.Wildcard {
		return []byte(`"*"`), nil
	}
	return json.Marshal(p.Values)
}

// Condition maps an operator (with its optional ForAllValues:/ForAnyValue:
// qualifier and IfExists suffix) to condition keys and their values.
// Booleans and numbers in the JSON are kept as their literal text.
type Condition map[string]map[string]Strings

// Statement is one statement of a policy.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       Effect     `json:"Effect"`
	Principal    *Principal `json:"Principal,omitempty"`
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	Action       Strings    `json:"Action,omitempty"`
	NotAction    Strings    `json:"NotAction,omitempty"`
	Resource     Strings    `json:"Resource,omitempty"`
	NotResource  Strings    `json:"NotResource,omitempty"`
	Condition    Condition  `json:"Condition,omitempty"`
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version,omitempty"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Name is how messages refer to statement i: its Sid when it has one,
// else its 1-based position ("statement 2").
func (p *Policy) Name(i int) string {
	if i < 0 || i >= len(p.Statement) {
		return fmt.Sprintf("statement %d", i+1)
	}
	return statementName(i, p.Statement[i].Sid)
}

func statementName(i int, sid string) string {
	if sid != "" {
		return fmt.Sprintf("statement %d (Sid %q)", i+1, sid)
	}
	return fmt.Sprintf("statement %d", i+1)
}

// ParseError is a problem in a policy document. Statement is the 1-based
// statement number (0 when the problem is outside the statements).
type ParseError struct {
	Statement int
	Sid       string
	Field     string
	Err       error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("policy")
	if e.Statement > 0 {
		b.WriteString(" ")
		b.WriteString(statementName(e.Statement-1, e.Sid))
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrInvalidPolicy is wrapped by every ParseError.
var ErrInvalidPolicy = errors.New("invalid policy")

func perr(stmt int, sid, field, format string, a ...any) error {
	return &ParseError{Statement: stmt, Sid: sid, Field: field, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidPolicy}, a...)...)}
}

// MaxDocumentBytes bounds what Parse accepts; IAM's own limits are far
// lower (2048 to 10240 characters for most policy types). A caller reading
// a document reads at most MaxDocumentBytes+1 bytes, so that Parse sees
// one too many and refuses it.
const MaxDocumentBytes = 1 << 20

// Parse reads a policy document. It accepts IAM's JSON forms (Statement as
// an object or an array, single strings or lists, booleans and numbers as
// condition values) and rejects unknown elements, wrong types and empty
// statements with an error naming the statement and field.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxDocumentBytes {
		return nil, perr(0, "", "", "document is %d bytes, more than %d", len(data), MaxDocumentBytes)
	}
	var top map[string]json.RawMessage
	if err := strictUnmarshal(data, &top); err != nil {
		return nil, perr(0, "", "", "not a JSON object: %v", err)
	}
	if top == nil {
		return nil, perr(0, "", "", "not a JSON object")
	}
	p := &Policy{}
	for k, v := range top {
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &p.Version); err != nil {
				return nil, perr(0, "", "Version", "want a string")
			}
			if p.Version != Version2012 && p.Version != Version2008 {
				return nil, perr(0, "", "Version", "%q is not %q or %q", p.Version, Version2012, Version2008)
			}
		case "Id":
			if err := json.Unmarshal(v, &p.ID); err != nil {
				return nil, perr(0, "", "Id", "want a string")
			}
		case "Statement":
		default:
			return nil, perr(0, "", "", "unknown element %q (want Version, Id, Statement)", k)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, perr(0, "", "Statement", "missing")
	}
	var list []json.RawMessage
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, perr(0, "", "Statement", "want an object or an array of objects")
	}
	if len(list) == 0 {
		return nil, perr(0, "", "Statement", "empty")
	}
	for i, r := range list {
		s, err := parseStatement(i+1, r)
		if err != nil {
			return nil, err
		}
		p.Statement = append(p.Statement, s)
	}
	return p, nil
}

// strictUnmarshal decodes one JSON value and refuses trailing data.
func strictUnmarshal(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[d.InputOffset():])) > 0 {
		return errors.New("data after the top-level value")
	}
	return nil
}

func parseStatement(n int, raw json.RawMessage) (Statement, error) {
	var s Statement
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return s, perr(n, "", "", "want a JSON object")
	}
	if v, ok := m["Sid"]; ok {
		if err := json.Unmarshal(v, &s.Sid); err != nil {
			return s, perr(n, "", "Sid", "want a string")
		}
	}
	fail := func(field, format string, a ...any) error { return perr(n, s.Sid, field, format, a...) }
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		var err error
		switch k {
		case "Sid":
		case "Effect":
			var e string
			if json.Unmarshal(v, &e) != nil || (e != string(Allow) && e != string(Deny)) {
				return s, fail("Effect", "want \"Allow\" or \"Deny\", got %s", clip(v))
			}
			s.Effect = Effect(e)
		case "Principal", "NotPrincipal":
			var p *Principal
			if p, err = parsePrincipal(v); err != nil {
				return s, fail(k, "%v", err)
			}
			if k == "Principal" {
				s.Principal = p
			} else {
				s.NotPrincipal = p
			}
		case "Action", "NotAction", "Resource", "NotResource":
			var l Strings
			if l, err = parseStrings(v, false); err != nil {
				return s, fail(k, "%v", err)
			}
			if len(l) == 0 {
				return s, fail(k, "empty")
			}
			switch k {
			case "Action":
				s.Action = l
			case "NotAction":
				s.NotAction = l
			case "Resource":
				s.Resource = l
			case "NotResource":
				s.NotResource = l
			}
		case "Condition":
			if s.Condition, err = parseCondition(v); err != nil {
				var pe *ParseError
				if errors.As(err, &pe) {
					pe.Statement, pe.Sid = n, s.Sid
					return s, pe
				}
				return s, fail("Condition", "%v", err)
			}
		default:
			return s, fail("", "unknown element %q", k)
		}
	}
	if s.Effect == "" {
		return s, fail("Effect", "missing")
	}
	if s.Action == nil && s.NotAction == nil {
		return s, fail("Action", "missing (give Action or NotAction)")
	}
	if s.Action != nil && s.NotAction != nil {
		return s, fail("Action", "both Action and NotAction given")
	}
	if s.Resource != nil && s.NotResource != nil {
		return s, fail("Resource", "both Resource and NotResource given")
	}
	if s.Principal != nil && s.NotPrincipal != nil {
		return s, fail("Principal", "both Principal and NotPrincipal given")
	}
	return s, nil
}

func clip(b []byte) string {
	const n = 40
	s := string(bytes.TrimSpace(b))
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// parseStrings accepts a string or an array of strings; with scalars,
// booleans and numbers are accepted as their literal text.
func parseStrings(raw json.RawMessage, scalars bool) (Strings, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	one := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			if scalars {
				return fmt.Sprint(t), true
			}
		case json.Number:
			if scalars {
				return t.String(), true
			}
		}
		return "", false
	}
	if s, ok := one(v); ok {
		return Strings{s}, nil
	}
	arr, ok := v.([]any)
	if !ok {
		if scalars {
			return nil, fmt.Errorf("want a string, boolean, number or an array of them, got %s", clip(raw))
		}
		return nil, fmt.Errorf("want a string or an array of strings, got %s", clip(raw))
	}
	out := make(Strings, 0, len(arr))
	for _, x := range arr {
		s, ok := one(x)
		if !ok {
			return nil, fmt.Errorf("array element %s is not a string", clip(mustJSON(x)))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func parsePrincipal(raw json.RawMessage) (*Principal, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\", got %q (use {\"Service\": %q} or {\"AWS\": %q})", s, s, s)
		}
		return &Principal{Wildcard: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("want \"*\" or an object such as {\"Service\": %q}", RolesAnywhereService)
	}
	if len(m) == 0 {
		return nil, errors.New("empty")
	}
	p := &Principal{Values: map[string]Strings{}}
	for k, v := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, fmt.Errorf("unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", k)
		}
		l, err := parseStrings(v, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if len(l) == 0 {
			return nil, fmt.Errorf("%s: empty", k)
		}
		p.Values[k] = l
	}
	return p, nil
}

func parseCondition(raw json.RawMessage) (Condition, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("want an object of operators")
	}
	c := Condition{}
	for op, body := range m {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(body, &keys); err != nil || keys == nil {
			return nil, &ParseError{Field: "Condition " + op, Err: fmt.Errorf("%w: want an object of condition keys", ErrInvalidPolicy)}
		}
		if len(keys) == 0 {
			return nil, &ParseError{Field: "Condition " + op, Err: fmt.Errorf("%w: no condition keys", ErrInvalidPolicy)}
		}
		km := map[string]Strings{}
		for k, v := range keys {
			l, err := parseStrings(v, true)
			if err != nil {
				return nil, &ParseError{Field: fmt.Sprintf("Condition %s %q", op, k), Err: fmt.Errorf("%w: %v", ErrInvalidPolicy, err)}
			}
			if len(l) == 0 {
				return nil, &ParseError{Field: fmt.Sprintf("Condition %s %q", op, k), Err: fmt.Errorf("%w: empty value list", ErrInvalidPolicy)}
			}
			km[k] = l
		}
		c[op] = km
	}
	if len(c) == 0 {
		return nil, nil
	}
	return c, nil
}

// Marshal writes the policy as JSON with 2-space indentation, a stable
// element order (Version, Id, Statement; within a statement Sid, Effect,
// Principal, NotPrincipal, Action, NotAction, Resource, NotResource,
// Condition; map keys sorted) and a trailing newline. Statement is always
// an array; a one-element list is written as a string.
func Marshal(p *Policy) ([]byte, error) {
	if p == nil {
		return nil, errors.New("marshal policy: nil policy")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("marshal policy: %w", err)
	}
	return buf.Bytes(), nil
}

// Clone returns a deep copy of p.
func (p *Policy) Clone() *Policy {
	q := &Policy{Version: p.Version, ID: p.ID}
	for _, s := range p.Statement {
		t := s
		t.Principal = s.Principal.clone()
		t.NotPrincipal = s.NotPrincipal.clone()
		t.Action = slices.Clone(s.Action)
		t.NotAction = slices.Clone(s.NotAction)
		t.Resource = slices.Clone(s.Resource)
		t.NotResource = slices.Clone(s.NotResource)
		if s.Condition != nil {
			t.Condition = Condition{}
			for op, km := range s.Condition {
				m := map[string]Strings{}
				for k, v := range km {
					m[k] = slices.Clone(v)
				}
				t.Condition[op] = m
			}
		}
		q.Statement = append(q.Statement, t)
	}
	return q
}

func (p *Principal) clone() *Principal {
	if p == nil {
		return nil
	}
	q := &Principal{Wildcard: p.Wildcard}
	if p.Values != nil {
		q.Values = map[string]Strings{}
		for k, v := range p.Values {
			q.Values[k] = slices.Clone(v)
		}
	}
	return q
}
