package permissions

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

func activityCorpus(t *testing.T) *cloudtrailgen.ActivityCorpus {
	t.Helper()
	c, err := cloudtrailgen.GenerateActivity(t.TempDir(), cloudtrailgen.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// grants flattens a policy to "action resource" lines, sorted.
func grants(p *trustpolicy.Policy) []string {
	var out []string
	for _, s := range p.Statement {
		for _, a := range s.Action {
			for _, r := range s.Resource {
				out = append(out, a+" "+r)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestGenerateActivity(t *testing.T) {
	c := activityCorpus(t)
	acct, reg := c.Account, c.Region
	web1, web2, backup := c.Workloads[0].Identity, c.Workloads[1].Identity, c.Workloads[2].Identity
	webRole := "arn:aws:iam::" + acct + ":role/" + cloudtrailgen.ActivityWebRole
	backupRole := "arn:aws:iam::" + acct + ":role/" + cloudtrailgen.ActivityBackupRole
	assets := "arn:aws:s3:::web-assets-" + acct
	arn := func(svc, rest string) string { return "arn:aws:" + svc + ":" + reg + ":" + acct + ":" + rest }
	web1Grants := []string{
		"dynamodb:GetItem " + arn("dynamodb", "table/web-sessions"),
		"dynamodb:PutItem " + arn("dynamodb", "table/web-sessions"),
		"kms:Decrypt " + arn("kms", "key/4f1c9a0e-7b2d-4c1e-9a55-2b7f3d9c8e10"),
		"logs:CreateLogStream " + arn("logs", "log-group:/acme/web:log-stream:*"),
		"logs:PutLogEvents " + arn("logs", "log-group:/acme/web:log-stream:*"),
		"s3:GetObject " + assets + "/static/*",
		"s3:ListAllMyBuckets *",
		"s3:ListBucket " + assets,
		"sqs:SendMessage " + arn("sqs", "web-jobs"),
		"sts:GetCallerIdentity *",
	}
	web2Grants := []string{
		"lambda:InvokeFunction " + arn("lambda", "function:thumbnailer"),
		"lambda:UpdateFunctionConfiguration " + arn("lambda", "function:thumbnailer"),
		"s3:GetObject " + assets + "/static/*",
		"secretsmanager:GetSecretValue " + arn("secretsmanager", "secret:web/db-password-??????"),
		"sns:Publish " + arn("sns", "web-alerts"),
	}
	webGrants := []string{
		"dynamodb:GetItem " + arn("dynamodb", "table/web-sessions"),
		"dynamodb:PutItem " + arn("dynamodb", "table/web-sessions"),
		"kms:Decrypt " + arn("kms", "key/4f1c9a0e-7b2d-4c1e-9a55-2b7f3d9c8e10"),
		"lambda:InvokeFunction " + arn("lambda", "function:thumbnailer"),
		"lambda:UpdateFunctionConfiguration " + arn("lambda", "function:thumbnailer"),
		"logs:CreateLogStream " + arn("logs", "log-group:/acme/web:log-stream:*"),
		"logs:PutLogEvents " + arn("logs", "log-group:/acme/web:log-stream:*"),
		"s3:GetObject " + assets + "/static/*",
		"s3:ListAllMyBuckets *",
		"s3:ListBucket " + assets,
		"secretsmanager:GetSecretValue " + arn("secretsmanager", "secret:web/db-password-??????"),
		"sns:Publish " + arn("sns", "web-alerts"),
		"sqs:SendMessage " + arn("sqs", "web-jobs"),
		"sts:GetCallerIdentity *",
	}
	backupGrants := []string{
		"dynamodb:BatchWriteItem " + arn("dynamodb", "table/backup-catalog"),
		"dynamodb:DescribeTable " + arn("dynamodb", "table/backup-catalog"),
		"kms:GenerateDataKey " + arn("kms", "key/9d2e4b71-1c3a-4f6e-8b20-6a5c7e1f0d33"),
		"lambda:ListFunctions *",
		"logs:PutLogEvents " + arn("logs", "log-group:/acme/backup:log-stream:*"),
		"s3:ListBucket arn:aws:s3:::backups-" + acct,
		"s3:PutObject arn:aws:s3:::backups-" + acct + "/db/*",
		"ssm:GetParameter " + arn("ssm", "parameter/backup/schedule"),
		"ssm:GetParametersByPath " + arn("ssm", "parameter/backup/targets/*"),
	}
	for _, tc := range []struct {
		name, role, identity string
		want                 []string
		unmapped, denied     []string
		other                int
	}{
		{"web role", webRole, "", webGrants, []string{"dynamodb.amazonaws.com TransactWriteItems", "internal-tool.amazonaws.com Sync"}, []string{"iam:ListRoles", "s3:PutObject"}, 1},
		{"web1", webRole, web1, web1Grants, []string{"dynamodb.amazonaws.com TransactWriteItems", "internal-tool.amazonaws.com Sync"}, []string{"s3:PutObject"}, 1},
		{"web2 (CN= and case)", webRole, "CN=" + strings.ToUpper(web2), web2Grants, nil, []string{"iam:ListRoles"}, 1},
		{"backup role", backupRole, "", backupGrants, nil, nil, 0},
		{"backup on the web role", webRole, backup, nil, nil, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			role, err := ParseRoleARN(tc.role)
			if err != nil {
				t.Fatal(err)
			}
			r, _, err := Generate(context.Background(), []string{c.Dir}, audit.Options{Jobs: 2}, role, Filter{Identity: tc.identity})
			if err != nil {
				t.Fatal(err)
			}
			if got := grants(r.Policy); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("grants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var un, den []string
			for _, u := range r.Report.Unmapped {
				un = append(un, u.Service+" "+u.Operation)
			}
			for _, d := range r.Report.Denied {
				den = append(den, d.Action)
			}
			if strings.Join(un, ",") != strings.Join(tc.unmapped, ",") {
				t.Errorf("unmapped %q, want %q", un, tc.unmapped)
			}
			if strings.Join(den, ",") != strings.Join(tc.denied, ",") {
				t.Errorf("denied %q, want %q", den, tc.denied)
			}
			if r.Report.OtherSessions != tc.other {
				t.Errorf("other sessions %d, want %d", r.Report.OtherSessions, tc.other)
			}
			if tc.role == webRole && tc.identity == "" && r.Report.ProblemCount != 1 {
				t.Errorf("problems %d (%v), want 1 (the record without userIdentity)", r.Report.ProblemCount, r.Report.Problems)
			}
			// The policy passes trust-policy lint without errors.
			doc, err := r.PolicyJSON()
			if tc.want == nil {
				if !errors.Is(err, ErrNoActions) {
					t.Errorf("PolicyJSON of nothing: %v, want ErrNoActions", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := trustpolicy.Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range trustpolicy.Lint(p) {
				if f.Severity == trustpolicy.SeverityError || f.Severity == trustpolicy.SeverityWarning {
					t.Errorf("lint: %s", f)
				}
			}
		})
	}
}
