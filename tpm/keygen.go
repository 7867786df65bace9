package tpm

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"

	keyfile "github.com/foxboron/go-tpm-keyfiles"
	"github.com/google/go-tpm/tpm2"
)

// KeyType is a key GenerateKey makes.
type KeyType string

// The key types of GenerateKey.
const (
	KeyECDSAP256 KeyType = "ecdsa-p256"
	KeyECDSAP384 KeyType = "ecdsa-p384"
	KeyRSA2048   KeyType = "rsa2048"
)

// KeyTypes lists the key types GenerateKey makes.
func KeyTypes() []KeyType { return []KeyType{KeyECDSAP256, KeyECDSAP384, KeyRSA2048} }

func (kt KeyType) template() (tpm2.TPMTPublic, error) {
	attrs := tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, UserWithAuth: true, SignEncrypt: true}
	ecc := func(c tpm2.TPMECCCurve) tpm2.TPMTPublic {
		return tpm2.TPMTPublic{Type: tpm2.TPMAlgECC, NameAlg: tpm2.TPMAlgSHA256, ObjectAttributes: attrs,
			Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{CurveID: c, Scheme: tpm2.TPMTECCScheme{Scheme: tpm2.TPMAlgNull}, KDF: tpm2.TPMTKDFScheme{Scheme: tpm2.TPMAlgNull}, Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull}})}
	}
	switch kt {
	case KeyECDSAP256, "":
		return ecc(tpm2.TPMECCNistP256), nil
	case KeyECDSAP384:
		return ecc(tpm2.TPMECCNistP384), nil
	case KeyRSA2048:
		return tpm2.TPMTPublic{Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256, ObjectAttributes: attrs,
			Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{KeyBits: 2048, Scheme: tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgNull}, Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull}})}, nil
	}
	return tpm2.TPMTPublic{}, fmt.Errorf("%w: key type %q (want %v)", ErrUnsupportedKey, kt, KeyTypes())
}

// GenerateKey creates a signing key of type kt in the TPM under the
// storage root key (owner hierarchy, TCG ECC P-256 H-2 template) with
// password as its authorization value (none when empty) and returns its
// TSS2 PEM key file, the form OpenSSL's tpm2 provider reads and writes.
// The private key never leaves the TPM unwrapped.
func GenerateKey(o KeyOptions, kt KeyType) ([]byte, error) {
	tmpl, err := kt.template()
	if err != nil {
		return nil, err
	}
	t, err := Open(o.Device)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	p, err := loadParent(t, o.Device, tpm2.TPMRHOwner)
	if err != nil {
		return nil, err
	}
	defer p.flush(t)
	cmd := tpm2.Create{ParentHandle: p.auth(), InPublic: tpm2.New2B(tmpl)}
	if len(o.Password) > 0 {
		cmd.InSensitive = tpm2.TPM2BSensitiveCreate{Sensitive: &tpm2.TPMSSensitiveCreate{UserAuth: tpm2.TPM2BAuth{Buffer: o.Password}}}
	}
	// The password travels encrypted (the first parameter, inSensitive).
	rsp, err := cmd.Execute(t, p.session(nil))
	if err != nil {
		return nil, &DeviceError{Device: o.Device, Op: "create key", Err: err}
	}
	kf := keyfile.NewTPMKey(keyfile.OIDLoadableKey, rsp.OutPublic, rsp.OutPrivate,
		keyfile.WithUserAuth(o.Password))
	var b bytes.Buffer
	if err := keyfile.Encode(&b, kf); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CertificateRequest returns a PEM CERTIFICATE REQUEST for domains (the
// first is the common name; all are DNS names) signed by key, for ACME
// clients that take a CSR (lego --csr, certbot certonly --csr). With a
// *Key the signature is made inside the TPM.
func CertificateRequest(key crypto.Signer, domains []string, random io.Reader) ([]byte, error) {
	if len(domains) == 0 {
		return nil, fmt.Errorf("certificate request: no domain")
	}
	if random == nil {
		random = rand.Reader
	}
	der, err := x509.CreateCertificateRequest(random, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: domains[0]},
		DNSNames: domains,
	}, key)
	if err != nil {
		return nil, fmt.Errorf("certificate request: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}
