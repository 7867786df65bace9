package signer

import "strings"

// PKCS11Error: a LoadOptions path is a PKCS#11 URI ("pkcs11:..."), which
// Load does not read (it reads files and TPM handles only).
type PKCS11Error struct {
	// Field is the LoadOptions field: "Certificate" or "PrivateKey".
	Field string
}

func (e *PKCS11Error) Error() string { return e.Field + ": PKCS#11 URIs are not supported" }

// CheckNotPKCS11 returns a *PKCS11Error for the first of certificate and key
// that is a PKCS#11 URI, nil when both are files (or empty): the check of
// Validate, SignStringOptions.Check and read-certificate-data's input.
func CheckNotPKCS11(certificate, key string) error {
	for _, f := range []struct{ field, v string }{{"Certificate", certificate}, {"PrivateKey", key}} {
		if strings.HasPrefix(f.v, "pkcs11:") {
			return &PKCS11Error{Field: f.field}
		}
	}
	return nil
}

// Validate checks which sources of o combine, before Load reads anything
// but (for a certificate without PrivateKey) the certificate file's kind:
// no PKCS#11 URI (*PKCS11Error), an ACME directory or explicit paths but
// not both (ErrSourceConflict), AcmeDir and Domain together
// (ErrAcmeDirOrDomain), a certificate (ErrNoCertificatePath) and a key
// (ErrNoPrivateKeyPath; a PKCS#12 Certificate holds its key). Load and
// Locate apply the same rules; Validate lets a caller refuse the options
// up front, before anything else is done.
func (o LoadOptions) Validate() error {
	if err := CheckNotPKCS11(o.Certificate, o.PrivateKey); err != nil {
		return err
	}
	explicit := o.Certificate != "" || o.PrivateKey != ""
	layout := o.AcmeDir != "" || o.Domain != ""
	switch {
	case explicit && layout:
		return ErrSourceConflict
	case layout && (o.AcmeDir == "" || o.Domain == ""):
		return ErrAcmeDirOrDomain
	case !layout && o.Certificate == "":
		return ErrNoCertificatePath
	case !layout && o.PrivateKey == "" && !KeyInCertificateFile(o.Certificate):
		return ErrNoPrivateKeyPath
	}
	return nil
}
