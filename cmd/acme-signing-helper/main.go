// Command acme-signing-helper turns an ACME certificate into temporary AWS
// credentials through IAM Roles Anywhere. See the README for the commands.
//
// Security considerations: secrets never come from the command line (other
// users can read it): key passwords come from a file or
// ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD, TOTP keys from fingerprint
// sources or seed files, and a --private-key-password flag is refused.
// Errors and --debug logs name files, flags and fields, never the values of
// private keys, passwords, seeds or credentials. Files holding secrets are
// written 0600 (the credentials file, the cache entries and the seeds
// database atomically; the ECS token once, exclusively), and directories
// created for them 0700. stdout carries only a command's
// result (credential-process: one JSON object); everything else goes to
// stderr.
package main

import (
	"os"
	"syscall"
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		os.Exit(runLambda(os.Stdout, os.Stderr)) // detect deploy's function
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// stopSignals end serve and update normally: on Unix SIGINT (Ctrl-C) and
// SIGTERM (systemctl stop, kill); on Windows Ctrl-C or Ctrl-Break
// (os.Interrupt) and the console's close, logoff and shutdown events,
// which Go delivers as syscall.SIGTERM. The list is the same on both, so
// it is not split by platform; neither command uses SIGHUP.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
