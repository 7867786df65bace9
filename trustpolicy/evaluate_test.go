package trustpolicy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// condPolicy is one Allow statement for everyone on every action with the
// given Condition JSON.
func condPolicy(t *testing.T, cond string) *Policy {
	t.Helper()
	return mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Condition":`+cond+`}]}`))
}

type ctx = map[string][]string

func TestEvaluateOperators(t *testing.T) {
	const arn = "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/abc"
	tests := []struct {
		name string
		cond string
		ctx  ctx
		want bool
	}{
		// StringEquals / StringNotEquals
		{"StringEquals match", `{"StringEquals":{"k":"a"}}`, ctx{"k": {"a"}}, true},
		{"StringEquals case-sensitive", `{"StringEquals":{"k":"a"}}`, ctx{"k": {"A"}}, false},
		{"StringEquals list is OR", `{"StringEquals":{"k":["x","a"]}}`, ctx{"k": {"a"}}, true},
		{"StringEquals missing key", `{"StringEquals":{"k":"a"}}`, ctx{}, false},
		{"StringEquals key name case-insensitive", `{"StringEquals":{"AWS:PrincipalTag/x509Subject/CN":"a"}}`, ctx{"aws:principaltag/x509subject/cn": {"a"}}, true},
		{"StringNotEquals other", `{"StringNotEquals":{"k":"a"}}`, ctx{"k": {"b"}}, true},
		{"StringNotEquals same", `{"StringNotEquals":{"k":"a"}}`, ctx{"k": {"a"}}, false},
		{"StringNotEquals list none", `{"StringNotEquals":{"k":["a","b"]}}`, ctx{"k": {"b"}}, false},
		{"StringNotEquals missing key matches", `{"StringNotEquals":{"k":"a"}}`, ctx{}, true},
		{"StringEquals does not glob", `{"StringEquals":{"k":"a*"}}`, ctx{"k": {"abc"}}, false},
		// IgnoreCase
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"Foo.Example.COM"}}`, ctx{"k": {"foo.example.com"}}, true},
		{"StringEqualsIgnoreCase differs", `{"StringEqualsIgnoreCase":{"k":"foo"}}`, ctx{"k": {"fooo"}}, false},
		{"StringNotEqualsIgnoreCase same", `{"StringNotEqualsIgnoreCase":{"k":"FOO"}}`, ctx{"k": {"foo"}}, false},
		{"StringNotEqualsIgnoreCase other", `{"StringNotEqualsIgnoreCase":{"k":"FOO"}}`, ctx{"k": {"bar"}}, true},
		// StringLike wildcards
		{"StringLike star", `{"StringLike":{"k":"*.example.com"}}`, ctx{"k": {"a.example.com"}}, true},
		{"StringLike star spans dots", `{"StringLike":{"k":"*.example.com"}}`, ctx{"k": {"a.b.example.com"}}, true},
		{"StringLike star needs the dot", `{"StringLike":{"k":"*.example.com"}}`, ctx{"k": {"example.com"}}, false},
		{"StringLike star suffix lookalike", `{"StringLike":{"k":"*.example.com"}}`, ctx{"k": {"a.example.com.evil"}}, false},
		{"StringLike case-sensitive", `{"StringLike":{"k":"*.example.com"}}`, ctx{"k": {"a.EXAMPLE.com"}}, false},
		{"StringLike question six", `{"StringLike":{"k":"??????"}}`, ctx{"k": {"123456"}}, true},
		{"StringLike question five", `{"StringLike":{"k":"??????"}}`, ctx{"k": {"12345"}}, false},
		{"StringLike question seven", `{"StringLike":{"k":"??????"}}`, ctx{"k": {"1234567"}}, false},
		{"StringLike question is one rune", `{"StringLike":{"k":"?"}}`, ctx{"k": {"é"}}, true},
		{"StringLike question empty", `{"StringLike":{"k":"?"}}`, ctx{"k": {""}}, false},
		{"StringLike star empty", `{"StringLike":{"k":"*"}}`, ctx{"k": {""}}, true},
		{"StringLike star matches empty run", `{"StringLike":{"k":"a*b"}}`, ctx{"k": {"ab"}}, true},
		{"StringLike backtracking", `{"StringLike":{"k":"*a*b?c"}}`, ctx{"k": {"xxaxxbbxc"}}, true},
		{"StringLike backtracking fail", `{"StringLike":{"k":"*a*b?c"}}`, ctx{"k": {"xxaxxbc"}}, false},
		{"StringLike exact", `{"StringLike":{"k":"host.example.com"}}`, ctx{"k": {"host.example.com"}}, true},
		{"StringNotLike match", `{"StringNotLike":{"k":"*.example.com"}}`, ctx{"k": {"a.example.com"}}, false},
		{"StringNotLike other", `{"StringNotLike":{"k":"*.example.com"}}`, ctx{"k": {"a.example.org"}}, true},
		{"StringNotLike missing", `{"StringNotLike":{"k":"*"}}`, ctx{}, true},
		// IfExists
		{"StringLikeIfExists missing", `{"StringLikeIfExists":{"k":"a*"}}`, ctx{}, true},
		{"StringLikeIfExists present no match", `{"StringLikeIfExists":{"k":"a*"}}`, ctx{"k": {"b"}}, false},
		{"StringLikeIfExists present match", `{"StringLikeIfExists":{"k":"a*"}}`, ctx{"k": {"abc"}}, true},
		{"StringEqualsIfExists empty value list", `{"StringEqualsIfExists":{"k":"a"}}`, ctx{"k": {}}, true},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:ViaAwsService":"false"}}`, ctx{}, true},
		{"BoolIfExists true", `{"BoolIfExists":{"aws:ViaAwsService":"false"}}`, ctx{"aws:ViaAwsService": {"true"}}, false},
		// Arn
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"` + arn + `"}}`, ctx{"aws:SourceArn": {arn}}, true},
		{"ArnEquals other anchor", `{"ArnEquals":{"aws:SourceArn":"` + arn + `"}}`, ctx{"aws:SourceArn": {arn + "x"}}, false},
		{"ArnLike region wildcard", `{"ArnLike":{"aws:SourceArn":"arn:aws:rolesanywhere:*:123456789012:trust-anchor/*"}}`, ctx{"aws:SourceArn": {arn}}, true},
		{"ArnLike star does not span colon", `{"ArnLike":{"aws:SourceArn":"arn:aws:rolesanywhere:*:trust-anchor/abc"}}`, ctx{"aws:SourceArn": {arn}}, false},
		{"ArnEquals wildcard like ArnLike", `{"ArnEquals":{"aws:SourceArn":"arn:aws:rolesanywhere:eu-west-?:123456789012:trust-anchor/abc"}}`, ctx{"aws:SourceArn": {arn}}, true},
		{"ArnLike resource with colons", `{"ArnLike":{"k":"arn:aws:logs:*:*:log-group:g:*"}}`, ctx{"k": {"arn:aws:logs:eu-west-1:123456789012:log-group:g:log-stream:s"}}, true},
		{"ArnLike not an arn", `{"ArnLike":{"k":"arn:aws:s3:::b"}}`, ctx{"k": {"b"}}, false},
		{"ArnNotEquals other", `{"ArnNotEquals":{"aws:SourceArn":"` + arn + `"}}`, ctx{"aws:SourceArn": {"arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/zzz"}}, true},
		{"ArnNotLike same", `{"ArnNotLike":{"aws:SourceArn":"` + arn + `"}}`, ctx{"aws:SourceArn": {arn}}, false},
		{"ArnEquals missing", `{"ArnEquals":{"aws:SourceArn":"` + arn + `"}}`, ctx{}, false},
		{"ArnEquals case-sensitive", `{"ArnEquals":{"aws:SourceArn":"` + arn + `"}}`, ctx{"aws:SourceArn": {strings.ToUpper(arn)}}, false},
		// Bool
		{"Bool true", `{"Bool":{"aws:SecureTransport":true}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool case-insensitive", `{"Bool":{"aws:SecureTransport":"True"}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool false vs true", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx{"aws:SecureTransport": {"true"}}, false},
		{"Bool missing", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx{}, false},
		// IpAddress
		{"IpAddress in range", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.9"}}, true},
		{"IpAddress out of range", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.114.9"}}, false},
		{"IpAddress bare address", `{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}`, ctx{"aws:SourceIp": {"203.0.113.9"}}, true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db8:1::5"}}, true},
		{"IpAddress v4-mapped", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"::ffff:203.0.113.9"}}, true},
		{"IpAddress garbage context", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, ctx{"aws:SourceIp": {"not-an-ip"}}, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":["20.20.20.20/32","30.30.30.30/32"]}}`, ctx{"aws:SourceIp": {"1.2.3.4"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["20.20.20.20/32","30.30.30.30/32"]}}`, ctx{"aws:SourceIp": {"30.30.30.30"}}, false},
		{"NotIpAddress missing", `{"NotIpAddress":{"aws:SourceIp":"20.20.20.20/32"}}`, ctx{}, true},
		// Null
		{"Null true absent", `{"Null":{"k":"true"}}`, ctx{}, true},
		{"Null true present", `{"Null":{"k":"true"}}`, ctx{"k": {"v"}}, false},
		{"Null false present", `{"Null":{"k":"false"}}`, ctx{"k": {"v"}}, true},
		{"Null false absent", `{"Null":{"k":false}}`, ctx{}, false},
		// Numeric
		{"NumericEquals", `{"NumericEquals":{"n":10}}`, ctx{"n": {"10.0"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"n":10}}`, ctx{"n": {"11"}}, true},
		{"NumericLessThan", `{"NumericLessThan":{"n":"3600"}}`, ctx{"n": {"3599"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"n":"3600"}}`, ctx{"n": {"3600"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"n":"3600"}}`, ctx{"n": {"3600"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"n":"1"}}`, ctx{"n": {"1.5"}}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"n":"2"}}`, ctx{"n": {"1"}}, false},
		{"Numeric non-number context", `{"NumericLessThan":{"n":"2"}}`, ctx{"n": {"abc"}}, false},
		// Date
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-11-21T19:00:00Z"}}, true},
		{"DateGreaterThan epoch", `{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`, ctx{"aws:EpochTime": {"1800000000"}}, true},
		{"DateEquals across zones", `{"DateEquals":{"t":"2026-01-01T01:00:00+01:00"}}`, ctx{"t": {"2026-01-01T00:00:00Z"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"t":"2026-01-01"}}`, ctx{"t": {"2026-01-02"}}, true},
		{"DateLessThanEquals", `{"DateLessThanEquals":{"t":"2026-01-01"}}`, ctx{"t": {"2026-01-01"}}, true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"t":"2026-01-02"}}`, ctx{"t": {"2026-01-01"}}, false},
		// BinaryEquals
		{"BinaryEquals", `{"BinaryEquals":{"b":"QmluYXJ5"}}`, ctx{"b": {"QmluYXJ5"}}, true},
		// Multi-valued context keys and qualifiers
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"t":["TXT","A"]}}`, ctx{"t": {"TXT"}}, true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"t":["TXT"]}}`, ctx{"t": {"TXT", "CNAME"}}, false},
		{"ForAllValues missing key is true", `{"ForAllValues:StringEquals":{"t":["TXT"]}}`, ctx{}, true},
		{"ForAllValues empty list is true", `{"ForAllValues:StringEquals":{"t":["TXT"]}}`, ctx{"t": {}}, true},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"n":"_acme-challenge.*"}}`, ctx{"n": {"_acme-challenge.a.example.com", "_acme-challenge.b.example.com"}}, true},
		{"ForAllValues StringNotEquals", `{"ForAllValues:StringNotEquals":{"t":["NS","SOA"]}}`, ctx{"t": {"TXT", "A"}}, true},
		{"ForAllValues StringNotEquals hit", `{"ForAllValues:StringNotEquals":{"t":["NS","SOA"]}}`, ctx{"t": {"TXT", "NS"}}, false},
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"t":["NS"]}}`, ctx{"t": {"TXT", "NS"}}, true},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"t":["NS"]}}`, ctx{"t": {"TXT", "A"}}, false},
		{"ForAnyValue missing is false", `{"ForAnyValue:StringEquals":{"t":["NS"]}}`, ctx{}, false},
		{"ForAnyValue IfExists missing is true", `{"ForAnyValue:StringEqualsIfExists":{"t":["NS"]}}`, ctx{}, true},
		{"ForAnyValue StringNotLike", `{"ForAnyValue:StringNotLike":{"t":"T*"}}`, ctx{"t": {"TXT", "A"}}, true},
		{"unqualified positive on multi-valued: any", `{"StringEquals":{"t":"A"}}`, ctx{"t": {"TXT", "A"}}, true},
		{"unqualified negated on multi-valued: none", `{"StringNotEquals":{"t":"A"}}`, ctx{"t": {"TXT", "A"}}, false},
		{"unqualified negated on multi-valued: all differ", `{"StringNotEquals":{"t":"NS"}}`, ctx{"t": {"TXT", "A"}}, true},
		// AND across keys and operators
		{"keys ANDed", `{"StringLike":{"a":"x*","b":"y*"}}`, ctx{"a": {"x1"}, "b": {"z1"}}, false},
		{"operators ANDed", `{"StringLike":{"a":"x*"},"StringEquals":{"b":"y"}}`, ctx{"a": {"x1"}, "b": {"y"}}, true},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Evaluate(condPolicy(t, tt.cond), Request{Principal: RolesAnywhereService, Action: "sts:AssumeRole", Context: tt.ctx})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.want {
				t.Errorf("got %v, want %v (decision %+v)", d.Allowed, tt.want, d)
			}
		})
	}
}

