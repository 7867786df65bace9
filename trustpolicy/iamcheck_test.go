package trustpolicy

import (
	"errors"
	"strings"
	"testing"
)

func TestLintIAMReference(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string // "severity code key"
	}{
		{"unknown action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","sts:AssumeRoles"],"Resource":"*"}}`,
			[]string{"error unknown-action sts:AssumeRoles"}},
		{"unknown service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"nosuch:Get","Resource":"*"}}`,
			[]string{"error unknown-action nosuch:Get"}},
		{"pattern matching nothing", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:Nothing*","Resource":"*"}}`,
			[]string{"error unknown-action sts:Nothing*"}},
		{"wildcards expand", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["sts:*","s3:Get*","*"],"Resource":"*"}}`, nil},
		{"case-insensitive", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`, nil},
		{"unsupported key", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}}`,
			[]string{"warning unsupported-condition-key s3:prefix"}},
		{"key of another listed action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}}`, nil},
		{"key through a wildcard", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:List*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}}`, nil},
		{"global and tag keys", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"x","s3:ExistingObjectTag/team":"y"}}}}`, nil},
		{"trust policy key", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["sts:TagSession","sts:SetSourceIdentity"],"Resource":"*","Condition":{"StringLike":{"sts:RoleSessionName":"??????"}}}}`,
			[]string{"warning unsupported-condition-key sts:RoleSessionName"}},
		{"NotAction: names checked", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:GetRolez","Resource":"*"}}`,
			[]string{"error unknown-action iam:GetRolez"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Lint(mustParse(t, []byte(tc.doc))) {
				if f.Code == "unknown-action" || f.Code == "unsupported-condition-key" {
					got = append(got, string(f.Severity)+" "+f.Code+" "+f.Key)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLintUnknownActionSuggests(t *testing.T) {
	for _, f := range Lint(mustParse(t, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoles","Resource":"*"}}`))) {
		if f.Code == "unknown-action" {
			if !strings.Contains(f.Message, "did you mean sts:AssumeRole?") {
				t.Errorf("message %q does not suggest sts:AssumeRole", f.Message)
			}
			return
		}
	}
	t.Error("no unknown-action finding")
}

func TestEvaluateIdentity(t *testing.T) {
	p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/logs/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},
		{"Effect":"Allow","Action":"sqs:Send*","Resource":"arn:aws:sqs:eu-west-?:123456789012:q-*"},
		{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"},
		{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/logs/secret/*"}]}`))
	for _, tc := range []struct {
		action, resource string
		allow            bool
	}{
		{"s3:GetObject", "arn:aws:s3:::b/logs/2026/x.gz", true},
		{"S3:getobject", "arn:aws:s3:::b/logs/x", true},
		{"s3:GetObject", "arn:aws:s3:::b/other/x", false},
		{"s3:GetObject", "arn:aws:s3:::b/logs/secret/k", false},
		{"s3:DeleteObject", "arn:aws:s3:::b/logs/x", false},
		{"s3:ListBucket", "arn:aws:s3:::b", true},
		{"s3:ListBucket", "arn:aws:s3:::bb", false},
		{"sqs:SendMessage", "arn:aws:sqs:eu-west-2:123456789012:q-jobs", true},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q-jobs", false},
		{"sqs:SendMessage", "arn:aws:sqs:eu-west-2:123456789012:other", false},
		{"sts:GetCallerIdentity", "", true},
	} {
		d, err := EvaluateIdentity(p, IdentityRequest{Action: tc.action, Resource: tc.resource})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.action, tc.resource, err)
		}
		if d.Allowed != tc.allow {
			t.Errorf("%s on %s: allowed %v, want %v", tc.action, tc.resource, d.Allowed, tc.allow)
		}
	}
	for _, a := range []string{"sts:AssumeRoles", "s3:Get*", "GetObject", "nosuch:X"} {
		_, err := EvaluateIdentity(p, IdentityRequest{Action: a, Resource: "*"})
		var ae *ActionError
		if !errors.Is(err, ErrUnknownAction) || !errors.As(err, &ae) || ae.Action != a {
			t.Errorf("%s: got %v, want an *ActionError wrapping ErrUnknownAction", a, err)
		}
	}
}
