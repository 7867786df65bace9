package totp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// ErrNoIdentity is returned by CertificateIdentity for a certificate with
// neither a subject CN nor a SAN DNS name.
var ErrNoIdentity = errors.New("neither a subject CN nor a SAN DNS name to enroll")

// CertificateIdentity is the seeds-database identity of a workload's
// certificate: "CN=<cn>", as the seed's env-sha1sum-db.json and
// CloudTrail's x509Subject write it, else its first SAN DNS name.
func CertificateIdentity(c *x509.Certificate) (string, error) {
	if cn := c.Subject.CommonName; cn != "" {
		return "CN=" + cn, nil
	}
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0], nil
	}
	return "", ErrNoIdentity
}

// SessionName is the role session name of a workload that signs its
// CreateSession request at signingTime: the TOTP code of k with digits
// digits (6, 7 or 8; 0 means 6), as the seeds' gen-creds.sh passes
// `oathtool --totp KEY` as the session name. The name is a secret until
// used: it is the code.
func SessionName(k Key, signingTime time.Time, digits int) (string, error) {
	code, err := Code(k, signingTime, Options{Digits: digits})
	if err != nil {
		return "", fmt.Errorf("totp session name: %w", err)
	}
	return code, nil
}
