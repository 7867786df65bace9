package signer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
)

// Layout names where Load found the files.
type Layout string

// The layouts Load knows.
const (
	LayoutExplicit Layout = "explicit" // --certificate/--private-key
	LayoutLego     Layout = "lego"     // DIR/certificates/NAME.crt, NAME.key
	LayoutCertbot  Layout = "certbot"  // DIR/live/NAME/{fullchain,cert,chain,privkey}.pem
	LayoutAcmeSh   Layout = "acme.sh"  // DIR/NAME_ecc/ or DIR/NAME/ with NAME.cer, NAME.key, ca.cer
)

// maxFileSize bounds what Load reads from a certificate or key file.
const maxFileSize = 1 << 20

// LoadOptions says where the certificate material is.
type LoadOptions struct {
	// Certificate is the leaf certificate, or a full chain with the leaf in
	// it (any order); the other certificates become the chain.
	Certificate string
	// PrivateKey is the leaf's private key (PKCS#8, SEC1, PKCS#1 or
	// encrypted PKCS#8), a TSS2 PEM key file or a TPM persistent handle
	// ("handle:0x81000001"; see tpmkey.go).
	PrivateKey string
	// Intermediates are files of CA certificates to add to the chain
	// (duplicates removed).
	Intermediates []string
	// AcmeDir and Domain find Certificate and PrivateKey (and the chain) in a
	// lego, certbot or acme.sh layout instead. They exclude Certificate and
	// PrivateKey; Intermediates are still added.
	AcmeDir string
	Domain  string
	// Password decrypts an encrypted PKCS#8 key. Load does not keep it.
	Password []byte
	// TPMDevice is the TPM of a TSS2 key file or handle:0x81... PrivateKey
	// (a tpm.Open spec; "" is /dev/tpmrm0, else /dev/tpm0).
	TPMDevice string
	// TPMKeyPassword is the TPM key's authorization value; the key keeps a
	// copy to sign with.
	TPMKeyPassword []byte
	// Now is the clock for the validity checks (nil: time.Now).
	Now func() time.Time
}

// Material is a loaded and checked certificate, chain and key.
type Material struct {
	Leaf *x509.Certificate
	// Chain holds the intermediates, the leaf's issuer first, at most 5,
	// without a self-signed root.
	Chain []*x509.Certificate
	// Key is the leaf's private key (*rsa.PrivateKey or *ecdsa.PrivateKey,
	// or a *tpm.Key that signs in the TPM).
	Key crypto.Signer
	// Algorithm is sigv4x509.AlgorithmRSA or sigv4x509.AlgorithmECDSA.
	Algorithm string
	// CertificatePath, PrivateKeyPath and IntermediatePaths are the files read.
	CertificatePath   string
	PrivateKeyPath    string
	IntermediatePaths []string
	// CertificateFileSHA256 is the SHA-256 of the certificate file's bytes
	// as read (not of the leaf alone: the file may hold the chain too). A
	// renewal changes it.
	CertificateFileSHA256 [sha256.Size]byte
	// Layout is where the files were found.
	Layout Layout
	// Warnings are problems that do not stop a session: a key file
	// readable by others (*KeyFileModeWarning), little lifetime left
	// (*ExpiryWarning), certificates not in the chain
	// (*DroppedCertificateWarning). Their String is the text to show.
	Warnings []Warning
}

// Files are the paths Load reads, as Locate resolves them.
type Files struct {
	// Layout is where the files were found.
	Layout Layout
	// Certificate is the file with the leaf (and maybe the chain).
	Certificate string
	// PrivateKey is the leaf's key file.
	PrivateKey string
	// Intermediates are the chain files: the layout's own, then
	// LoadOptions.Intermediates.
	Intermediates []string
}

// Locate resolves which files Load would read, without reading any: the
// paths given, or the first layout under AcmeDir whose certificate and key
// files exist (a few stats). It is the cheap part of Load, for callers such
// as a cache that key on the files before deciding to load them.
func Locate(o LoadOptions) (Files, error) {
	f := Files{Layout: LayoutExplicit}
	switch {
	case o.AcmeDir != "" || o.Domain != "":
		if o.Certificate != "" || o.PrivateKey != "" {
			return Files{}, ErrSourceConflict
		}
		if o.AcmeDir == "" || o.Domain == "" {
			return Files{}, ErrAcmeDirOrDomain
		}
		l, err := findLayout(o.AcmeDir, o.Domain)
		if err != nil {
			return Files{}, err
		}
		f.Layout, f.Certificate, f.PrivateKey = l.layout, l.cert, l.key
		if l.chain != "" {
			f.Intermediates = append(f.Intermediates, l.chain)
		}
	default:
		if o.Certificate == "" {
			return Files{}, ErrNoCertificatePath
		}
		f.Certificate, f.PrivateKey = o.Certificate, o.PrivateKey
		if o.PrivateKey == "" {
			if !KeyInCertificateFile(o.Certificate) {
				return Files{}, ErrNoPrivateKeyPath
			}
			f.PrivateKey = o.Certificate
		}
	}
	f.Intermediates = append(f.Intermediates, o.Intermediates...)
	return f, nil
}

