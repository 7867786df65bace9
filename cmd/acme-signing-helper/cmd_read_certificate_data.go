package main

import (
	"encoding/json"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/dropin"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const readCertificateDataHelp = `[flags]

Print what the official helper's read-certificate-data prints for a
certificate file, as one JSON object: keyType, certificateData,
serialNumber and supportedAlgorithms (a diagnostic). A PKCS#12 file's
password comes from --private-key-password-file or
ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD.
`

// readCertificateDataUnsupported are the official read-certificate-data
// flags for certificate stores and PKCS#11.
var readCertificateDataUnsupported = []string{"cert-selector", "system-store-name", "pkcs11-lib"}

func runReadCertificateData(e *env, args []string) error {
	var certificate, passwordFile string
	fs := newFlagSet(e, "read-certificate-data", readCertificateDataHelp)
	fs.StringVar(&certificate, "certificate", "", "certificate `FILE` (PEM, or PKCS#12)")
	fs.StringVar(&passwordFile, "private-key-password-file", "", "read a PKCS#12 file's password from `FILE` (or set "+envKeyPassword+")")
	dropin.AddUnsupported(fs, groupUnsupported, readCertificateDataUnsupported...)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("read-certificate-data takes flags only", "read-certificate-data: unexpected argument %q", fs.Arg(0))
	}
	for _, err := range []error{dropin.RefuseUnsupported(dropin.ChangedUnsupported(fs)), signer.CheckNotPKCS11(certificate, "")} {
		if err != nil {
			return credsUsage("read-certificate-data", err)
		}
	}
	if certificate == "" {
		return usageErrorf("pass --certificate FILE", "read-certificate-data: --certificate is required")
	}
	password, err := readPassword(e, "private-key-password-file", passwordFile, envKeyPassword)
	if err != nil {
		return err
	}
	d, err := signer.ReadCertificateData(certificate, password)
	clear(password)
	if err != nil {
		return err
	}
	out, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("read-certificate-data: encode: %w", err)
	}
	// No line break: the official helper writes none.
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("write certificate data to stdout: %w", err)
	}
	return nil
}
