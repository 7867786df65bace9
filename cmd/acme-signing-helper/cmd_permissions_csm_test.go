package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// needPeer returns the path of a peer program, skipping the test when it
// is missing outside CI; in CI (.ci/run installs it) a missing peer fails.
func needPeer(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s (Debian %s) is required in CI: %v", path, pkg, err)
		}
		t.Skipf("%s not installed (Debian %s)", path, pkg)
	}
	return path
}

// errorEndpoint is a loopback AWS endpoint that answers every request
// with a 400 error: the calls fail at the endpoint, and CSM still reports
// each as an ApiCall. It counts the requests it saw.
func errorEndpoint(t *testing.T) (url string, requests func() int) {
	t.Helper()
	n := make(chan struct{}, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n <- struct{}{}
		if strings.Contains(r.Header.Get("Content-Type"), "json") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"local test endpoint"}`)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(400)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>local test endpoint</Message></Error>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { return len(n) }
}

// recordActions runs permissions record -- sh -c script and returns the
// actions of the printed policy, sorted.
func recordActions(t *testing.T, script string) []string {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	t.Setenv("AWS_DEFAULT_REGION", "eu-west-2")
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	t.Setenv("AWS_RETRY_MODE", "standard")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PAGER", "")
	e, out, errb := testEnv(nil)
	if code := runEnv(e, []string{"permissions", "record", "--", "sh", "-c", script}); code != 0 {
		t.Fatalf("record: exit %d\nstderr:\n%s", code, errb)
	}
	p, err := trustpolicy.Parse(out.Bytes())
	if err != nil {
		t.Fatalf("record printed %q: %v", out, err)
	}
	var got []string
	for _, s := range p.Statement {
		got = append(got, s.Action...)
	}
	sort.Strings(got)
	t.Logf("report:\n%s", errb)
	return got
}

// TestPermissionsRecordAWSCLI: the real AWS CLI v2 (Debian awscli) makes 12
// calls of S3, STS, DynamoDB, SQS and Lambda, including the operations
// whose IAM action has another name, against a loopback endpoint that
// refuses them all; the recorded policy holds exactly their actions.
func TestPermissionsRecordAWSCLI(t *testing.T) {
	aws := needPeer(t, "/usr/bin/aws", "awscli")
	url, requests := errorEndpoint(t)
	out := filepath.Join(t.TempDir(), "obj")
	body := filepath.Join(t.TempDir(), "body")
	os.WriteFile(body, []byte("x"), 0o600)
	ops := []string{
		"s3api list-buckets",
		"s3api list-objects-v2 --bucket b",
		"s3api list-objects --bucket b",
		"s3api head-object --bucket b --key k",
		"s3api get-object --bucket b --key k " + out,
		"s3api put-object --bucket b --key k --body " + body,
		"sts get-caller-identity",
		"dynamodb list-tables",
		"dynamodb get-item --table-name table1 --key {\\\"id\\\":{\\\"S\\\":\\\"1\\\"}}",
		"sqs list-queues",
		"sqs send-message --queue-url " + url + "/123456789012/q --message-body hi",
		"lambda invoke --function-name f " + out,
	}
	var script strings.Builder
	for _, op := range ops {
		script.WriteString(aws + " --endpoint-url " + url + " " + op + " >/dev/null 2>&1\n")
	}
	script.WriteString("true\n")
	got := recordActions(t, script.String())
	want := []string{"dynamodb:GetItem", "dynamodb:ListTables", "lambda:InvokeFunction", "s3:GetObject", "s3:ListAllMyBuckets", "s3:ListBucket",
		"s3:PutObject", "sqs:ListQueues", "sqs:SendMessage", "sts:GetCallerIdentity"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("actions:\n got %v\nwant %v", got, want)
	}
	if requests() < len(ops) {
		t.Errorf("the endpoint saw %d requests for %d operations", requests(), len(ops))
	}
}

// TestPermissionsRecordBoto3: the same with boto3 (Debian python3-boto3).
func TestPermissionsRecordBoto3(t *testing.T) {
	py := needPeer(t, "/usr/bin/python3", "python3")
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 (Debian python3-boto3) is required in CI")
		}
		t.Skip("boto3 not installed (Debian python3-boto3)")
	}
	url, requests := errorEndpoint(t)
	prog := filepath.Join(t.TempDir(), "calls.py")
	src := `import boto3, botocore.config, sys
url = sys.argv[1]
cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})
def c(name): return boto3.client(name, endpoint_url=url, config=cfg)
s3, sts, ddb, sqs, lam = c("s3"), c("sts"), c("dynamodb"), c("sqs"), c("lambda")
calls = [
    lambda: s3.list_buckets(),
    lambda: s3.list_objects_v2(Bucket="b"),
    lambda: s3.list_objects(Bucket="b"),
    lambda: s3.head_object(Bucket="b", Key="k"),
    lambda: s3.head_bucket(Bucket="b"),
    lambda: s3.delete_object(Bucket="b", Key="k"),
    lambda: sts.get_caller_identity(),
    lambda: ddb.describe_table(TableName="table1"),
    lambda: ddb.put_item(TableName="table1", Item={"id": {"S": "1"}}),
    lambda: sqs.get_queue_url(QueueName="q"),
    lambda: sqs.receive_message(QueueUrl=url + "/123456789012/q"),
    lambda: lam.invoke(FunctionName="f"),
]
for f in calls:
    try:
        f()
    except Exception:
        pass
