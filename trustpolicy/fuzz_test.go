package trustpolicy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func addSeedCorpus(f *testing.F) {
	for _, name := range seedFiles {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"ForAllValues:StringLikeIfExists":{"k":["a*",true,1.5]},"Null":{"x":"true"}}}}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["*"]},"NotAction":"a:*","NotResource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`))
}

// FuzzParse: Parse never panics, and whatever it accepts marshals, parses
// back to the same policy and marshals identically.
func FuzzParse(f *testing.F) {
	addSeedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "policy") {
				t.Fatalf("error does not name the policy: %v", err)
			}
			return
		}
		m1, err := Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		q, err := Parse(m1)
		if err != nil {
			t.Fatalf("reparse of %s: %v", m1, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the policy:\n%#v\n%#v", p, q)
		}
		m2, err := Marshal(q)
		if err != nil || !bytes.Equal(m1, m2) {
			t.Fatalf("marshal not idempotent: %v\n%s\n%s", err, m1, m2)
		}
		_ = Lint(p)
	})
}

// FuzzEvaluate: Evaluate never panics, an error means Validate fails too
// or the policy has NotPrincipal with Allow (which IAM rejects), and a
// decision is consistent (an allow names an Allow statement, an
// explicit deny a Deny statement).
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringLike":{"k":"a?*"}}}}`), "sts:AssumeRole", "k", "abc", "arn:aws:s3:::x")
	f.Add([]byte(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`), "s3:GetObject", "aws:SourceIp", "10.1.2.3", "")
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"}}}}`), "x:Y", "aws:SourceArn", "arn:aws:a:b:c:d:e", "")
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"DateLessThan":{"t":"2026-01-01"},"NumericGreaterThan":{"n":"1e3"}}}}`), "x:Y", "t", "1700000000", "")
	seed, err := os.ReadFile(filepath.Join("testdata", "seed-001-role-trust-policy.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, ActionAssumeRole, KeySubjectCN, "foo-is-revoked.not-your-co.com", "")
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"Service":"x"},"Action":"*"},{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","NotResource":"a"}]}`), "x:Y", "k", "v", "b")
	f.Fuzz(func(t *testing.T, doc []byte, action, key, value, resource string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		r := Request{Principal: RolesAnywhereService, Action: action, Resource: resource, Context: map[string][]string{key: {value}, KeySourceArn: {seedAnchor}}}
		d, err := Evaluate(p, r)
		if errors.Is(err, ErrNotPrincipalAllow) {
			var ee *ElementError
			if !errors.As(err, &ee) || ee.Statement < 1 || ee.Statement > len(p.Statement) ||
				p.Statement[ee.Statement-1].NotPrincipal == nil || p.Statement[ee.Statement-1].Effect != Allow {
				t.Fatalf("NotPrincipal error %v names no Allow statement with NotPrincipal", err)
			}
			return
		}
		if err != nil {
			if p.Validate() == nil {
				t.Fatalf("Evaluate failed but Validate passed: %v", err)
			}
			return
		}
		switch {
		case d.Allowed && (d.Statement < 0 || p.Statement[d.Statement].Effect != Allow || d.Explicit):
			t.Fatalf("inconsistent allow %+v", d)
		case d.Explicit && (d.Allowed || d.Statement < 0 || p.Statement[d.Statement].Effect != Deny):
			t.Fatalf("inconsistent deny %+v", d)
		}
		// Evaluate is deterministic.
		d2, _ := Evaluate(p, r)
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("not deterministic: %+v %+v", d, d2)
		}
	})
}
