package permissions

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

// ErrUnknownService is wrapped by a *MappingError when a call's service
// has no IAM prefix in the reference.
var ErrUnknownService = errors.New("service not in the IAM reference")

// ErrUnknownAction is wrapped by a *MappingError when a call's operation
// maps to no action of the reference.
var ErrUnknownAction = errors.New("no IAM action for the operation")

// MappingError is a call that maps to no IAM action: Service is the
// CloudTrail eventSource or the SDK service id, Operation the eventName or
// API name, Tried the action looked up (empty when the service is unknown).
type MappingError struct {
	Service   string
	Operation string
	Tried     string
	Err       error
}

func (e *MappingError) Error() string {
	if e.Tried == "" {
		return fmt.Sprintf("%s %s: %v", e.Service, e.Operation, e.Err)
	}
	return fmt.Sprintf("%s %s: %v (%s is not in the IAM reference %s)", e.Service, e.Operation, e.Err, e.Tried, iamdata.Version)
}

func (e *MappingError) Unwrap() error { return e.Err }

// eventSources maps the CloudTrail eventSource hosts whose IAM prefix is
// not the host's first label.
var eventSources = map[string]string{
	"monitoring.amazonaws.com":       "cloudwatch",
	"email.amazonaws.com":            "ses",
	"streams.dynamodb.amazonaws.com": "dynamodb",
	"elasticmapreduce.amazonaws.com": "elasticmapreduce",
	"es.amazonaws.com":               "es",
	"sso-directory.amazonaws.com":    "sso-directory",
	"api.ecr.amazonaws.com":          "ecr",
	"ecr-public.amazonaws.com":       "ecr-public",
	"bedrock-runtime.amazonaws.com":  "bedrock",
	"lex.amazonaws.com":              "lex",
	"s3-outposts.amazonaws.com":      "s3-outposts",
}

// sdkServices maps SDK service ids (what CSM datagrams name) to IAM
// prefixes where lower-casing and removing spaces does not give it.
var sdkServices = map[string]string{
	"cloudwatch logs":             "logs",
	"cloudwatch":                  "cloudwatch",
	"cloudwatch events":           "events",
	"eventbridge":                 "events",
	"secrets manager":             "secretsmanager",
	"sfn":                         "states",
	"route 53":                    "route53",
	"route 53 domains":            "route53domains",
	"cognito identity provider":   "cognito-idp",
	"cognito identity":            "cognito-identity",
	"elastic load balancing":      "elasticloadbalancing",
	"elastic load balancing v2":   "elasticloadbalancing",
	"application auto scaling":    "application-autoscaling",
	"auto scaling":                "autoscaling",
	"elasticache":                 "elasticache",
	"api gateway":                 "apigateway",
	"apigatewayv2":                "apigateway",
	"dynamodb streams":            "dynamodb",
	"kinesis":                     "kinesis",
	"firehose":                    "firehose",
	"ses":                         "ses",
	"sesv2":                       "ses",
	"rolesanywhere":               "rolesanywhere",
	"resource groups tagging api": "tag",
	"ec2 instance connect":        "ec2-instance-connect",
	"bedrock runtime":             "bedrock",
	"efs":                         "elasticfilesystem",
	"emr":                         "elasticmapreduce",
	"elasticsearch service":       "es",
	"opensearch":                  "es",
	"s3 control":                  "s3",
	"ssm":                         "ssm",
	"sso oidc":                    "sso-oauth",
	"iot data plane":              "iot",
}