func TestEvaluateStatements(t *testing.T) {
	p := mustParse(t, readTestdata(t, "seed-001-role-trust-policy.json"))
	good := func() ctx {
		return ctx{KeySourceArn: {seedAnchor}, KeySubjectCN: {"web.not-your-co.com"}, KeyRoleSessionName: {"123456"}}
	}
	with := func(k string, v ...string) ctx {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		principal string
		action    string
		ctx       ctx
		allowed   bool
		explicit  bool
		stmt      int
		failedKey string
	}{
		{"assume ok", RolesAnywhereService, ActionAssumeRole, good(), true, false, 1, ""},
		{"tag ok", RolesAnywhereService, ActionTagSession, good(), true, false, 0, ""},
		{"source identity ok", RolesAnywhereService, ActionSetSourceIdentity, good(), true, false, 0, ""},
		{"action case-insensitive", RolesAnywhereService, "STS:assumerole", good(), true, false, 1, ""},
		{"five digits", RolesAnywhereService, ActionAssumeRole, with(KeyRoleSessionName, "12345"), false, false, 1, KeyRoleSessionName},
		{"seven digits", RolesAnywhereService, ActionAssumeRole, with(KeyRoleSessionName, "1234567"), false, false, 1, KeyRoleSessionName},
		{"no session name", RolesAnywhereService, ActionAssumeRole, with(KeyRoleSessionName), false, false, 1, KeyRoleSessionName},
		{"tag session ignores name", RolesAnywhereService, ActionTagSession, with(KeyRoleSessionName, "x"), true, false, 0, ""},
		{"revoked", RolesAnywhereService, ActionAssumeRole, with(KeySubjectCN, "foo-is-revoked.not-your-co.com"), false, true, 2, ""},
		{"revoked other case", RolesAnywhereService, ActionAssumeRole, with(KeySubjectCN, "FOO-is-Revoked.not-your-co.com"), false, true, 2, ""},
		{"revoked only for AssumeRole", RolesAnywhereService, ActionTagSession, with(KeySubjectCN, "foo-is-revoked.not-your-co.com"), true, false, 0, ""},
		{"wrong anchor", RolesAnywhereService, ActionAssumeRole, with(KeySourceArn, seedAnchor+"0"), false, false, 1, KeySourceArn},
		{"other domain", RolesAnywhereService, ActionAssumeRole, with(KeySubjectCN, "web.example.com"), false, false, 1, KeySubjectCN},
		{"no CN", RolesAnywhereService, ActionAssumeRole, with(KeySubjectCN), false, false, 1, KeySubjectCN},
		{"other principal", "ec2.amazonaws.com", ActionAssumeRole, good(), false, false, -1, ""},
		{"other action", RolesAnywhereService, "sts:AssumeRoleWithWebIdentity", good(), false, false, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Evaluate(p, Request{Principal: tt.principal, Action: tt.action, Context: tt.ctx})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.allowed || d.Explicit != tt.explicit || d.Statement != tt.stmt {
				t.Fatalf("got %+v, want allowed %v explicit %v statement %d", d, tt.allowed, tt.explicit, tt.stmt)
			}
			if tt.failedKey != "" && (len(d.Conditions) == 0 || d.Conditions[0].Key != tt.failedKey) {
				t.Errorf("failed conditions %v, want first %q", d.Conditions, tt.failedKey)
			}
			if d.Verdict() != map[bool]string{true: "ALLOW", false: "DENY"}[tt.allowed] {
				t.Errorf("verdict %s", d.Verdict())
			}
		})
	}
}

