package signer

import "fmt"

// String names the files and the leaf, never the private key, so that a
// Material printed by mistake (%v, %+v, %s) in a log line or a test
// failure shows no secret.
func (m Material) String() string {
	subject := ""
	if m.Leaf != nil {
		subject = m.Leaf.Subject.String()
	}
	return fmt.Sprintf("signer.Material{leaf %q, %d chain certificates, %s key from %q, layout %q}",
		subject, len(m.Chain), m.Algorithm, m.PrivateKeyPath, m.Layout)
}

// GoString hides the private key (%#v).
func (m Material) GoString() string { return m.String() }

// String shows where the material is and whether a password is set, never
// the password.
func (o LoadOptions) String() string {
	pw := "no password"
	if o.Password != nil {
		pw = "password [redacted]"
	}
	return fmt.Sprintf("signer.LoadOptions{certificate %q, private key %q, intermediates %q, acme dir %q, domain %q, %s}",
		o.Certificate, o.PrivateKey, o.Intermediates, o.AcmeDir, o.Domain, pw)
}

// GoString hides the password (%#v).
func (o LoadOptions) GoString() string { return o.String() }
