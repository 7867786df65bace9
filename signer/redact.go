package signer

import (
	"fmt"
	"regexp"
	"strings"
)

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

// redactedSessionName replaces a session name that is a TOTP code in the
// service's messages.
const redactedSessionName = "[session name redacted]"

// totpLike reports a name of 6 to 8 ASCII digits: a TOTP code.
func totpLike(name string) bool {
	if len(name) < 6 || len(name) > 8 {
		return false
	}
	return strings.Trim(name, "0123456789") == ""
}

// redactSessionName removes name from what err (an *APIError) prints: its
// Message and the SDK error's text. Only whole occurrences go (not the
// digits inside an account ID).
func redactSessionName(err error, name string) {
	ae, ok := err.(*APIError)
	if !ok {
		return
	}
	re := regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(name) + `($|[^0-9A-Za-z])`)
	ae.Message = re.ReplaceAllString(ae.Message, "${1}"+redactedSessionName+"${2}")
	if ae.Err != nil {
		ae.Err = &redactedError{err: ae.Err, re: re}
	}
}

// redactedError prints its error without the session name; errors.Is/As
// still see the original.
type redactedError struct {
	err error
	re  *regexp.Regexp
}

func (e *redactedError) Error() string {
	return e.re.ReplaceAllString(e.err.Error(), "${1}"+redactedSessionName+"${2}")
}

func (e *redactedError) Unwrap() error { return e.err }