func TestEvaluateDenyWins(t *testing.T) {
	p := mustParse(t, []byte(`{"Statement":[
		{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:*"},
		{"Sid":"NoAssume","Effect":"Deny","Principal":"*","NotAction":["sts:TagSession"]},
		{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*"}]}`))
	d, err := Evaluate(p, Request{Principal: RolesAnywhereService, Action: ActionAssumeRole})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || !d.Explicit || d.Statement != 1 || d.Sid != "NoAssume" {
		t.Errorf("got %+v, want explicit deny by statement 2 (NoAssume)", d)
	}
	d, err = Evaluate(p, Request{Principal: RolesAnywhereService, Action: ActionTagSession})
	if err != nil || !d.Allowed || d.Statement != 0 {
		t.Errorf("TagSession: got %+v %v, want allow by statement 1", d, err)
	}
}

// NotPrincipal and NotResource in a resource policy: NotPrincipal only
// with Deny (IAM rejects it with Allow; TestHardeningNotPrincipal).
func TestEvaluateNotPrincipalAndResource(t *testing.T) {
	p := mustParse(t, []byte(`{"Statement":[
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},
		{"Effect":"Deny","NotPrincipal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject","NotResource":"arn:aws:s3:::public/*"}]}`))
	for _, c := range []struct {
		prin, res string
		want      bool
	}{
		{RolesAnywhereService, "arn:aws:s3:::public/x", true},
		{"ec2.amazonaws.com", "arn:aws:s3:::secret/x", true},
		{RolesAnywhereService, "arn:aws:s3:::secret/x", false},
	} {
		d, err := Evaluate(p, Request{Principal: c.prin, Action: "s3:GetObject", Resource: c.res})
		if err != nil || d.Allowed != c.want {
			t.Errorf("%s %s: got %+v %v, want %v", c.prin, c.res, d, err, c.want)
		}
	}
}

