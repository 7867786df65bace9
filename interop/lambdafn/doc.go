// Package lambdafn holds the interop tests of detect's Lambda function
// (package lambdadetect, run by `acme-signing-helper` when
// AWS_LAMBDA_RUNTIME_API is set) against peers nobody here wrote: the
// official AWS Lambda runtime interface emulator (built from the module
// proxy at the version in go.mod) runs our binary as bootstrap, gofakes3
// serves the CloudTrail log objects over the S3 protocol to the unchanged
// aws-sdk-go-v2 S3 client, and loopback Secrets Manager, SNS and DynamoDB
// endpoints verify each SigV4 signature before answering in the services'
// documented shapes. Everything listens on 127.0.0.1 only.
//
// The tests also measure the function's cold start (the emulator's Init
// Duration) and per-event time, and the peak RSS of the bootstrap process
// while it streams a 200 MB gzip log object.
package lambdafn
