module github.com/acme-signing-helper/acme-signing-helper

go 1.26.8

require (
	github.com/aws/aws-sdk-go-v2 v1.40.0
	github.com/aws/rolesanywhere-credential-helper v1.7.3
	github.com/aws/smithy-go v1.23.2
	github.com/foxboron/go-tpm-keyfiles v0.0.0-20250903184740-5d135037bd4d
	github.com/google/go-tpm v0.9.6
	github.com/pquerna/otp v1.5.0
	github.com/rogpeppe/go-internal v1.14.1
	github.com/spf13/pflag v1.0.10
)

require (
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	golang.org/x/crypto v0.45.0 // indirect
	golang.org/x/sys v0.38.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
