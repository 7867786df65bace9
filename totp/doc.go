// Package totp binds AWS sessions to the machine that asks for them: it reads
// an environment fingerprint (files, the machine ID, DMI fields, the host
// name, environment variables), derives a TOTP key from it, and computes and
// verifies RFC 6238 codes exactly as oathtool 2.6.7 does, so that the code
// can serve as the Roles Anywhere role session name and CloudTrail records
// can be checked afterwards against a seeds database.
//
// # Fingerprint sources
//
// A source is named by a spec string (see [ParseSpec]):
//
//	file:PATH     the bytes of a file (relative paths are relative to the working directory)
//	machine-id    /etc/machine-id, else /var/lib/dbus/machine-id (whitespace trimmed)
//	dmi:FIELD     /sys/class/dmi/id/FIELD, e.g. dmi:product_uuid (whitespace trimmed)
//	hostname      the kernel host name
//	env:NAME      the value of environment variable NAME
//
// A source that is missing, unreadable or empty is an error naming the
// source; it is never skipped.
//
// # Key derivation
//
// With exactly one source and that source a file, the key is SHA-1 of the
// file's bytes: `totp seed --fingerprint file:F` prints what `sha1sum F`
// prints, as the seeds' gen-creds.sh does (oathtool --totp $(sha1sum F)).
//
// Any other set of sources uses derivation "v1" (see [DeriveKey]): the specs
// are sorted, so their order on the command line does not matter, and the
// key is
//
//	SHA-1( "acme-signing-helper totp fingerprint v1\n"
//	       || uint32be(n)
//	       || for each spec in sorted order:
//	            uint32be(len(spec)) || spec || SHA-256(value) )
//
// where spec is the canonical spec text (see [Spec.String]) and value the
// bytes read from the source. The key is 20 bytes, printed as 40 lower-case
// hex digits, which oathtool accepts as a hex key.
//
// # Codes and verification
//
// [Code] computes the code for a time with github.com/pquerna/otp: 30-second
// steps from the Unix epoch, 6 (default), 7 or 8 digits with leading zeros,
// HMAC-SHA1 (default), HMAC-SHA256 or HMAC-SHA512. [Verify] mirrors
// `oathtool --totp --window N --now T KEY CODE`: it tries steps c, c+1, c-1,
// c+2, c-2, ... up to c±N with c = floor(T/30), the code's length (6..8)
// sets the digits, and the matched absolute offset is returned.
// [SeedScriptPolicy] is the seeds' mismatch-detection rule, for
// [VerifyWithPolicy].
//
// # Security considerations
//
// The code binds credentials to what the machine can read: anyone who can
// read the same fingerprint sources (or the seed) can compute the same codes.
// It is not a second factor against an attacker with the same files; it
// detects a certificate used from a machine that lacks them. The seed is the
// SHA-1 of the file (or of the sources), not the sources themselves, but for
// low-entropy sources (a host name, a machine ID) an attacker who learns the
// seed can confirm guesses; choose at least one source with real entropy.
//
// Keys, seeds, fingerprint values and codes are secrets: [Key] prints as
// "[redacted]" with %v and %s, and no error of this package contains a
// source's value, a key or a code. Errors name the source (its spec), the
// file or the field instead. Seed files and the seeds database must not be
// writable by group or others ([CheckSecretFile]; on Windows the mode bits
// do not describe the file's ACL, so this is not checked and [ModeChecked]
// is false for callers to say so); [SeedDB.WriteFile] writes mode 0600
// atomically (temporary file and rename). [Enroll] adds a workload to the
// seeds database under its [CertificateIdentity].
package totp
