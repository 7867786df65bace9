package signer

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
)

// CertificateData is what the official helper's read-certificate-data
// prints as JSON, field for field: the leaf's key type ("RSA", "EC", or ""
// for others), its DER in standard base64 (the X-Amz-X509 header), its
// serial number in decimal (the Credential of the Authorization header) and
// the signing algorithms of the key type.
type CertificateData struct {
	KeyType             string   `json:"keyType"`
	CertificateData     string   `json:"certificateData"`
	SerialNumber        string   `json:"serialNumber"`
	SupportedAlgorithms []string `json:"supportedAlgorithms"`
}

// CertificateDataOf describes c as read-certificate-data does.
func CertificateDataOf(c *x509.Certificate) CertificateData {
	var kt string
	switch c.PublicKeyAlgorithm {
	case x509.RSA:
		kt = "RSA"
	case x509.ECDSA:
		kt = "EC"
	}
	algs := make([]string, len(Digests))
	for i, d := range Digests {
		algs[i] = kt + d
	}
	return CertificateData{
		KeyType:             kt,
		CertificateData:     base64.StdEncoding.EncodeToString(c.Raw),
		SerialNumber:        c.SerialNumber.String(),
		SupportedAlgorithms: algs,
	}
}

// ReadCertificateData reads the certificate file at path and describes its
// first certificate (as the official helper does) with CertificateDataOf.
// A PKCS#12 file is opened with password (nil or empty: the empty
// password) and its leaf, the certificate of its key, is described.
func ReadCertificateData(path string, password []byte) (CertificateData, error) {
	b, err := readFile("certificate", path)
	if err != nil {
		return CertificateData{}, err
	}
	certs, err := parseCertificateFile(b, password)
	if err != nil {
		return CertificateData{}, fmt.Errorf("certificate %q: %w", path, err)
	}
	return CertificateDataOf(certs[0]), nil
}