// readFile reads a certificate or key file: a regular file only (a FIFO or
// a device fails at once, internal/rawfile), at most maxFileSize bytes.
func readFile(what, path string) ([]byte, error) {
	b, err := rawfile.ReadFile(path, maxFileSize)
	var tl *rawfile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &FileError{What: what, Path: path, Err: ErrFileTooLarge}
	case err != nil:
		return nil, &FileError{What: what, Path: path, Err: err}
	}
	return b, nil
}

// CertificateFileSHA256 reads the certificate file at path as Load does
// (the same size limit and errors) and returns the SHA-256 of its bytes,
// Material.CertificateFileSHA256 without parsing anything.
func CertificateFileSHA256(path string) ([sha256.Size]byte, error) {
	b, err := readFile("certificate", path)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// ReadCertificateFile reads every CERTIFICATE block of the PEM file at
// path, as Load reads certificate and chain files: the same size limit,
// a *FileError when the file cannot be read, a *CertificateError (with
// Path) when it holds no certificate or one that does not parse.
func ReadCertificateFile(path string) ([]*x509.Certificate, error) {
	b, err := readFile("certificate", path)
	if err != nil {
		return nil, err
	}
	certs, cerr := parseCertificates(b)
	if cerr != nil {
		cerr.Path = path
		return nil, cerr
	}
	return certs, nil
}

// ParseCertificates parses every PEM CERTIFICATE block of b (other blocks
// are skipped). It fails with a *CertificateError (errors.Is
// ErrNoCertificate) when there is none or one does not parse.
func ParseCertificates(b []byte) ([]*x509.Certificate, error) {
	certs, cerr := parseCertificates(b)
	if cerr != nil {
		return nil, cerr
	}
	return certs, nil
}

func parseCertificates(b []byte) ([]*x509.Certificate, *CertificateError) {
	var out []*x509.Certificate
	for n := 1; ; n++ {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, &CertificateError{Block: n, Err: err}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, &CertificateError{}
	}
	return out, nil
}

// ParsePrivateKey parses the first private key PEM block of b: PKCS#8
// "PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or
// encrypted PKCS#8 "ENCRYPTED PRIVATE KEY" (decrypted with password). It
// returns RSA and ECDSA keys only; errors never include key material or the
// password.
func ParsePrivateKey(b, password []byte) (crypto.Signer, error) {
	if isPKCS12(b) { // a .p12/.pfx file's key (pkcs12.go)
		return pkcs12Key(b, password)
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%w: no PEM private key block", ErrNoPrivateKey)
		}
		if _, enc := blk.Headers["Proc-Type"]; enc {
			return nil, fmt.Errorf("%w: legacy PEM encryption (Proc-Type header)", ErrUnsupportedEncryption)
		}
		var key any
		var err error
		switch blk.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			if len(password) == 0 {
				return nil, ErrKeyPasswordRequired
			}
			der, derr := decryptPKCS8(blk.Bytes, password)
			if derr != nil {
				return nil, derr
			}
			key, err = x509.ParsePKCS8PrivateKey(der)
			clear(der)
			if err != nil {
				// Valid padding but garbage inside: still most likely
				// the password.
				return nil, ErrKeyPassword
			}
		case "OPENSSH PRIVATE KEY":
			return nil, fmt.Errorf("%w: an OpenSSH key, not a certificate key", ErrNoPrivateKey)
		default:
			continue
		}
		if err != nil {
			// x509's messages name the structure only, never key bytes.
			return nil, fmt.Errorf("%w: %s block: %v", ErrNoPrivateKey, blk.Type, err)
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
		}
		return s, nil
	}
}

// algorithmFor maps a public key to the SigV4-X509 algorithm, or fails with
// ErrUnsupportedKey.
func algorithmFor(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 4096 {
			return "", fmt.Errorf("%w: RSA %d bits (want 2048 to 4096)", ErrUnsupportedKey, n)
		}
		return sigv4x509.AlgorithmRSA, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384():
			return sigv4x509.AlgorithmECDSA, nil
		}
		return "", fmt.Errorf("%w: ECDSA curve %s (want P-256 or P-384)", ErrUnsupportedKey, k.Curve.Params().Name)
	}
	return "", fmt.Errorf("%w: %s", ErrUnsupportedKey, keyTypeName(pub))
}

