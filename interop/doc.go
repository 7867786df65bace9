// Package interop tests acme-signing-helper against peers nobody on the
// team wrote: the official aws_signing_helper v1.7.3 (built from the Go
// module cache with cgo), AWS CLI v2 and aws-sdk-go-v2's credential_process
// provider. It is a separate module so that their heavy dependencies never
// reach the main module's go.mod.
//
// The tests build both binaries once per run (TestMain), start the
// emulator on 127.0.0.1 and never touch any other network. Every peer they
// need must be present when CI is set: a missing peer fails the run instead
// of skipping it.
//
// Security considerations: every certificate and key is generated for the
// test by internal/testpki in a t.TempDir(); the credentials are the
// emulator's random fakes; the child processes run with a scrubbed
// environment (no AWS_* variables, HOME in a temporary directory) so no real
// credential or configuration of the machine can leak into or out of a test.
package interop
