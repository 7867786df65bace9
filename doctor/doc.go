// Package doctor is the preflight checklist of an acme-signing-helper
// setup: it runs signer's checks of the certificate material (through
// signer.Inspect, reading their typed outcomes in signer's order) and its
// own (the key file's permissions, the chain against trust anchors, the
// extended key usage, the ARNs and regions, the stability of the
// fingerprint sources, the clock against the endpoint's Date header, and
// optionally a real CreateSession), and returns a Report. Run prints
// nothing; Report.WriteText and Report.WriteJSON print the report.
//
// A check's Fix is the doctor's own advice where it needs no words of the
// caller. Where the fix depends on how the caller names its inputs (a
// command-line flag), the check carries the error instead (Check.Err: a
// signer, totp or doctor error to match with errors.Is/As) and the caller
// words the fix.
//
// # Security considerations
//
// The report never holds secrets: the private key is loaded by signer and
// only described (type, serial), the key password is read through the
// caller's function and cleared after use, fingerprint sources are read
// twice and compared in constant time, and neither the derived TOTP key
// nor a session name appears in a check. With Inputs.Call, Run makes a
// real CreateSession call and so gets real temporary credentials: only
// their access key ID and expiry are reported. The Let's Encrypt roots
// that verify a Let's Encrypt chain when no anchors are given are embedded
// in the package (ISRG Root X1 and X2, pinned by their SHA-256 in a test).
package doctor
