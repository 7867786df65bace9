package trustpolicy

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%s:%d", f.Severity, f.Code, f.Statement))
	}
	sort.Strings(out)
	return out
}

func TestLintSeed(t *testing.T) {
	fs := Lint(mustParse(t, readTestdata(t, "seed-001-role-trust-policy.json")))
	got := strings.Join(codes(fs), " ")
	want := "warning:cn-only:1 warning:cn-only:2"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if HasErrors(fs) {
		t.Error("seed policy has errors")
	}
}

func TestLintFindings(t *testing.T) {
	const ra = `"Principal":{"Service":"rolesanywhere.amazonaws.com"}`
	const pin = `"ArnEquals":{"aws:SourceArn":"` + seedAnchor + `"}`
	tag := `{"Effect":"Allow",` + ra + `,"Action":["sts:TagSession","sts:SetSourceIdentity"],"Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com"}}}`
	tests := []struct {
		name   string
		assume string // the AssumeRole statement
		extra  string // more statements
		want   []string
	}{
		{"clean", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "", nil},
		{"no source arn", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:no-source-arn:2"}},
		{"star", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:wildcard-too-broad:2"}},
		{"star com", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:wildcard-too-broad:2"}},
		{"lookalike", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*web.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"warning:wildcard-too-broad:2"}},
		{"cn only", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509Subject/CN":"*.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"warning:cn-only:2"}},
		{"no identity", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:no-identity:2"}},
		{"no session name", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com"}}}`, "",
			[]string{"warning:no-session-name:2"}},
		{"issuer by O", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringEquals":{"aws:PrincipalTag/x509Issuer/O":"Let's Encrypt"},"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:issuer-by-o:2"}},
		{"issuer by O ok value", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringEquals":{"aws:PrincipalTag/x509Issuer/O":"Example CA"},"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"warning:issuer-by-o:2"}},
		{"foreign principal", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`, "",
			[]string{"error:missing-action:0", "warning:foreign-principal:2"}},
		{"star principal", `{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "",
			[]string{"error:foreign-principal:2"}},
		{"missing tag session", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`, "DROP",
			[]string{"error:missing-action:0", "error:missing-action:0"}},
		{"case-sensitive deny", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"}}}`,
			`,{"Effect":"Deny",` + ra + `,"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalTag/x509SAN/DNS":"old.example.com"}}}`,
			[]string{"info:deny-case-sensitive:3"}},
		{"invalid condition", `{"Effect":"Allow",` + ra + `,"Action":"sts:AssumeRole","Condition":{` + pin + `,"StringLike":{"aws:PrincipalTag/x509SAN/DNS":"*.example.com","sts:RoleSessionName":"??????"},"IpAddress":{"aws:SourceIp":"1.2.3"}}}`, "",
			[]string{"error:invalid-condition:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := tag + ","
			extra := tt.extra
			if extra == "DROP" {
				first, extra = "", ""
			}
			doc := `{"Version":"2012-10-17","Statement":[` + first + tt.assume + extra + `]}`
			if first == "" {
				// keep statement numbers stable: a harmless first statement
				// (no Resource: IAM rejects one in a trust policy)
				doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket"},` + tt.assume + `]}`
			}
			fs := Lint(mustParse(t, []byte(doc)))
			got := codes(fs)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %v, want %v\n%v", got, want, fs)
			}
			if HasErrors(fs) != strings.Contains(strings.Join(want, " "), "error:") {
				t.Errorf("HasErrors %v", HasErrors(fs))
			}
			for _, f := range fs {
				if f.Message == "" || strings.Contains(f.String(), "%!") {
					t.Errorf("bad message %q", f.String())
				}
			}
		})
	}
}

func TestLintOldVersion(t *testing.T) {
	fs := Lint(mustParse(t, []byte(`{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`)))
	if got := codes(fs); len(got) == 0 || got[len(got)-1] != "warning:old-version:0" {
		t.Errorf("got %v", got)
	}
}
