package permissions

import (
	"errors"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

// TestExceptionsExist: every exception maps to an action of the IAM
// reference, so the table can never emit a guess.
func TestExceptionsExist(t *testing.T) {
	d := iamdata.MustLoad()
	for from, to := range exceptions {
		if _, ok := d.Action(to); !ok {
			t.Errorf("exception %s -> %s: not in the IAM reference", from, to)
		}
	}
	for src, p := range eventSources {
		if _, ok := d.Service(p); !ok {
			t.Errorf("event source %s -> %s: no such service", src, p)
		}
	}
	for id, p := range sdkServices {
		if _, ok := d.Service(p); !ok {
			t.Errorf("SDK service %q -> %s: no such service", id, p)
		}
	}
}

func TestMapCloudTrail(t *testing.T) {
	for _, tc := range []struct {
		src, name, want string
		err             error
	}{
		{"s3.amazonaws.com", "GetObject", "s3:GetObject", nil},
		{"s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket", nil},
		{"s3.amazonaws.com", "ListObjects", "s3:ListBucket", nil},
		{"s3.amazonaws.com", "HeadObject", "s3:GetObject", nil},
		{"s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets", nil},
		{"lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", "lambda:UpdateFunctionConfiguration", nil},
		{"lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions", nil},
		{"lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction", nil},
		{"monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData", nil},
		{"sqs.amazonaws.com", "SendMessageBatch", "sqs:SendMessage", nil},
		{"sts.amazonaws.com", "GetCallerIdentity", "sts:GetCallerIdentity", nil},
		{"dynamodb.amazonaws.com", "TransactWriteItems", "", ErrUnknownAction},
		{"s3.amazonaws.com", "ListObjectsV3", "", ErrUnknownAction},
		{"s3.amazonaws.com", "Get*", "", ErrUnknownAction},
		{"internal-tool.amazonaws.com", "Sync", "", ErrUnknownService},
		{"s3.example.com", "GetObject", "", ErrUnknownService},
		{"", "", "", ErrUnknownService},
	} {
		a, err := MapCloudTrail(tc.src, tc.name)
		if tc.err != nil {
			var me *MappingError
			if !errors.Is(err, tc.err) || !errors.As(err, &me) || me.Operation != tc.name {
				t.Errorf("%s %s: got %v, %v; want %v", tc.src, tc.name, a, err, tc.err)
			}
			continue
		}
		if err != nil || a.String() != tc.want {
			t.Errorf("%s %s: got %v, %v; want %s", tc.src, tc.name, a, err, tc.want)
		}
	}
}

func TestMapSDK(t *testing.T) {
	for _, tc := range []struct{ svc, api, want string }{
		{"S3", "ListObjectsV2", "s3:ListBucket"},
		{"S3", "HeadObject", "s3:GetObject"},
		{"S3", "ListBuckets", "s3:ListAllMyBuckets"},
		{"STS", "GetCallerIdentity", "sts:GetCallerIdentity"},
		{"DynamoDB", "ListTables", "dynamodb:ListTables"},
		{"SQS", "ListQueues", "sqs:ListQueues"},
		{"CloudWatch Logs", "DescribeLogGroups", "logs:DescribeLogGroups"},
		{"Secrets Manager", "GetSecretValue", "secretsmanager:GetSecretValue"},
		{"Lambda", "Invoke", "lambda:InvokeFunction"},
	} {
		a, err := MapSDK(tc.svc, tc.api)
		if err != nil || a.String() != tc.want {
			t.Errorf("%s %s: got %v, %v; want %s", tc.svc, tc.api, a, err, tc.want)
		}
	}
	if _, err := MapSDK("Nope Service", "Do"); !errors.Is(err, ErrUnknownService) {
		t.Errorf("unknown SDK service: %v", err)
	}
}

func TestCollapse(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"arn:aws:s3:::b/a/x", "arn:aws:s3:::b/a/y"}, "arn:aws:s3:::b/a/*"},
		{[]string{"arn:aws:s3:::b/a/x", "arn:aws:s3:::b/a/x"}, "arn:aws:s3:::b/a/x"},
		{[]string{"arn:aws:s3:::b/ab", "arn:aws:s3:::b/ac"}, "arn:aws:s3:::b/*"},
		{[]string{"arn:aws:s3:::b/d/2026/01/x", "arn:aws:s3:::b/d/2026/02/y", "arn:aws:s3:::c/k"}, "arn:aws:s3:::b/d/2026/* arn:aws:s3:::c/k"},
		{[]string{"arn:aws:sqs:r:1:q2", "arn:aws:sqs:r:1:q1", "arn:aws:s3:::b"}, "arn:aws:s3:::b arn:aws:sqs:r:1:q1 arn:aws:sqs:r:1:q2"},
	} {
		got := collapse(tc.in)
		if s := join(got); s != tc.want {
			t.Errorf("collapse(%q) = %q, want %q", tc.in, s, tc.want)
		}
	}
}

func join(l []string) string {
	s := ""
	for i, x := range l {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

func TestLiteralResources(t *testing.T) {
	if got := lit("a*b?c$d"); got != "a${*}b${?}c${$}d" {
		t.Errorf("lit = %q", got)
	}
	a, _ := iamdata.MustLoad().Action("s3:GetObject")
	arns, _ := resourcesOf(a, &callSite{partition: "aws", params: map[string]any{"bucketName": "b", "key": "k*"}})
	if len(arns) != 1 || arns[0] != "arn:aws:s3:::b/k${*}" {
		t.Errorf("a key with '*' gave %q: a record's name must never widen the grant", arns)
	}
}
