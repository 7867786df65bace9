package lambdadetect

import (
	"encoding/json"
)

// Logical IDs of the template's resources.
const (
	ResFunction       = "DetectFunction"
	ResRole           = "DetectFunctionRole"
	ResLogGroup       = "DetectLogGroup"
	ResTopic          = "FindingsTopic"
	ResTable          = "ReplayTable"
	ResDLQ            = "DeadLetterQueue"
	ResAPICallRule    = "CreateSessionRule"
	ResObjectRule     = "LogObjectRule"
	ResAPICallPerm    = "CreateSessionRulePermission"
	ResSessionRule    = "SessionCallRule"
	ResSessionPerm    = "SessionCallRulePermission"
	ResObjectRulePerm = "LogObjectRulePermission"
	ResS3Permission   = "LogBucketPermission"
	ResInvokeConfig   = "DetectEventInvokeConfig"
)

// Template returns the CloudFormation template (JSON) of the detection
// stack: the function (custom runtime provided.al2023 on arm64, code from
// the CodeBucket/CodeKey parameters: the zip WriteZip makes), its role
// with a least-privilege policy (s3:GetObject on the trail bucket prefix,
// secretsmanager:GetSecretValue on the seeds secret, sns:Publish on the
// findings topic, dynamodb:PutItem and GetItem on the replay table,
// sqs:SendMessage on the dead-letter queue, logs on its own log group),
// the EventBridge rule for CreateSession calls, with SessionCalls set to
// writes or all the rule for the later calls of Roles Anywhere sessions
// (detect --sessions: each session judged once), the log-object delivery
// (an EventBridge rule for S3 "Object Created", or the permission for a
// direct S3 notification whose configuration is an output: the trail
// bucket exists already and CloudFormation cannot add a notification to
// a bucket it does not own), the SNS topic, the DynamoDB table with its
// TTL, the dead-letter queue and the log group with its retention.
func Template() ([]byte, error) {
	sub := func(s string) any { return map[string]any{"Fn::Sub": s} }
	ref := func(s string) any { return map[string]any{"Ref": s} }
	getAtt := func(r, a string) any { return map[string]any{"Fn::GetAtt": []string{r, a}} }
	ifEB := func(then, els any) any { return map[string]any{"Fn::If": []any{"DeliverByEventBridge", then, els}} }
	ifSessions := func(then, els any) any { return map[string]any{"Fn::If": []any{"CheckSessionCalls", then, els}} }
	noValue := ref("AWS::NoValue")
	trailObjects := sub("arn:${AWS::Partition}:s3:::${TrailBucket}/${TrailPrefix}*")
	functionName := sub("${AWS::StackName}-detect")

	params := map[string]any{
		"CodeBucket":     map[string]any{"Type": "String", "Description": "S3 bucket holding the deployment package (detect deploy --zip)", "MinLength": 3},
		"CodeKey":        map[string]any{"Type": "String", "Description": "S3 key of the deployment package", "MinLength": 1},
		"TrailBucket":    map[string]any{"Type": "String", "Description": "the CloudTrail log bucket", "MinLength": 3},
		"TrailPrefix":    map[string]any{"Type": "String", "Description": "key prefix of the log files, ending in / (AWSLogs/ for a trail without a prefix)", "Default": "AWSLogs/", "AllowedPattern": "^[^*]*/$"},
		"SeedsSecretArn": map[string]any{"Type": "String", "Description": "ARN of the Secrets Manager secret holding the seeds database (env-sha1sum-db.json)", "AllowedPattern": "^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$"},
		"ObjectDelivery": map[string]any{"Type": "String", "Description": "how log files reach the function: eventbridge (the bucket sends events to EventBridge) or s3 (a direct bucket notification; see the output)", "AllowedValues": []string{"eventbridge", "s3"}, "Default": "eventbridge"},
		"LogRetentionDays": map[string]any{"Type": "Number", "Default": 90,
			"AllowedValues": []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}},
		"SeedsTTL": map[string]any{"Type": "String", "Default": DefaultSeedsTTL.String(), "Description": "how long seeds read from the secret are used (Go duration)"},
		"SessionCalls": map[string]any{"Type": "String", "AllowedValues": []string{"off", "writes", "all"}, "Default": "off",
			"Description": "also judge the later API calls of Roles Anywhere sessions (detect --sessions), once per session: writes (what EventBridge delivers by default) or all (read-only calls too: the rule state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, many more invocations)"},
		"ReplayTTL": map[string]any{"Type": "String", "Default": DefaultReplayTTL.String(), "Description": "how long accepted codes are remembered (Go duration)"},
	}
	statement := func(sid string, actions []string, resources ...any) map[string]any {
		return map[string]any{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
	}
	policy := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			statement("Logs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, getAtt(ResLogGroup, "Arn")),
			statement("ReadTrailObjects", []string{"s3:GetObject"}, trailObjects),
			statement("ReadSeeds", []string{"secretsmanager:GetSecretValue"}, ref("SeedsSecretArn")),
			statement("PublishFindings", []string{"sns:Publish"}, ref(ResTopic)),
			statement("RememberCodes", []string{"dynamodb:PutItem", "dynamodb:GetItem"}, getAtt(ResTable, "Arn")),
			statement("DeadLetters", []string{"sqs:SendMessage"}, getAtt(ResDLQ, "Arn")),
		},
	}
	permission := func(principal string, source any, cond string) map[string]any {
		p := map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{
			"Action": "lambda:InvokeFunction", "FunctionName": getAtt(ResFunction, "Arn"), "Principal": principal,
			"SourceArn": source, "SourceAccount": ref("AWS::AccountId"),
		}}
		if cond != "" {
			p["Condition"] = cond
		}
		return p
	}
	resources := map[string]any{
		ResTopic: map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{
			"DisplayName": "Roles Anywhere session findings", "KmsMasterKeyId": "alias/aws/sns"}},
		ResTable: map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{
			"BillingMode":             "PAY_PER_REQUEST",
			"AttributeDefinitions":    []any{map[string]any{"AttributeName": AttrIdentity, "AttributeType": "S"}, map[string]any{"AttributeName": AttrCode, "AttributeType": "S"}},
			"KeySchema":               []any{map[string]any{"AttributeName": AttrIdentity, "KeyType": "HASH"}, map[string]any{"AttributeName": AttrCode, "KeyType": "RANGE"}},
			"TimeToLiveSpecification": map[string]any{"AttributeName": AttrExpiresAt, "Enabled": true},
			"SSESpecification":        map[string]any{"SSEEnabled": true},
		}},
		ResDLQ: map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{
			"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": true}},
		ResLogGroup: map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{
			"LogGroupName": sub("/aws/lambda/${AWS::StackName}-detect"), "RetentionInDays": ref("LogRetentionDays")}},
		ResRole: map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
			"Policies": []any{map[string]any{"PolicyName": "detect", "PolicyDocument": policy}},
		}},
		ResFunction: map[string]any{"Type": "AWS::Lambda::Function", "DependsOn": []string{ResLogGroup}, "Properties": map[string]any{
			"FunctionName":     functionName,
			"Description":      "acme-signing-helper detect: checks every IAM Roles Anywhere CreateSession against the seeds",
			"Runtime":          "provided.al2023",
			"Architectures":    []string{"arm64"},
			"Handler":          "bootstrap",
			"Code":             map[string]any{"S3Bucket": ref("CodeBucket"), "S3Key": ref("CodeKey")},
			"Role":             getAtt(ResRole, "Arn"),
			"MemorySize":       256,
			"Timeout":          300,
			"DeadLetterConfig": map[string]any{"TargetArn": getAtt(ResDLQ, "Arn")},
			"LoggingConfig":    map[string]any{"LogGroup": ref(ResLogGroup), "LogFormat": "Text"},
			"Environment": map[string]any{"Variables": map[string]any{
				EnvSecretARN: ref("SeedsSecretArn"), EnvTopicARN: ref(ResTopic), EnvTable: ref(ResTable),
				EnvSeedsTTL: ref("SeedsTTL"), EnvReplayTTL: ref("ReplayTTL"), EnvSessions: ifSessions("true", "false"),
			}},
		}},
		ResInvokeConfig: map[string]any{"Type": "AWS::Lambda::EventInvokeConfig", "Properties": map[string]any{
			"FunctionName": ref(ResFunction), "Qualifier": "$LATEST", "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600}},
		ResAPICallRule: map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
			"Description": "every IAM Roles Anywhere CreateSession, as CloudTrail records it",
			"EventPattern": map[string]any{"source": []string{SourceRolesAnywhere}, "detail-type": []string{DetailTypeAPICall},
				"detail": map[string]any{"eventSource": []string{"rolesanywhere.amazonaws.com"}, "eventName": []string{"CreateSession"}}},
			"Targets": []any{map[string]any{"Id": "detect", "Arn": getAtt(ResFunction, "Arn"),
				"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 21600},
				"DeadLetterConfig": map[string]any{"Arn": getAtt(ResDLQ, "Arn")}}},
		}},
		ResAPICallPerm: permission("events.amazonaws.com", getAtt(ResAPICallRule, "Arn"), ""),
		// Roles Anywhere sets a session's source identity to CN=<subject
		// CN> or ID=<serial>; the function's own calls (a Lambda role
		// session) have none.
		ResSessionRule: map[string]any{"Type": "AWS::Events::Rule", "Condition": "CheckSessionCalls", "Properties": map[string]any{
			"Description": "every API call made with an IAM Roles Anywhere session, as CloudTrail records it",
			"State":       map[string]any{"Fn::If": []any{"AllSessionCalls", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "ENABLED"}},
			"EventPattern": map[string]any{"detail-type": []string{DetailTypeAPICall},
				"detail": map[string]any{"userIdentity": map[string]any{"type": []string{"AssumedRole"},
					"sessionContext": map[string]any{"sourceIdentity": []any{map[string]any{"prefix": "CN="}, map[string]any{"prefix": "ID="}}}}}},
			"Targets": []any{map[string]any{"Id": "detect", "Arn": getAtt(ResFunction, "Arn"),
				"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 21600},
				"DeadLetterConfig": map[string]any{"Arn": getAtt(ResDLQ, "Arn")}}},
		}},
		ResSessionPerm: permission("events.amazonaws.com", getAtt(ResSessionRule, "Arn"), "CheckSessionCalls"),
		ResObjectRule: map[string]any{"Type": "AWS::Events::Rule", "Condition": "DeliverByEventBridge", "Properties": map[string]any{
			"Description": "every CloudTrail log file written to the trail bucket",
			"EventPattern": map[string]any{"source": []string{SourceS3}, "detail-type": []string{DetailTypeObjectCreated},
				"detail": map[string]any{"bucket": map[string]any{"name": []any{ref("TrailBucket")}},
					"object": map[string]any{"key": []any{map[string]any{"prefix": ref("TrailPrefix")}}}}},
			"Targets": []any{map[string]any{"Id": "detect", "Arn": getAtt(ResFunction, "Arn"),
				"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 21600},
				"DeadLetterConfig": map[string]any{"Arn": getAtt(ResDLQ, "Arn")}}},
		}},
		ResObjectRulePerm: permission("events.amazonaws.com", getAtt(ResObjectRule, "Arn"), "DeliverByEventBridge"),
		ResS3Permission:   permission("s3.amazonaws.com", sub("arn:${AWS::Partition}:s3:::${TrailBucket}"), "DeliverByS3"),
		"DeadLetterQueuePolicy": map[string]any{"Type": "AWS::SQS::QueuePolicy", "Properties": map[string]any{
			"Queues": []any{ref(ResDLQ)},
			"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
				"Resource": getAtt(ResDLQ, "Arn"),
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": []any{getAtt(ResAPICallRule, "Arn"),
					ifEB(getAtt(ResObjectRule, "Arn"), noValue), ifSessions(getAtt(ResSessionRule, "Arn"), noValue)}}}}}},
		}},
	}
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "acme-signing-helper detect deploy: real-time detection of IAM Roles Anywhere sessions whose TOTP session name does not match the workload",
		"Parameters":               params,
		"Conditions": map[string]any{
			"DeliverByEventBridge": map[string]any{"Fn::Equals": []any{ref("ObjectDelivery"), "eventbridge"}},
			"DeliverByS3":          map[string]any{"Fn::Equals": []any{ref("ObjectDelivery"), "s3"}},
			"CheckSessionCalls":    map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{ref("SessionCalls"), "off"}}}},
			"AllSessionCalls":      map[string]any{"Fn::Equals": []any{ref("SessionCalls"), "all"}},
		},
		"Resources": resources,
		"Outputs": map[string]any{
			"FunctionArn":     map[string]any{"Value": getAtt(ResFunction, "Arn")},
			"FindingsTopic":   map[string]any{"Value": ref(ResTopic), "Description": "subscribe to it for findings (JSON, the fields of detect --format json)"},
			"DeadLetterQueue": map[string]any{"Value": ref(ResDLQ), "Description": "events whose check failed after the retries"},
			"BucketSetup": map[string]any{"Value": ifEB(
				sub("aws s3api put-bucket-notification-configuration --bucket ${TrailBucket} --notification-configuration '{\"EventBridgeConfiguration\":{}}' (keep any existing configuration in it)"),
				sub("aws s3api put-bucket-notification-configuration --bucket ${TrailBucket} --notification-configuration '{\"LambdaFunctionConfigurations\":[{\"LambdaFunctionArn\":\"${"+ResFunction+".Arn}\",\"Events\":[\"s3:ObjectCreated:*\"],\"Filter\":{\"Key\":{\"FilterRules\":[{\"Name\":\"prefix\",\"Value\":\"${TrailPrefix}\"},{\"Name\":\"suffix\",\"Value\":\".json.gz\"}]}}}]}' (keep any existing configuration in it)")),
				"Description": "the one step outside the stack: make the trail bucket deliver its object-created events"},
		},
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
