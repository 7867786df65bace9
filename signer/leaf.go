package signer

import "crypto/x509"

// ReadLeafCertificate reads the PEM file at path as ReadCertificateFile
// does (the same errors) and returns its leaf: the first certificate that
// is not a CA certificate, so that a full chain in any order works; the
// first certificate when all are CA certificates.
func ReadLeafCertificate(path string) (*x509.Certificate, error) {
	certs, err := ReadCertificateFile(path)
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		if !c.IsCA {
			return c, nil
		}
	}
	return certs[0], nil
}
