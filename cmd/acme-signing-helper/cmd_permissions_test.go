package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestPermissionsGenerateRoundTrip: the policy generated from the activity
// corpus passes trust-policy lint with no error and simulate --resource
// allows each recorded call and denies one that was not recorded.
func TestPermissionsGenerateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c, err := cloudtrailgen.GenerateActivity(filepath.Join(dir, "logs"), cloudtrailgen.Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + c.Account + ":role/" + cloudtrailgen.ActivityWebRole
	e, out, errb := testEnv(nil)
	if code := runEnv(e, []string{"permissions", "generate", "--role-arn", role, c.Dir}); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errb)
	}
	for _, want := range []string{"unmapped dynamodb.amazonaws.com TransactWriteItems calls 1", "unmapped internal-tool.amazonaws.com Sync calls 1",
		"denied s3:PutObject arn:aws:s3:::web-assets-" + c.Account + "/static/evil.js calls 1 (AccessDenied), not granted",
		"list s3:ListAllMyBuckets calls 1: * (the action has no resource types", "left out: 1 calls of the role without a Roles Anywhere source identity"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, errb)
		}
	}
	policy := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(policy, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	e, out, errb = testEnv(nil)
	if code := runEnv(e, []string{"trust-policy", "lint", policy}); code != 0 || strings.Contains(out.String(), "error") {
		t.Errorf("lint: exit %d:\n%s%s", code, out, errb)
	}
	arn := func(svc, rest string) string { return "arn:aws:" + svc + ":" + c.Region + ":" + c.Account + ":" + rest }
	assets := "arn:aws:s3:::web-assets-" + c.Account
	for _, tc := range []struct {
		action, resource string
		allow            bool
	}{
		{"s3:GetObject", assets + "/static/css/site.css", true},
		{"s3:GetObject", assets + "/static/index.html", true},
		{"s3:ListBucket", assets, true},
		{"s3:ListAllMyBuckets", "*", true},
		{"dynamodb:GetItem", arn("dynamodb", "table/web-sessions"), true},
		{"sqs:SendMessage", arn("sqs", "web-jobs"), true},
		{"kms:Decrypt", arn("kms", "key/4f1c9a0e-7b2d-4c1e-9a55-2b7f3d9c8e10"), true},
		{"logs:PutLogEvents", arn("logs", "log-group:/acme/web:log-stream:2026/11/21/web1"), true},
		{"secretsmanager:GetSecretValue", arn("secretsmanager", "secret:web/db-password-AbCdEf"), true},
		{"lambda:InvokeFunction", arn("lambda", "function:thumbnailer"), true},
		{"sns:Publish", arn("sns", "web-alerts"), true},
		{"sts:GetCallerIdentity", "*", true},
		// Not recorded: refused, another bucket, another action.
		{"s3:PutObject", assets + "/static/evil.js", false},
		{"s3:GetObject", "arn:aws:s3:::backups-" + c.Account + "/db/x", false},
		{"dynamodb:DeleteItem", arn("dynamodb", "table/web-sessions"), false},
		{"s3:DeleteBucket", assets, false},
	} {
		e, out, errb := testEnv(nil)
		code := runEnv(e, []string{"simulate", "--policy", policy, "--action", tc.action, "--resource", tc.resource})
		want, wantCode := "DENY", 1
		if tc.allow {
			want, wantCode = "ALLOW", 0
		}
		if code != wantCode || !strings.HasPrefix(out.String(), want+"\n") {
			t.Errorf("simulate %s %s: exit %d, %q %s; want %s", tc.action, tc.resource, code, out, errb, want)
		}
	}
	// --format cloudformation: a managed policy attached to the role.
	e, out, errb = testEnv(nil)
	if code := runEnv(e, []string{"permissions", "generate", "--role-arn", role, "--identity", c.Workloads[1].Identity, "--format", "cloudformation", c.Dir}); code != 0 {
		t.Fatalf("cloudformation: exit %d: %s", code, errb)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				Roles          []string
				PolicyDocument json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &tmpl); err != nil {
		t.Fatal(err)
	}
	mp := tmpl.Resources["WorkloadPermissions"]
	if mp.Type != "AWS::IAM::ManagedPolicy" || len(mp.Properties.Roles) != 1 || mp.Properties.Roles[0] != cloudtrailgen.ActivityWebRole {
		t.Errorf("template resource %+v", mp)
	}
	if p, err := trustpolicy.Parse(mp.Properties.PolicyDocument); err != nil || len(p.Statement) == 0 {
		t.Errorf("PolicyDocument: %v", err)
	}
	// --format json carries the report.
	e, out, _ = testEnv(nil)
	if code := runEnv(e, []string{"permissions", "generate", "--role-arn", role, "--session", c.Sessions[c.Workloads[0].Identity], "--format", "json", c.Dir}); code != 0 {
		t.Fatalf("json: exit %d", code)
	}
	var j struct {
		Policy json.RawMessage
		Report permissions.Report
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if _, err := trustpolicy.Parse(j.Policy); err != nil {
		t.Errorf("json policy: %v", err)
	}
	if j.Report.Sessions != 1 || len(j.Report.Unmapped) != 2 || j.Report.DataVersion == "" {
		t.Errorf("json report: %+v", j.Report)
	}
}

func TestPermissionsGenerateErrors(t *testing.T) {
	dir := t.TempDir()
	c, err := cloudtrailgen.GenerateActivity(filepath.Join(dir, "logs"), cloudtrailgen.Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + c.Account + ":role/" + cloudtrailgen.ActivityWebRole
	trunc := filepath.Join(dir, "trunc.json.gz")
	data, _ := os.ReadFile(c.Files[0])
	os.WriteFile(trunc, data[:len(data)/2], 0o600)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no role", []string{"permissions", "generate", c.Dir}, 2, "--role-arn is required"},
		{"bad role", []string{"permissions", "generate", "--role-arn", "arn:aws:iam::1:user/x", c.Dir}, 2, "not an IAM role ARN"},
		{"no paths", []string{"permissions", "generate", "--role-arn", role}, 2, "no input paths"},
		{"bad format", []string{"permissions", "generate", "--role-arn", role, "--format", "yaml", c.Dir}, 2, "unknown --format"},
		{"bad since", []string{"permissions", "generate", "--role-arn", role, "--since", "yesterday", c.Dir}, 2, "--since"},
		{"nothing in window", []string{"permissions", "generate", "--role-arn", role, "--until", "2000-01-01T00:00:00Z", c.Dir}, 1, "no observed call to grant"},
		{"other role", []string{"permissions", "generate", "--role-arn", "arn:aws:iam::" + c.Account + ":role/nobody", c.Dir}, 1, "hint: check --role-arn"},
		{"truncated gzip", []string{"permissions", "generate", "--role-arn", role, trunc}, 2, "trunc.json.gz"},
		{"unknown subcommand", []string{"permissions", "make"}, 2, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, errb := testEnv(nil)
			if code := runEnv(e, tc.args); code != tc.code || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant %q", code, tc.code, errb, tc.want)
			}
			if !strings.Contains(errb.String(), "hint: ") {
				t.Errorf("no hint:\n%s", errb)
			}
		})
	}
}

