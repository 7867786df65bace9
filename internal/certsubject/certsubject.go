// Package certsubject holds the one rule for an X.509 certificate's
// subject that several packages need: whether it is empty, as Let's
// Encrypt's tlsserver and shortlived profiles issue them. signer (a
// warning before the call), trustpolicy (no x509Subject tags) and the
// emulator (--require-subject) all ask it here, so signer and trustpolicy
// need not import each other.
//
// Security considerations: it reads the parsed certificate only; it makes
// no trust decision of its own.
package certsubject

import "crypto/x509"

// Empty reports whether cert's subject is empty: no attribute and an
// empty (or absent) RDN sequence.
func Empty(cert *x509.Certificate) bool {
	return len(cert.Subject.Names) == 0 && len(cert.RawSubject) <= 2
}
