// Package lambdadetect is detect running as an AWS Lambda function: every
// IAM Roles Anywhere CreateSession is checked within seconds of the call
// instead of when someone runs detect over the archive.
//
// Function.Handle takes three kinds of events: an EventBridge event whose
// detail is a CloudTrail record ("AWS API Call via CloudTrail", source
// aws.rolesanywhere: one record, one verdict), an S3 ObjectCreated
// notification for a CloudTrail log file, and EventBridge's S3 "Object
// Created" event for one. A log file is streamed from S3 through audit's
// reader (audit.Stream on the object's body): it is never held whole in
// memory, and a truncated or corrupt object fails the invocation. Every
// verdict is logged as one JSON line (audit.JSONResult, the fields of
// detect --format json); every verdict but legit is published to an SNS
// topic as the same JSON. A code accepted for an identity is put in a
// DynamoDB table (ReplayStore, keyed by identity and code, with a TTL) with
// a conditional put, so a code accepted again from another address or
// certificate is a replay even when another invocation saw the first use.
//
// Template writes the CloudFormation stack that deploys it (detect deploy)
// and WriteZip the deployment package.
//
// Security considerations: the seeds database (TOTP keys, secrets) comes
// from one Secrets Manager secret, read once per execution environment and
// again after Config.SeedsTTL; it lives only in memory and never appears in
// errors, logs or findings. Everything fails closed: a secret that cannot
// be read or parsed, a log object that cannot be read to its end, a replay
// table or topic that cannot be reached fails the invocation (Lambda
// retries, then the event goes to the dead-letter queue), and no event is
// ever called legit without the check. The input is untrusted (anyone who
// can write to the trail bucket controls it): the reader bounds memory per
// record and reports malformed records as findings. A retried invocation
// publishes its findings again (SNS subscribers see duplicates, never a
// lost finding); it never turns its own earlier acceptance into a replay,
// since the replay table remembers the event ID. Detection is only as good
// as the delivery: EventBridge delivers CloudTrail events best effort, and
// the log files arrive about 5 to 15 minutes after the calls.
package lambdadetect