// The closest Allow for an implicit deny is the one with fewest failing
// conditions.
func TestEvaluateClosestAllow(t *testing.T) {
	p := mustParse(t, []byte(`{"Statement":[
		{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"a":"1","b":"2"}}},
		{"Sid":"Near","Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"a":"1","c":"3"}}}]}`))
	d, err := Evaluate(p, Request{Action: "x:Y", Context: ctx{"a": {"1"}, "b": {"0"}, "c": {"3"}}})
	if err != nil || !d.Allowed || d.Statement != 1 {
		t.Fatalf("got %+v %v", d, err)
	}
	d, err = Evaluate(p, Request{Action: "x:Y", Context: ctx{"a": {"0"}, "c": {"3"}}})
	if err != nil || d.Allowed || d.Statement != 1 || d.Sid != "Near" || len(d.Conditions) != 1 || d.Conditions[0].Key != "a" {
		t.Fatalf("got %+v %v, want implicit deny closest Near failing a", d, err)
	}
	if s := d.Conditions[0].String(); s != `StringEquals "a"` {
		t.Errorf("String: %s", s)
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name, cond string
		sentinel   error
		want       []string
	}{
		{"unknown operator", `{"StringFoo":{"k":"v"}}`, ErrUnsupportedOperator, []string{"statement 1", "StringFoo"}},
		{"lower-case operator", `{"stringequals":{"k":"v"}}`, ErrUnsupportedOperator, []string{"stringequals"}},
		{"bad qualifier", `{"ForSomeValues:StringEquals":{"k":"v"}}`, ErrUnsupportedOperator, []string{"ForSomeValues:StringEquals"}},
		{"null with qualifier", `{"ForAllValues:Null":{"k":"true"}}`, ErrUnsupportedOperator, []string{"Null"}},
		{"bad cidr", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","300.1.1.1/32"]}}`, ErrBadConditionValue, []string{"statement 1", "IpAddress", `key "aws:SourceIp"`, "300.1.1.1/32"}},
		{"cidr host bits", `{"NotIpAddress":{"aws:SourceIp":"10.1.0.0/8"}}`, ErrBadConditionValue, []string{"10.0.0.0/8"}},
		{"bad number", `{"NumericLessThan":{"n":"ten"}}`, ErrBadConditionValue, []string{`key "n"`, "ten"}},
		{"bad date", `{"DateLessThan":{"t":"yesterday"}}`, ErrBadConditionValue, []string{"yesterday"}},
		{"bad bool", `{"Bool":{"b":"yes"}}`, ErrBadConditionValue, []string{"yes"}},
		{"bad null", `{"Null":{"b":"maybe"}}`, ErrBadConditionValue, []string{"maybe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Put the bad condition in a statement that does not apply to
			// the request: it must still be an error, never skipped.
			p := mustParse(t, []byte(fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"a:B","Condition":%s}]}`, tt.cond)))
			_, err := Evaluate(p, Request{Action: "c:D"})
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("got %v, want %v", err, tt.sentinel)
			}
			var ce *ConditionError
			if !errors.As(err, &ce) {
				t.Errorf("%v is not a *ConditionError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if p.Validate() == nil {
				t.Error("Validate accepted it")
			}
		})
	}
}

func TestLike(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"", "a", false}, {"*", "", true}, {"**", "abc", true}, {"a?c", "abc", true},
		{"a?c", "ac", false}, {"*c", "abcabc", true}, {"*b", "abcabc", false}, {"?*?", "a", false}, {"?*?", "ab", true},
	} {
		if got := Like(c.p, c.s); got != c.want {
			t.Errorf("Like(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func TestDecisionExplain(t *testing.T) {
	p := mustParse(t, readTestdata(t, "seed-001-role-trust-policy.json"))
	c := ctx{KeySourceArn: {seedAnchor}, KeySubjectCN: {"web.not-your-co.com"}, KeyRoleSessionName: {"123456"}}
	for _, tt := range []struct {
		action, cn, name, want string
	}{
		{ActionAssumeRole, "web.not-your-co.com", "123456", "allowed by statement 2"},
		{ActionAssumeRole, "FOO-is-revoked.not-your-co.com", "123456", `explicitly denied by statement 3: StringEqualsIgnoreCase "aws:PrincipalTag/x509Subject/CN" matched`},
		{ActionAssumeRole, "web.not-your-co.com", "abc", `implicitly denied: closest is statement 2: condition StringLike "sts:RoleSessionName" not met`},
		{"sts:GetCallerIdentity", "web.not-your-co.com", "abc", "implicitly denied: no statement applies to the principal and action"},
	} {
		c[KeySubjectCN], c[KeyRoleSessionName] = []string{tt.cn}, []string{tt.name}
		d, err := Evaluate(p, Request{Principal: RolesAnywhereService, Action: tt.action, Context: c})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Explain(p); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