func keyTypeName(pub crypto.PublicKey) string {
	t := fmt.Sprintf("%T", pub)
	switch {
	case strings.Contains(t, "ed25519"):
		return "Ed25519"
	case strings.Contains(t, "ecdh"):
		return "X25519/ECDH"
	}
	return t
}

func samePublicKey(a, b crypto.PublicKey) bool {
	ae, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ae.Equal(b)
}

// isSelfSigned reports whether c is a self-signed certificate (a root).
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// OrderChain returns the certificates of others that link leaf to its root,
// the leaf's issuer first, without duplicates, the leaf itself or a
// self-signed root; dropped are the certificates that are not on that path.
func OrderChain(leaf *x509.Certificate, others []*x509.Certificate) (chain, dropped []*x509.Certificate) {
	seen := map[string]bool{string(leaf.Raw): true}
	var pool []*x509.Certificate
	for _, c := range others {
		if seen[string(c.Raw)] {
			continue
		}
		seen[string(c.Raw)] = true
		if isSelfSigned(c) {
			continue
		}
		pool = append(pool, c)
	}
	used := make([]bool, len(pool))
	for cur := leaf; ; {
		// Candidates are the unused certificates named as cur's issuer;
		// only when several share the name (cross-signed CAs) does the
		// signature decide, which saves a verification per link.
		var cands []int
		for i, c := range pool {
			if !used[i] && bytes.Equal(cur.RawIssuer, c.RawSubject) {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			break
		}
		next := cands[0]
		if len(cands) > 1 {
			for _, i := range cands {
				if cur.CheckSignatureFrom(pool[i]) == nil {
					next = i
					break
				}
			}
		}
		used[next] = true
		chain = append(chain, pool[next])
		cur = pool[next]
	}
	for i, c := range pool {
		if !used[i] {
			dropped = append(dropped, c)
		}
	}
	return chain, dropped
}

// layoutFiles are the files of one layout.
type layoutFiles struct {
	layout           Layout
	cert, key, chain string
}

// layoutCandidates are the places of domain's files below dir in the
// layouts of lego, certbot and acme.sh, in the order they are tried.
func layoutCandidates(dir, domain string) ([]layoutFiles, error) {
	if err := CheckDomain(domain); err != nil {
		return nil, err
	}
	legoName := strings.Replace(domain, "*", "_", 1)
	acmeName := domain
	live := filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."))
	return []layoutFiles{
		{LayoutLego, filepath.Join(dir, "certificates", legoName+".crt"), filepath.Join(dir, "certificates", legoName+".key"), ""},
		{LayoutCertbot, filepath.Join(live, "fullchain.pem"), filepath.Join(live, "privkey.pem"), ""},
		{LayoutCertbot, filepath.Join(live, "cert.pem"), filepath.Join(live, "privkey.pem"), filepath.Join(live, "chain.pem")},
		{LayoutAcmeSh, filepath.Join(dir, acmeName+"_ecc", acmeName+".cer"), filepath.Join(dir, acmeName+"_ecc", acmeName+".key"), filepath.Join(dir, acmeName+"_ecc", "ca.cer")},
		{LayoutAcmeSh, filepath.Join(dir, acmeName, acmeName+".cer"), filepath.Join(dir, acmeName, acmeName+".key"), filepath.Join(dir, acmeName, "ca.cer")},
	}, nil
}

// findLayout is the first layout of layoutCandidates whose certificate and
// key files exist.
func findLayout(dir, domain string) (layoutFiles, error) {
	candidates, err := layoutCandidates(dir, domain)
	if err != nil {
		return layoutFiles{}, err
	}
	var tried []string
	for _, c := range candidates {
		tried = append(tried, c.cert)
		if !exists(c.cert) || !exists(c.key) {
			continue
		}
		if c.chain != "" && !exists(c.chain) {
			c.chain = ""
		}
		return c, nil
	}
	return layoutFiles{}, &LayoutError{Dir: dir, Domain: domain, Tried: tried}
}

// LocateCertificate returns the certificate file of domain below dir in
// the first of the layouts Locate knows (lego, certbot's fullchain.pem then
// cert.pem, acme.sh), in the same order, without looking for the key: for
// callers that need the certificate only. Errors are a *DomainError or a
// *LayoutError.
func LocateCertificate(dir, domain string) (string, error) {
	candidates, err := layoutCandidates(dir, domain)
	if err != nil {
		return "", err
	}
	var tried []string
	for _, c := range candidates {
		tried = append(tried, c.cert)
		if exists(c.cert) {
			return c.cert, nil
		}
	}
	return "", &LayoutError{Dir: dir, Domain: domain, Tried: tried}
}

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