// exceptions are the calls whose IAM action is not the operation's name,
// by "prefix:Operation" (operations as CloudTrail and the SDKs name them).
// Every entry is checked against the IAM reference by the tests.
var exceptions = map[string]string{
	// S3: listing and HEAD calls are authorised as the action they read.
	"s3:ListObjects":                              "s3:ListBucket",
	"s3:ListObjectsV2":                            "s3:ListBucket",
	"s3:ListObjectVersions":                       "s3:ListBucketVersions",
	"s3:HeadBucket":                               "s3:ListBucket",
	"s3:HeadObject":                               "s3:GetObject",
	"s3:ListBuckets":                              "s3:ListAllMyBuckets",
	"s3:CopyObject":                               "s3:PutObject",
	"s3:UploadPart":                               "s3:PutObject",
	"s3:UploadPartCopy":                           "s3:PutObject",
	"s3:CreateMultipartUpload":                    "s3:PutObject",
	"s3:CompleteMultipartUpload":                  "s3:PutObject",
	"s3:ListMultipartUploads":                     "s3:ListBucketMultipartUploads",
	"s3:ListParts":                                "s3:ListMultipartUploadParts",
	"s3:DeleteObjects":                            "s3:DeleteObject",
	"s3:SelectObjectContent":                      "s3:GetObject",
	"s3:GetBucketLifecycleConfiguration":          "s3:GetLifecycleConfiguration",
	"s3:PutBucketLifecycleConfiguration":          "s3:PutLifecycleConfiguration",
	"s3:DeleteBucketLifecycle":                    "s3:PutLifecycleConfiguration",
	"s3:GetBucketEncryption":                      "s3:GetEncryptionConfiguration",
	"s3:PutBucketEncryption":                      "s3:PutEncryptionConfiguration",
	"s3:DeleteBucketEncryption":                   "s3:PutEncryptionConfiguration",
	"s3:GetBucketReplication":                     "s3:GetReplicationConfiguration",
	"s3:PutBucketReplication":                     "s3:PutReplicationConfiguration",
	"s3:GetBucketCors":                            "s3:GetBucketCORS",
	"s3:PutBucketCors":                            "s3:PutBucketCORS",
	"s3:DeleteBucketCors":                         "s3:PutBucketCORS",
	"s3:DeleteBucketPolicy":                       "s3:DeleteBucketPolicy",
	"s3:DeleteBucketTagging":                      "s3:PutBucketTagging",
	"s3:GetBucketNotificationConfiguration":       "s3:GetBucketNotification",
	"s3:PutBucketNotificationConfiguration":       "s3:PutBucketNotification",
	"s3:GetObjectLockConfiguration":               "s3:GetBucketObjectLockConfiguration",
	"s3:PutObjectLockConfiguration":               "s3:PutBucketObjectLockConfiguration",
	"s3:GetBucketAccelerateConfiguration":         "s3:GetAccelerateConfiguration",
	"s3:PutBucketAccelerateConfiguration":         "s3:PutAccelerateConfiguration",
	"s3:GetBucketMetricsConfiguration":            "s3:GetMetricsConfiguration",
	"s3:PutBucketMetricsConfiguration":            "s3:PutMetricsConfiguration",
	"s3:GetBucketInventoryConfiguration":          "s3:GetInventoryConfiguration",
	"s3:PutBucketInventoryConfiguration":          "s3:PutInventoryConfiguration",
	"s3:GetBucketAnalyticsConfiguration":          "s3:GetAnalyticsConfiguration",
	"s3:PutBucketAnalyticsConfiguration":          "s3:PutAnalyticsConfiguration",
	"s3:GetBucketIntelligentTieringConfiguration": "s3:GetIntelligentTieringConfiguration",
	"s3:PutBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
	"s3:GetPublicAccessBlock":                     "s3:GetBucketPublicAccessBlock",
	"s3:PutPublicAccessBlock":                     "s3:PutBucketPublicAccessBlock",
	"s3:DeletePublicAccessBlock":                  "s3:PutBucketPublicAccessBlock",
	"s3:GetBucketOwnershipControls":               "s3:GetBucketOwnershipControls",
	"s3:GetObjectAttributes":                      "s3:GetObjectAttributes",
	// Lambda: Invoke is the data event of InvokeFunction.
	"lambda:Invoke":                   "lambda:InvokeFunction",
	"lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
	"lambda:ListVersionsByFunction":   "lambda:ListVersionsByFunction",
	// SQS and SNS batch calls are authorised as the single call.
	"sqs:SendMessageBatch":             "sqs:SendMessage",
	"sqs:DeleteMessageBatch":           "sqs:DeleteMessage",
	"sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
	"sns:PublishBatch":                 "sns:Publish",
	// CloudWatch Logs.
	"logs:StartLiveTail": "logs:StartLiveTail",
	// STS: GetCallerIdentity needs no permission but is an action.
	"sts:GetCallerIdentity": "sts:GetCallerIdentity",
	// KMS: ReEncrypt needs both halves.
	"kms:ReEncrypt": "kms:ReEncryptFrom",
	// DynamoDB: PartiQL and transactions are authorised per statement kind.
	"dynamodb:TransactGetItems": "dynamodb:GetItem",
}