`
	if err := os.WriteFile(prog, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := recordActions(t, py+" "+prog+" "+url)
	want := []string{"dynamodb:DescribeTable", "dynamodb:PutItem", "lambda:InvokeFunction", "s3:DeleteObject", "s3:GetObject", "s3:ListAllMyBuckets",
		"s3:ListBucket", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sts:GetCallerIdentity"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("actions:\n got %v\nwant %v", got, want)
	}
	if requests() < 12 {
		t.Errorf("the endpoint saw %d requests for 12 calls", requests())
	}
}

// TestPermissionsRecordNoCSM: a command that sends no datagram: exit 1,
// the SDK note and the hint on stderr, nothing on stdout.
func TestPermissionsRecordNoCSM(t *testing.T) {
	needPeer(t, "/bin/sh", "dash")
	e, out, errb := testEnv(nil)
	if code := runEnv(e, []string{"permissions", "record", "--", "sh", "-c", "exit 3"}); code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, errb)
	}
	if out.Len() != 0 || !strings.Contains(errb.String(), "aws-sdk-go-v2 does not") || !strings.Contains(errb.String(), "hint: ") {
		t.Errorf("stdout %q stderr:\n%s", out, errb)
	}
	e, _, errb = testEnv(nil)
	if code := runEnv(e, []string{"permissions", "record", "sh"}); code != 2 || !strings.Contains(errb.String(), "no command to run") {
		t.Errorf("no --: exit %d: %s", code, errb)
	}
}

// TestPermissionsRecordCredentials: with credential-process flags, COMMAND
// gets a temporary 0600 profile whose credential_process is this program
// with those flags (and never a key password).
func TestPermissionsRecordCredentials(t *testing.T) {
	needPeer(t, "/bin/sh", "dash")
	e, _, errb := testEnv(nil)
	args := []string{"permissions", "record", "--certificate", "/etc/lego/certificates/h.crt", "--private-key", "/etc/lego/certificates/h.key",
		"--trust-anchor-arn", "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/TA",
		"--profile-arn", "arn:aws:rolesanywhere:eu-west-2:123456789012:profile/P",
		"--role-arn", "arn:aws:iam::123456789012:role/r", "--",
		"sh", "-c", `echo "profile=$AWS_PROFILE csm=$AWS_CSM_ENABLED@$AWS_CSM_HOST"; ls -l "$AWS_CONFIG_FILE" | cut -c1-10; cat "$AWS_CONFIG_FILE"`}
	if code := runEnv(e, args); code != 1 { // no CSM datagram: exit 1, after COMMAND ran
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"profile=" + csmProfile + " csm=true@127.0.0.1", "-rw-------", "[profile " + csmProfile + "]",
		"credential_process = ", " credential-process --certificate /etc/lego/certificates/h.crt --private-key /etc/lego/certificates/h.key",
		"--role-arn arn:aws:iam::123456789012:role/r"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("COMMAND saw no %q:\n%s", want, errb)
		}
	}
	if strings.Contains(errb.String(), "--format") {
		t.Errorf("record's own flags reached credential_process:\n%s", errb)
	}
}

// TestPermissionsRecordRoleOnly: --role-arn alone is the role of --format
// cloudformation, not a request for credentials.
func TestPermissionsRecordRoleOnly(t *testing.T) {
	needPeer(t, "/bin/sh", "dash")
	e, _, errb := testEnv(nil)
	if code := runEnv(e, []string{"permissions", "record", "--role-arn", "arn:aws:iam::123456789012:role/r", "--format", "cloudformation", "--", "sh", "-c", `echo "config=[$AWS_CONFIG_FILE]"`}); code != 1 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if strings.Contains(errb.String(), "acme-signing-helper-record-") || !strings.Contains(errb.String(), "no ApiCall datagram") {
		t.Errorf("stderr:\n%s", errb)
	}
	e, _, errb = testEnv(nil)
	if code := runEnv(e, []string{"permissions", "record", "--format", "cloudformation", "--", "true"}); code != 2 || !strings.Contains(errb.String(), "needs --role-arn") {
		t.Errorf("cloudformation without --role-arn: exit %d %s", code, errb)
	}
}
