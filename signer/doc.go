// Package signer turns ACME certificate material into temporary AWS
// credentials through IAM Roles Anywhere.
//
// It has three parts:
//
//   - [Load] reads a certificate, its chain and its private key, either from
//     explicit paths or from the on-disk layout of an ACME client (lego,
//     certbot, acme.sh), and checks them before any network call, in the
//     order of [Checks]: the files parse, the key file is not readable by
//     others (a warning), the key is RSA 2048..4096 or ECDSA P-256/P-384 and
//     matches the certificate, the subject is not empty (a warning), the
//     certificate is not a CA, has the digitalSignature key usage and is
//     signed with SHA-256 or stronger, it is within its validity period,
//     and the chain is ordered and at most 5 long. A .p12/.pfx certificate
//     file holds the key too ([KeyInCertificateFile]).
//     [Inspect] is Load with a [LoadReport]: each check's [Outcome], the
//     failure's error, the warnings as values ([Warning]) and the dropped
//     certificates, for a caller such as a preflight checklist that shows
//     every check. [Locate], [LocateCertificate] and [ReadCertificateFile]
//     are the parts of Load that find and read files, for callers that need
//     only those.
//   - A SigV4-X509 signing middleware for the smithy stack of the
//     rolesanywhere client of github.com/aws/rolesanywhere-credential-helper:
//     it replaces the SDK's SigV4 signing (the client runs with anonymous
//     credentials) and signs every attempt with the certificate's key and an
//     injected clock.
//   - [CreateSession] calls the CreateSession operation through that client
//     (its serializers, deserializers, endpoint resolution and the SDK's
//     standard retryer) and maps API errors to an [APIError] whose Kind says
//     what went wrong. [Config.EndpointURL] and [Config.NewHTTPClient] are
//     the endpoint and the HTTP client (TLS, AWS_CA_BUNDLE, proxies,
//     NoVerifySSL) it uses, for callers that contact the same endpoint.
//
// Errors carry facts, never a fix: every error a caller may branch on is an
// exported sentinel (the Err* variables, matched with errors.Is) or an
// exported type with fields ([FileError], [CertificateError],
// [LayoutError], [DomainError], [CABundleError], [APIError], matched with
// errors.As). No message names a command-line flag; the command line words
// the fix (its "hint:" line) from these.
//
// # Security considerations
//
// The private key is read into memory only and is never logged, formatted
// into an error or written anywhere. A key password comes from the caller as
// bytes (the command line reads it from a file or an environment variable,
// never from argv) and is not retained after decryption. Session names may be
// secrets until sent (a TOTP code computed at signing time): they are never
// logged. The returned [Credentials] print only the access key ID and expiry
// through String; SecretAccessKey and SessionToken never appear in logs or
// errors. Key files readable by group or others produce a warning (on Unix;
// on Windows file modes say nothing about who can read a file, and the
// check reports OutcomeUnsupported instead of passing). TLS
// certificate verification can be turned off (NoVerifySSL) only explicitly;
// the CLI warns when it is.
package signer