// TestPermissionsHints: every sentinel and error type of package
// permissions (and trustpolicy's ErrUnknownAction) gets a hint.
func TestPermissionsHints(t *testing.T) {
	for name, err := range map[string]error{
		"ErrNoActions":            permissions.ErrNoActions,
		"ErrBadRoleARN":           permissions.ErrBadRoleARN,
		"RoleARNError":            &permissions.RoleARNError{ARN: "x", Err: permissions.ErrBadRoleARN},
		"ErrUnknownService":       permissions.ErrUnknownService,
		"ErrUnknownAction":        permissions.ErrUnknownAction,
		"MappingError":            &permissions.MappingError{Service: "x", Operation: "y", Err: permissions.ErrUnknownAction},
		"ErrNotLoopback":          permissions.ErrNotLoopback,
		"ErrMalformed":            permissions.ErrMalformedDatagram,
		"trustpolicy ActionError": &trustpolicy.ActionError{Action: "x", Reason: "x", Err: trustpolicy.ErrUnknownAction},
	} {
		if hintOf(err) == "" || hintOf(fmt.Errorf("cmd: %w", err)) == "" {
			t.Errorf("%s: no hint", name)
		}
	}
	if !errors.Is(&permissions.RoleARNError{Err: permissions.ErrBadRoleARN}, permissions.ErrBadRoleARN) {
		t.Error("RoleARNError does not unwrap")
	}
}
