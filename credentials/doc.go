// Package credentials delivers temporary AWS credentials made by package
// signer to the programs that use them: the credential_process output
// (ProcessJSON) and the ~/.aws/config line that runs it
// (CredentialProcessLine), a cross-process cache for credential_process
// with its key (CacheKey) and its fast hit path (Cache.LookupFiles), an
// updater of the shared credentials file (~/.aws/credentials), and an HTTP
// server speaking the EC2 instance metadata (IMDSv2) and ECS
// container-credentials protocols, with its token file.
//
// Everything here is built around a Fetcher, the function that makes a new
// session (signer.CreateSession in the binary, a fake in tests), and an
// injected clock.
//
// Security considerations: every credential handled here is a secret.
// Cache entries and credentials files are written 0600, atomically (a temp
// file in the same directory, fsync, rename), and the cache refuses a
// directory that another user owns or that is group- or world-writable.
// An entry written by Cache.GetFor records the validity of the certificate
// that obtained it, and no entry is handed out outside it: cached
// credentials stop once their certificate has expired, although the cache
// never parses the certificate (CacheKey covers the certificate file's
// bytes and the key file's identity, FileIdentity; every miss loads and
// checks both). The key hashes its inputs and reveals none of them.
// Errors and log lines name access key IDs and paths, never a secret key
// or a session token. The metadata server binds to loopback by default,
// sets an IP TTL / hop limit of 1 on its sockets so that its answers cannot
// be routed off the host, refuses token requests that carry
// X-Forwarded-For (a proxy in front of it), compares the ECS authorization
// token in constant time, and after a failed refresh keeps serving only
// credentials that are still valid: it never answers "Success" with empty
// or expired credentials.
//
// Platforms: locks are flock(2) on Unix and LockFileEx on Windows. On
// Windows file modes mean nothing (ACLs decide who reads a file), so the
// owner and mode checks are skipped there; FileModesChecked is false and
// UncheckedModes gives the words for saying so. Default paths follow
// os.UserCacheDir and os.UserHomeDir (DefaultDir,
// DefaultSharedCredentialsFile).
//
// Errors carry facts (sentinels such as ErrInsecureDir, types such as
// TokenFileError and NoDefaultPathError); they name no command-line flag
// and no fix, which the command adds.
package credentials
