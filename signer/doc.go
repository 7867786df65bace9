// Package signer turns ACME certificate material into temporary AWS
// credentials through IAM Roles Anywhere.
//
// It has three parts:
//
//   - [Load] reads a certificate, its chain and its private key, either from
//     explicit paths or from the on-disk layout of an ACME client (lego,
//     certbot, acme.sh), and checks them before any network call: the key
//     matches the certificate, the certificate is within its validity period,
//     is not a CA, has a non-empty subject and the digitalSignature key usage,
//     and the key is RSA 2048..4096 or ECDSA P-256/P-384.
//   - A SigV4-X509 signing middleware for the smithy stack of the
//     rolesanywhere client of github.com/aws/rolesanywhere-credential-helper:
//     it replaces the SDK's SigV4 signing (the client runs with anonymous
//     credentials) and signs every attempt with the certificate's key and an
//     injected clock.
//   - [CreateSession] calls the CreateSession operation through that client
//     (its serializers, deserializers, endpoint resolution and the SDK's
//     standard retryer) and maps API errors to an explanation and a hint.
//
// Every error a caller may branch on is exported (see [Error] and the Err*
// variables) and carries a hint through a Hint() string method that names the
// fix; the command line prints it as a "hint:" line.
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
// errors. Key files readable by group or others produce a warning. TLS
// certificate verification can be turned off (NoVerifySSL) only explicitly;
// the CLI warns when it is.
package signer
