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
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
	software.sslmate.com/src/go-pkcs12 v0.6.0
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)

tool honnef.co/go/tools/cmd/staticcheck
