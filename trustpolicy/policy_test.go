package trustpolicy

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	seedAnchor = "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/086719f2-2612-4c3a-8fe3-changeme0064"
	seedZone   = "Z11111112222222333333"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, data []byte) *Policy {
	t.Helper()
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// atoms expands a policy into its semantic units: one string per
// (effect, principal, action, resource, conditions), so that grouping,
// order, Sids and single-string-versus-list forms do not matter.
func atoms(p *Policy) []string {
	set := map[string]bool{}
	for _, s := range p.Statement {
		prin := ""
		for _, pp := range []struct {
			name string
			p    *Principal
		}{{"P", s.Principal}, {"NP", s.NotPrincipal}} {
			if pp.p == nil {
				continue
			}
			if pp.p.Wildcard {
				prin += pp.name + "=*;"
				continue
			}
			var ks []string
			for k, v := range pp.p.Values {
				vs := append([]string(nil), v...)
				sort.Strings(vs)
				ks = append(ks, k+":"+strings.Join(vs, ","))
			}
			sort.Strings(ks)
			prin += pp.name + "=" + strings.Join(ks, "|") + ";"
		}
		var cond []string
		for op, km := range s.Condition {
			for k, v := range km {
				vs := append([]string(nil), v...)
				sort.Strings(vs)
				cond = append(cond, op+"/"+strings.ToLower(k)+"="+strings.Join(vs, ","))
			}
		}
		sort.Strings(cond)
		acts, actKind := s.Action, "A"
		if s.NotAction != nil {
			acts, actKind = s.NotAction, "NA"
		}
		res, resKind := s.Resource, "R"
		if s.NotResource != nil {
			res, resKind = s.NotResource, "NR"
		}
		if res == nil {
			res = Strings{""}
		}
		for _, a := range acts {
			for _, r := range res {
				set[strings.Join([]string{string(s.Effect), prin, actKind + "=" + strings.ToLower(a), resKind + "=" + r, strings.Join(cond, "&")}, " ")] = true
			}
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func assertSemanticallyEqual(t *testing.T, got, want *Policy) {
	t.Helper()
	g, w := atoms(got), atoms(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("policies differ semantically\ngot:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
	}
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

var seedFiles = []string{
	"seed-000-route53-acme.sh.json",
	"seed-000-route53-traefik.json",
	"seed-000-source-ip.json",
	"seed-001-role-trust-policy.json",
	"seed-002-route53-cert-manager.json",
}

// The seeds' documents parse, and parse(marshal(p)) == p with marshal
// idempotent.
func TestSeedsParseAndRoundTrip(t *testing.T) {
	for _, name := range seedFiles {
		t.Run(name, func(t *testing.T) {
			p := mustParse(t, readTestdata(t, name))
			m1, err := Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			q := mustParse(t, m1)
			if !reflect.DeepEqual(p, q) {
				t.Errorf("parse(marshal(p)) != p\n%#v\n%#v", p, q)
			}
			m2, err := Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m1, m2) {
				t.Errorf("marshal not idempotent:\n%s\n%s", m1, m2)
			}
			if !bytes.HasPrefix(m1, []byte("{\n  \"Version\"")) || !bytes.HasSuffix(m1, []byte("}\n")) {
				t.Errorf("unexpected layout:\n%s", m1)
			}
			assertSemanticallyEqual(t, q, p)
		})
	}
}

func TestParseForms(t *testing.T) {
	// Statement as an object, string principal "*", booleans and numbers
	// as condition values.
	p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["a","b"],
		"Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600.5}}}}`))
	s := p.Statement[0]
	if !s.Principal.Wildcard || !reflect.DeepEqual(s.Action, Strings{"s3:GetObject"}) || !reflect.DeepEqual(s.Resource, Strings{"a", "b"}) {
		t.Errorf("got %+v", s)
	}
	if got := s.Condition["Bool"]["aws:SecureTransport"]; !reflect.DeepEqual(got, Strings{"true"}) {
		t.Errorf("Bool value: got %v, want [true]", got)
	}
	if got := s.Condition["NumericLessThan"]["aws:MultiFactorAuthAge"]; !reflect.DeepEqual(got, Strings{"3600.5"}) {
		t.Errorf("number value: got %v, want [3600.5]", got)
	}
	m, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": [
        "a",
        "b"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "true"
        },
        "NumericLessThan": {
          "aws:MultiFactorAuthAge": "3600.5"
        }
      }
    }
  ]
}
`
	if string(m) != want {
		t.Errorf("got:\n%s\nwant:\n%s", m, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // substrings of the error
	}{
		{"not json", `{`, []string{"not a JSON object"}},
		{"array", `[]`, []string{"not a JSON object"}},
		{"trailing", `{"Statement":{"Effect":"Allow","Action":"*"}} x`, []string{"not a JSON object"}},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, []string{"Version", "2020-01-01"}},
		{"no statement", `{"Version":"2012-10-17"}`, []string{"Statement", "missing"}},
		{"empty statement", `{"Statement":[]}`, []string{"Statement", "empty"}},
		{"statement string", `{"Statement":"x"}`, []string{"Statement", "object"}},
		{"unknown top", `{"Statement":{"Effect":"Allow","Action":"*"},"Foo":1}`, []string{`unknown element "Foo"`}},
		{"bad effect", `{"Statement":[{"Sid":"S1","Effect":"allow","Action":"*"}]}`, []string{`statement 1 (Sid "S1") Effect`, "Allow"}},
		{"no effect", `{"Statement":[{"Action":"*"}]}`, []string{"statement 1 Effect: invalid policy: missing"}},
		{"no action", `{"Statement":[{"Effect":"Allow"},{"Effect":"Deny"}]}`, []string{"statement 1 Action"}},
		{"both actions", `{"Statement":[{"Effect":"Allow","Action":"a","NotAction":"b"}]}`, []string{"both Action and NotAction"}},
		{"action number", `{"Statement":[{"Effect":"Allow","Action":"a"},{"Effect":"Allow","Action":[1]}]}`, []string{"statement 2 Action", "not a string"}},
		{"empty action", `{"Statement":[{"Effect":"Allow","Action":[]}]}`, []string{"statement 1 Action", "empty"}},
		{"principal string", `{"Statement":[{"Effect":"Allow","Action":"a","Principal":"rolesanywhere.amazonaws.com"}]}`, []string{"statement 1 Principal", `must be "*"`}},
		{"principal type", `{"Statement":[{"Effect":"Allow","Action":"a","Principal":{"Services":"x"}}]}`, []string{`unknown principal type "Services"`}},
		{"principal empty", `{"Statement":[{"Effect":"Allow","Action":"a","Principal":{}}]}`, []string{"Principal", "empty"}},
		{"unknown element", `{"Statement":[{"Sid":"X","Effect":"Allow","Action":"a","Conditions":{}}]}`, []string{`statement 1 (Sid "X")`, `unknown element "Conditions"`}},
		{"condition not object", `{"Statement":[{"Effect":"Allow","Action":"a","Condition":[]}]}`, []string{"statement 1 Condition"}},
		{"condition op not object", `{"Statement":[{"Effect":"Allow","Action":"a","Condition":{"StringLike":"x"}}]}`, []string{"statement 1 Condition StringLike"}},
		{"condition value object", `{"Statement":[{"Effect":"Allow","Action":"a","Condition":{"StringLike":{"sts:RoleSessionName":{"a":1}}}}]}`, []string{`statement 1 Condition StringLike "sts:RoleSessionName"`}},
		{"condition empty list", `{"Statement":[{"Sid":"Z","Effect":"Allow","Action":"a","Condition":{"StringLike":{"k":[]}}}]}`, []string{`statement 1 (Sid "Z") Condition StringLike "k"`, "empty"}},
		{"sid number", `{"Statement":[{"Sid":1,"Effect":"Allow","Action":"a"}]}`, []string{"Sid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("error %v does not wrap ErrInvalidPolicy", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %v is not a *ParseError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestClone(t *testing.T) {
	p := mustParse(t, readTestdata(t, "seed-001-role-trust-policy.json"))
	q := p.Clone()
	if !reflect.DeepEqual(p, q) {
		t.Fatal("clone differs")
	}
	q.Statement[0].Condition["StringLike"]["aws:PrincipalTag/x509Subject/CN"][0] = "changed"
	q.Statement[0].Principal.Values["Service"][0] = "changed"
	if reflect.DeepEqual(p, q) {
		t.Error("clone shares memory with the original")
	}
}
