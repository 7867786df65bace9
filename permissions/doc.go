// Package permissions writes least-privilege permissions policies for the
// role a Roles Anywhere workload assumes, from what the workload really
// does: the later calls of the role's sessions in CloudTrail (Generate)
// and the client-side monitoring (CSM) datagrams SDKs send for each API
// call (Listener, Record).
//
// Each call becomes an IAM action: CloudTrail's eventSource (or the SDK's
// service id) gives the service prefix and eventName (or the operation)
// the action, through a table of the known exceptions (S3 ListObjectsV2 is
// s3:ListBucket, HeadObject s3:GetObject, ListBuckets s3:ListAllMyBuckets,
// Lambda's versioned event names, batch operations). Every result is
// checked against the IAM reference (internal/iamdata): a call that maps
// to no action of the reference is reported as unmapped, never written as
// a guess. Resources are taken from the records (S3 buckets and objects,
// DynamoDB tables, SQS queues, SNS topics, KMS keys, Secrets Manager
// secrets, SSM parameters, CloudWatch Logs groups and streams, Lambda
// functions) and written in the reference's ARN formats, many S3 objects
// collapsed under their common prefix; elsewhere the statement says "*"
// and the report says why. Calls refused with AccessDenied are listed in
// the report, not granted.
//
// Security considerations: the input is untrusted (anyone who can write to
// the log bucket, or any local process that can send UDP datagrams to the
// listener), so the result is a proposal to review, not a policy to apply
// blindly: a forged record adds a permission. Records and datagrams are
// bounded in size, malformed ones are counted and skipped, the CSM
// listener binds to loopback only and bounds its rate. A generated policy
// grants what was used during the observed window only: calls the
// workload makes rarely (yearly rotations, error paths) are missing until
// they are observed. Neither CloudTrail nor CSM carries secrets into the
// result: CSM datagrams hold an access key id, which is dropped; request
// parameters are read for resource names only. Record runs a command
// the caller names, with the caller's environment; when the command gets
// credentials from a credential_process, the AWS config file naming it is
// 0600 in a 0700 temporary directory, removed when Record returns, and
// holds the process's arguments only (never a key or password).
//
// Results print as the policy document, a CloudFormation template or one
// JSON object with the report (Result.Render, Write, WriteFile); the
// report reads as text with Report.WriteText, and detect's flagged
// sessions with their later calls with WriteActivity.
package permissions
