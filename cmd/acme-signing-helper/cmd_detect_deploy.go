package main

import (
	"io"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
)

const detectDeployUsage = `usage: acme-signing-helper detect deploy --format cloudformation
       acme-signing-helper detect deploy --zip FILE [--bootstrap BINARY]

Deploy detect as an AWS Lambda function that checks every IAM Roles
Anywhere CreateSession within seconds (EventBridge) and every CloudTrail
log file as it is written (S3), publishing findings to an SNS topic.

--format cloudformation prints the stack (parameters CodeBucket, CodeKey,
TrailBucket, TrailPrefix, SeedsSecretArn, ObjectDelivery). --zip writes the
deployment package: bootstrap is this program itself (it runs as the
function when AWS_LAMBDA_RUNTIME_API is set) and must be built for
linux/arm64; give --bootstrap a cross-built binary when this one is not:

  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -o bootstrap ./cmd/acme-signing-helper
  acme-signing-helper detect deploy --zip detect.zip --bootstrap bootstrap

`

// runDetectDeploy is detect deploy: the Lambda detection stack's template
// or deployment package.
func runDetectDeploy(e *env, args []string) error {
	fs := newFlagSet(e, "detect deploy", detectDeployUsage)
	var o lambdadetect.DeployOptions
	fs.StringVar(&o.Format, "format", "", "print the stack as `FORMAT`: cloudformation")
	fs.StringVar(&o.Zip, "zip", "", "write the deployment package to `FILE`")
	fs.StringVar(&o.Bootstrap, "bootstrap", "", "package this linux/arm64 `BINARY` as bootstrap (default: the running program)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("detect deploy takes flags only", "detect deploy: unexpected argument %q", fs.Arg(0))
	}
	if err := o.Check(); err != nil {
		return settingError("detect deploy", err)
	}
	bin, n, err := o.Deploy(e.stdout)
	if err == nil && o.Zip != "" {
		e.log.Info("deployment package written", "zip", o.Zip, "bootstrap", bin, "bytes", n)
	}
	return err
}

// runLambda is the program when Lambda starts it (AWS_LAMBDA_RUNTIME_API
// set): the detection function, configured from its environment, until
// the runtime stops it. Verdicts go to stdout (one JSON line each),
// failures with their hint to stderr.
func runLambda(stdout, stderr io.Writer) int {
	f, err := lambdadetect.FromEnv(os.Getenv, stdout)
	if err != nil {
		return report(&env{stderr: stderr}, err)
	}
	lambdadetect.Start(f, stderr, hintOf)
	return 1
}
