package signer

import "strings"

// CheckDomain returns a *DomainError when domain cannot be a certificate
// name in an ACME client's directory (Locate, LocateCertificate): a path
// (with / or \) or . or .., which would lead the layout search out of the
// directory.
func CheckDomain(domain string) error {
	if strings.ContainsAny(domain, `/\`) || domain == "." || domain == ".." {
		return &DomainError{Domain: domain}
	}
	return nil
}