// lambdaVersioned matches Lambda's versioned CloudTrail event names:
// UpdateFunctionConfiguration20150331v2, ListFunctions20150331.
var lambdaVersioned = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([A-Za-z]+?)(20[0-9]{6})(v[0-9]+)?$`)
}) // compiled on first use: every start links this package

// ServicePrefix returns the IAM prefix of a CloudTrail eventSource
// ("s3.amazonaws.com" -> "s3"), checked against the reference.
func ServicePrefix(eventSource string) (string, error) {
	d, err := iamdata.Load()
	if err != nil {
		return "", err
	}
	src := strings.ToLower(strings.TrimSpace(eventSource))
	p, ok := eventSources[src]
	if !ok {
		host := src
		for _, suffix := range []string{".amazonaws.com.cn", ".amazonaws.com", ".api.aws"} {
			host = strings.TrimSuffix(host, suffix)
		}
		if host == src || host == "" || strings.Contains(host, ".") {
			return "", &MappingError{Service: eventSource, Err: ErrUnknownService}
		}
		p = host
	}
	if _, ok := d.Service(p); !ok {
		return "", &MappingError{Service: eventSource, Err: ErrUnknownService}
	}
	return p, nil
}

// SDKServicePrefix returns the IAM prefix of an SDK service id as CSM
// datagrams name it ("S3", "CloudWatch Logs", "Secrets Manager").
func SDKServicePrefix(serviceID string) (string, error) {
	d, err := iamdata.Load()
	if err != nil {
		return "", err
	}
	id := strings.ToLower(strings.TrimSpace(serviceID))
	p, ok := sdkServices[id]
	if !ok {
		p = strings.ReplaceAll(strings.ReplaceAll(id, " ", ""), "_", "-")
	}
	if _, ok := d.Service(p); !ok || p == "" {
		return "", &MappingError{Service: serviceID, Err: ErrUnknownService}
	}
	return p, nil
}

// MapCloudTrail returns the IAM action of a CloudTrail record's
// eventSource and eventName, or a *MappingError.
func MapCloudTrail(eventSource, eventName string) (*iamdata.Action, error) {
	p, err := ServicePrefix(eventSource)
	if err != nil {
		var me *MappingError
		if errors.As(err, &me) {
			me.Operation = eventName
		}
		return nil, err
	}
	return mapOperation(eventSource, p, eventName)
}

// MapSDK returns the IAM action of an SDK call (CSM Service and Api), or a
// *MappingError.
func MapSDK(serviceID, api string) (*iamdata.Action, error) {
	p, err := SDKServicePrefix(serviceID)
	if err != nil {
		var me *MappingError
		if errors.As(err, &me) {
			me.Operation = api
		}
		return nil, err
	}
	return mapOperation(serviceID, p, api)
}

func mapOperation(service, prefix, op string) (*iamdata.Action, error) {
	d, err := iamdata.Load()
	if err != nil {
		return nil, err
	}
	name := op
	if prefix == "lambda" {
		if m := lambdaVersioned().FindStringSubmatch(op); m != nil {
			name = m[1]
		}
	}
	tried := prefix + ":" + name
	if x, ok := exceptions[tried]; ok {
		tried = x
	}
	if strings.ContainsAny(name, "*?:") || name == "" {
		return nil, &MappingError{Service: service, Operation: op, Err: ErrUnknownAction}
	}
	a, ok := d.Action(tried)
	if !ok {
		return nil, &MappingError{Service: service, Operation: op, Tried: tried, Err: ErrUnknownAction}
	}
	return a, nil
}
