package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const callRecordJSON = `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/app/123456","accountId":"123456789012","sessionContext":{"sourceIdentity":"CN=h.example.com","attributes":{"creationDate":"2026-11-21T00:00:00Z"}}},"eventTime":"2026-11-21T00:01:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-2","sourceIPAddress":"198.51.100.7","requestParameters":{"bucketName":"b","key":"k"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}],"recipientAccountId":"123456789012"}`

func readCallsOf(t *testing.T, paths []string, co CallOptions) ([]Call, error) {
	t.Helper()
	var mu sync.Mutex
	var out []Call
	_, err := ReadCalls(context.Background(), paths, Options{Jobs: 2}, co, func(c Call) {
		mu.Lock()
		out = append(out, c)
		mu.Unlock()
	})
	return out, err
}

func TestReadCalls(t *testing.T) {
	dir := t.TempDir()
	other := strings.Replace(callRecordJSON, "assumed-role/app/", "assumed-role/other/", 1)
	noIdent := `{"eventTime":"2026-11-21T00:02:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"note":":assumed-role/app/x"}}`
	service := `{"userIdentity":{"type":"AWSService","invokedBy":"rolesanywhere.amazonaws.com"},"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","responseElements":{"assumedRoleUser":{"arn":"arn:aws:sts::123456789012:assumed-role/app/123456"}}}`
	file := filepath.Join(dir, "a.json")
	if err := os.WriteFile(file, []byte(`{"Records":[`+callRecordJSON+`,`+other+`,`+noIdent+`,`+service+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	calls, err := readCallsOf(t, []string{file}, CallOptions{Marker: RoleMarker("app"), ARN: RoleMarker("app")})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("got %d calls (%+v), want the app call and the record without userIdentity", len(calls), calls)
	}
	var good, bad Call
	for _, c := range calls {
		if c.Problem == "" {
			good = c
		} else {
			bad = c
		}
	}
	if good.Role != "app" || good.Session != "123456" || good.Partition != "aws" || good.SourceIdentity != "CN=h.example.com" ||
		good.EventName != "GetObject" || good.Region != "eu-west-2" || good.Account != "123456789012" || good.SessionCreated.IsZero() ||
		len(good.Resources) != 1 || !bytes.Contains(good.RequestParameters, []byte(`"bucketName":"b"`)) {
		t.Errorf("call = %+v", good)
	}
	if !strings.Contains(bad.Problem, "no userIdentity") || bad.Path != file {
		t.Errorf("record without userIdentity: %+v", bad)
	}
}

func TestReadCallsTruncatedGzip(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(`{"Records":[` + callRecordJSON + `,` + callRecordJSON + `,` + callRecordJSON))
	zw.Close()
	p := filepath.Join(dir, "t.json.gz")
	if err := os.WriteFile(p, b.Bytes()[:b.Len()-12], 0o600); err != nil {
		t.Fatal(err)
	}
	calls, err := readCallsOf(t, []string{p}, CallOptions{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != p {
		t.Fatalf("err = %v, want a *FileError naming the file", err)
	}
	if len(calls) != 3 {
		t.Errorf("got %d calls before the damage, want 3", len(calls))
	}
}

func TestParseAssumedRoleARN(t *testing.T) {
	p, a, r, s, ok := ParseAssumedRoleARN("arn:aws-cn:sts::123456789012:assumed-role/my-role/sess@x")
	if !ok || p != "aws-cn" || a != "123456789012" || r != "my-role" || s != "sess@x" {
		t.Errorf("got %q %q %q %q %v", p, a, r, s, ok)
	}
	for _, bad := range []string{"", "arn:aws:iam::1:role/x", "arn:aws:sts::1:assumed-role/x", "arn:aws:sts::1:assumed-role/x/"} {
		if _, _, _, _, ok := ParseAssumedRoleARN(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
