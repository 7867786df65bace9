package lambdadetect

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestTemplate: the template parses, has every resource and property the
// function needs, and its role policy grants no * action and only pinned
// resources.
func TestTemplate(t *testing.T) {
	b, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]json.RawMessage
		Conditions map[string]json.RawMessage
		Resources  map[string]struct {
			Type       string
			Condition  string
			Properties map[string]json.RawMessage
		}
		Outputs map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"CodeBucket", "CodeKey", "TrailBucket", "TrailPrefix", "SeedsSecretArn", "LogRetentionDays"} {
		if _, ok := tpl.Parameters[p]; !ok {
			t.Errorf("no parameter %s", p)
		}
	}
	wantTypes := map[string]string{ResFunction: "AWS::Lambda::Function", ResRole: "AWS::IAM::Role", ResLogGroup: "AWS::Logs::LogGroup",
		ResTopic: "AWS::SNS::Topic", ResTable: "AWS::DynamoDB::Table", ResDLQ: "AWS::SQS::Queue", ResAPICallRule: "AWS::Events::Rule",
		ResObjectRule: "AWS::Events::Rule", ResAPICallPerm: "AWS::Lambda::Permission", ResObjectRulePerm: "AWS::Lambda::Permission",
		ResS3Permission: "AWS::Lambda::Permission", ResSessionRule: "AWS::Events::Rule", ResSessionPerm: "AWS::Lambda::Permission"}
	for id, typ := range wantTypes {
		if r, ok := tpl.Resources[id]; !ok || r.Type != typ {
			t.Errorf("resource %s: got %q, want %s", id, r.Type, typ)
		}
	}
	// Every Ref and GetAtt names a parameter, a resource or a pseudo
	// parameter; every condition exists.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "Ref":
					n := x.(string)
					_, p := tpl.Parameters[n]
					_, r := tpl.Resources[n]
					if !p && !r && !strings.HasPrefix(n, "AWS::") {
						t.Errorf("Ref %s names nothing", n)
					}
				case "Fn::GetAtt":
					if _, ok := tpl.Resources[x.([]any)[0].(string)]; !ok {
						t.Errorf("GetAtt %v names no resource", x)
					}
				case "Condition", "Fn::If":
					if s, ok := x.(string); ok {
						if _, ok := tpl.Conditions[s]; !ok {
							t.Errorf("condition %s is not defined", s)
						}
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var all any
	json.Unmarshal(b, &all)
	walk(all)

	fn := tpl.Resources[ResFunction].Properties
	for k, want := range map[string]string{"Runtime": `"provided.al2023"`, "Architectures": `["arm64"]`, "Handler": `"bootstrap"`} {
		if got := string(compact(t, fn[k])); got != want {
			t.Errorf("function %s: got %s, want %s", k, got, want)
		}
	}
	env := string(compact(t, fn["Environment"]))
	for _, v := range []string{EnvSecretARN, EnvTopicARN, EnvTable} {
		if !strings.Contains(env, v) {
			t.Errorf("function environment lacks %s", v)
		}
	}
	for _, k := range []string{"DeadLetterConfig", "LoggingConfig", "Code", "Role"} {
		if _, ok := fn[k]; !ok {
			t.Errorf("function has no %s", k)
		}
	}
	// Later calls of sessions: off by default; the rule matches the
	// records audit classifies as session calls, and the function is told.
	if got := string(compact(t, tpl.Parameters["SessionCalls"])); !strings.Contains(got, `"Default":"off"`) || !strings.Contains(got, `["off","writes","all"]`) {
		t.Errorf("SessionCalls parameter %s", got)
	}
	sr := tpl.Resources[ResSessionRule]
	if sr.Condition != "CheckSessionCalls" || tpl.Resources[ResSessionPerm].Condition != "CheckSessionCalls" {
		t.Errorf("session rule conditions %q, %q", sr.Condition, tpl.Resources[ResSessionPerm].Condition)
	}
	for k, want := range map[string]string{
		"EventPattern": `{"detail":{"userIdentity":{"sessionContext":{"sourceIdentity":[{"prefix":"CN="},{"prefix":"ID="}]},"type":["AssumedRole"]}},"detail-type":["AWS API Call via CloudTrail"]}`,
		"State":        `{"Fn::If":["AllSessionCalls","ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS","ENABLED"]}`,
	} {
		if got := string(compact(t, sr.Properties[k])); got != want {
			t.Errorf("session rule %s: got %s, want %s", k, got, want)
		}
	}
	if !strings.Contains(env, `"`+EnvSessions+`":{"Fn::If":["CheckSessionCalls","true","false"]}`) {
		t.Errorf("function environment %s: want %s from CheckSessionCalls", env, EnvSessions)
	}
	if dlq := string(compact(t, tpl.Resources["DeadLetterQueuePolicy"].Properties["PolicyDocument"])); !strings.Contains(dlq, ResSessionRule) {
		t.Errorf("dead-letter queue policy %s does not let the session rule send", dlq)
	}
	table := string(tpl.Resources[ResTable].Properties["TimeToLiveSpecification"])
	if !strings.Contains(table, AttrExpiresAt) || !strings.Contains(table, "true") {
		t.Errorf("table TTL %s", table)
	}
	if _, ok := tpl.Resources[ResLogGroup].Properties["RetentionInDays"]; !ok {
		t.Error("log group has no retention")
	}

	role := tpl.Resources[ResRole].Properties
	trust, err := trustpolicy.Parse(role["AssumeRolePolicyDocument"])
	if err != nil {
		t.Fatalf("trust policy: %v", err)
	}
	if len(trust.Statement) != 1 || trust.Statement[0].Principal == nil || !strings.Contains(string(compact(t, role["AssumeRolePolicyDocument"])), `"Service":"lambda.amazonaws.com"`) {
		t.Errorf("trust policy %+v: want lambda.amazonaws.com only", trust)
	}
	var policies []struct {
		PolicyDocument struct {
			Version   string
			Statement []struct {
				Effect   string
				Action   []string
				Resource []any
			}
		}
	}
	if err := json.Unmarshal(role["Policies"], &policies); err != nil || len(policies) != 1 {
		t.Fatalf("policies: %v", err)
	}
	gotActions := map[string]bool{}
	for _, s := range policies[0].PolicyDocument.Statement {
		if s.Effect != "Allow" || len(s.Resource) == 0 {
			t.Errorf("statement %+v", s)
		}
		for _, a := range s.Action {
			gotActions[a] = true
			if strings.Contains(a, "*") {
				t.Errorf("action %s has a wildcard", a)
			}
		}
		for _, r := range s.Resource {
			m, ok := r.(map[string]any)
			if !ok {
				t.Errorf("resource %v is not pinned to a stack resource or parameter", r)
				continue
			}
			if sub, ok := m["Fn::Sub"].(string); ok {
				// Only the trail prefix may end in a wildcard.
				if strings.Count(sub, "*") > 1 || strings.Contains(sub, "*") && !strings.HasSuffix(sub, "${TrailPrefix}*") {
					t.Errorf("resource %s is not pinned", sub)
				}
			}
		}
	}
	for _, a := range []string{"s3:GetObject", "secretsmanager:GetSecretValue", "sns:Publish", "dynamodb:PutItem", "dynamodb:GetItem", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"} {
		if !gotActions[a] {
			t.Errorf("role lacks %s", a)
		}
		delete(gotActions, a)
	}
	if len(gotActions) != 0 {
		t.Errorf("role grants more: %v", gotActions)
	}
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestWriteZip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bin")
	os.WriteFile(p, []byte("\x7fELF not really"), 0o755)
	var b bytes.Buffer
	when := ZipTime
	if err := WriteZip(&b, p); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 || !zr.File[0].Modified.Equal(when) {
		t.Fatalf("got %+v", zr.File[0].FileHeader)
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	if string(got) != "\x7fELF not really" {
		t.Fatalf("contents %q", got)
	}
	var be *BootstrapError
	if err := CheckBootstrap(p); !errors.As(err, &be) || !errors.Is(err, ErrNotLinuxARM64) {
		t.Fatalf("CheckBootstrap: got %v", err)
	}
	if err := WriteZip(&b, filepath.Join(t.TempDir(), "missing")); !errors.As(err, &be) {
		t.Fatalf("got %v", err)
	}
}

// TestCheckBootstrapAccepts a linux/arm64 ELF header (all CheckBootstrap
// looks at) and refuses amd64.
func TestCheckBootstrapMachine(t *testing.T) {
	for _, tc := range []struct {
		machine elf.Machine
		ok      bool
	}{{elf.EM_AARCH64, true}, {elf.EM_X86_64, false}} {
		h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(tc.machine), Version: 1, Ehsize: 64}
		copy(h.Ident[:], elf.ELFMAG)
		h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, h)
		p := filepath.Join(t.TempDir(), "bootstrap")
		if err := os.WriteFile(p, b.Bytes(), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := CheckBootstrap(p); (err == nil) != tc.ok {
			t.Errorf("%s: got %v", tc.machine, err)
		}
	}
}
