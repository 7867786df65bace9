package lambdadetect_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
)

// Only CloudTrail log files are read from the trail bucket; digest files
// and anything else in it are skipped.
func ExampleIsTrailLogKey() {
	for _, k := range []string{
		"AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T1950Z_abc.json.gz",
		"AWSLogs/o-abc123/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T1950Z_abc.json.gz",
		"AWSLogs/123456789012/CloudTrail-Digest/eu-west-2/2026/11/21/123456789012_CloudTrail-Digest_eu-west-2_x.json.gz",
	} {
		fmt.Println(lambdadetect.IsTrailLogKey(k))
	}
	// Output:
	// true
	// true
	// false
}

// Template is the stack detect deploy --format cloudformation prints.
func ExampleTemplate() {
	b, err := lambdadetect.Template()
	if err != nil {
		fmt.Println(err)
		return
	}
	var t struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(b, &t); err != nil {
		fmt.Println(err)
		return
	}
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Println(id, t.Resources[id].Type)
	}
	// Output:
	// CreateSessionRule AWS::Events::Rule
	// CreateSessionRulePermission AWS::Lambda::Permission
	// DeadLetterQueue AWS::SQS::Queue
	// DeadLetterQueuePolicy AWS::SQS::QueuePolicy
	// DetectEventInvokeConfig AWS::Lambda::EventInvokeConfig
	// DetectFunction AWS::Lambda::Function
	// DetectFunctionRole AWS::IAM::Role
	// DetectLogGroup AWS::Logs::LogGroup
	// FindingsTopic AWS::SNS::Topic
	// LogBucketPermission AWS::Lambda::Permission
	// LogObjectRule AWS::Events::Rule
	// LogObjectRulePermission AWS::Lambda::Permission
	// ReplayTable AWS::DynamoDB::Table
	// SessionCallRule AWS::Events::Rule
	// SessionCallRulePermission AWS::Lambda::Permission
}
