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
	"io"
	"io/fs"
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
	// encrypted PKCS#8).
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
	// Now is the clock for the validity checks (nil: time.Now).
	Now func() time.Time
}

// Material is a loaded and checked certificate, chain and key.
type Material struct {
	Leaf *x509.Certificate
	// Chain holds the intermediates, the leaf's issuer first, at most 5,
	// without a self-signed root.
	Chain []*x509.Certificate
	// Key is the leaf's private key (*rsa.PrivateKey or *ecdsa.PrivateKey).
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
	// Warnings are problems that do not stop a session: little lifetime
	// left, a key file readable by others, certificates not in the chain.
	Warnings []string
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
			return Files{}, newError("--acme-dir/--domain and --certificate/--private-key exclude each other", "use either --acme-dir DIR --domain NAME or --certificate FILE --private-key FILE")
		}
		if o.AcmeDir == "" || o.Domain == "" {
			return Files{}, newError("--acme-dir and --domain go together", "pass both --acme-dir DIR and --domain NAME")
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
			return Files{}, newError("no certificate given", "pass --certificate FILE (or --acme-dir DIR --domain NAME)")
		}
		if o.PrivateKey == "" {
			return Files{}, newError("no private key given", "pass --private-key FILE (or --acme-dir DIR --domain NAME)")
		}
		f.Certificate, f.PrivateKey = o.Certificate, o.PrivateKey
	}
	f.Intermediates = append(f.Intermediates, o.Intermediates...)
	return f, nil
}

// Load reads and checks certificate material. Every error names the file
// and wraps one of the package's Err* values.
func Load(o LoadOptions) (*Material, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	files, err := Locate(o)
	if err != nil {
		return nil, err
	}
	m := &Material{Layout: files.Layout, CertificatePath: files.Certificate, PrivateKeyPath: files.PrivateKey, IntermediatePaths: files.Intermediates}
	chainFiles := files.Intermediates

	certPEM, err := readFile("certificate", m.CertificatePath)
	if err != nil {
		return nil, err
	}
	m.CertificateFileSHA256 = sha256.Sum256(certPEM)
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("certificate %q: %w", m.CertificatePath, err)
	}
	keyPEM, err := readFile("private key", m.PrivateKeyPath)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(keyPEM, o.Password)
	clear(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("private key %q: %w", m.PrivateKeyPath, err)
	}
	if m.Algorithm, err = algorithmFor(key.Public()); err != nil {
		return nil, fmt.Errorf("private key %q: %w", m.PrivateKeyPath, err)
	}
	m.Key = key
	if w := keyFileWarning(m.PrivateKeyPath); w != "" {
		m.Warnings = append(m.Warnings, w)
	}

	// The leaf is the certificate of the key, wherever it is in the file;
	// without a match, the first one (and the mismatch is reported).
	leafIdx := 0
	for i, c := range certs {
		if samePublicKey(c.PublicKey, key.Public()) {
			leafIdx = i
			break
		}
	}
	m.Leaf = certs[leafIdx]
	others := make([]*x509.Certificate, 0, len(certs))
	others = append(others, certs[:leafIdx]...)
	others = append(others, certs[leafIdx+1:]...)
	for _, p := range chainFiles {
		cs, err := readCertificates(p)
		if err != nil {
			return nil, err
		}
		others = append(others, cs...)
	}
	if err := checkLeaf(m.Leaf, key, m.CertificatePath, m.PrivateKeyPath, now()); err != nil {
		return nil, err
	}
	if w := lifetimeWarning(m.Leaf, now()); w != "" {
		m.Warnings = append(m.Warnings, w)
	}
	chain, dropped := OrderChain(m.Leaf, others)
	for _, c := range dropped {
		m.Warnings = append(m.Warnings, fmt.Sprintf("certificate %q does not chain to the leaf; not sent", c.Subject.String()))
	}
	if len(chain) > sigv4x509.MaxChain {
		return nil, fmt.Errorf("%w: %d after the leaf in %s", ErrChainTooLong, len(chain), strings.Join(append([]string{m.CertificatePath}, chainFiles...), ", "))
	}
	m.Chain = chain
	return m, nil
}

func readFile(what, path string) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, &Error{msg: fmt.Sprintf("read %s: %v", what, err), hint: fileHint(what, err)}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{msg: fmt.Sprintf("read %s %q: %v", what, path, err), hint: fileHint(what, err)}
	}
	if len(b) > maxFileSize {
		return nil, &Error{msg: fmt.Sprintf("read %s %q: larger than %d bytes", what, path, maxFileSize), hint: "point at the PEM file, not an archive or directory"}
	}
	return b, nil
}

// openFile is os.Open without the runtime's network poller: os.Open
// registers every file with it, which the first time in a process costs
// several system calls (epoll_create1, eventfd2, epoll_ctl), and regular
// files never block. A cache hit of credential-process reads its files
// this way and never starts the poller.
func openFile(path string) (*os.File, error) {
	return rawfile.Open(path)
}

func fileHint(what string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "check the " + what + " path; with an ACME client's files use --acme-dir DIR --domain NAME"
	case errors.Is(err, fs.ErrPermission):
		return "run as the user that owns the " + what + " file or grant read access (for certbot: the live/ and archive/ directories)"
	}
	return "check the " + what + " path"
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

// readCertificates reads every CERTIFICATE block of a PEM file.
func readCertificates(path string) ([]*x509.Certificate, error) {
	b, err := readFile("certificate", path)
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("certificate %q: %w", path, err)
	}
	return certs, nil
}

// ParseCertificates parses every PEM CERTIFICATE block of b (other blocks
// are skipped). It fails with ErrNoCertificate when there is none or one
// does not parse.
func ParseCertificates(b []byte) ([]*x509.Certificate, error) {
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
			return nil, fmt.Errorf("%w: PEM block %d: %v", ErrNoCertificate, n, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PEM CERTIFICATE block", ErrNoCertificate)
	}
	return out, nil
}

// ParsePrivateKey parses the first private key PEM block of b: PKCS#8
// "PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or
// encrypted PKCS#8 "ENCRYPTED PRIVATE KEY" (decrypted with password). It
// returns RSA and ECDSA keys only; errors never include key material or the
// password.
func ParsePrivateKey(b, password []byte) (crypto.Signer, error) {
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

// checkLeaf runs the checks that need no network: key type, key match, CA,
// subject, key usage, validity.
func checkLeaf(leaf *x509.Certificate, key crypto.Signer, certPath, keyPath string, now time.Time) error {
	if !samePublicKey(leaf.PublicKey, key.Public()) {
		return fmt.Errorf("%w: certificate %q (serial %s) and key %q", ErrKeyMismatch, certPath, leaf.SerialNumber, keyPath)
	}
	if _, err := algorithmFor(leaf.PublicKey); err != nil {
		return fmt.Errorf("certificate %q: %w", certPath, err)
	}
	if leaf.IsCA {
		return fmt.Errorf("%w: %q (%s)", ErrLeafIsCA, certPath, leaf.Subject)
	}
	if len(leaf.Subject.Names) == 0 {
		return fmt.Errorf("%w: %q (DNS names %s)", ErrEmptySubject, certPath, strings.Join(leaf.DNSNames, ", "))
	}
	if leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return fmt.Errorf("%w: %q", ErrNoDigitalSignature, certPath)
	}
	if now.After(leaf.NotAfter) {
		return fmt.Errorf("%w: %q expired on %s (now %s)", ErrExpired, certPath, leaf.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("%w: %q is valid from %s (now %s)", ErrNotYetValid, certPath, leaf.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

func lifetimeWarning(leaf *x509.Certificate, now time.Time) string {
	return LifetimeWarning(leaf.NotBefore, leaf.NotAfter, now)
}

// LifetimeWarning is Load's warning for a certificate valid from notBefore
// to notAfter that has less than a third of its lifetime left at now, ""
// otherwise. A cache that recorded the validity uses it to warn as Load
// would without parsing the certificate again.
func LifetimeWarning(notBefore, notAfter, now time.Time) string {
	life := notAfter.Sub(notBefore)
	left := notAfter.Sub(now)
	if left*3 < life {
		return fmt.Sprintf("certificate expires %s (%s left, less than a third of its lifetime): check that renewal runs",
			notAfter.UTC().Format(time.RFC3339), left.Round(time.Minute))
	}
	return ""
}

func keyFileWarning(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return KeyFileWarning(path, st.Mode())
}

// KeyFileWarning is Load's warning for a private key file at path with
// mode that group or others can read, "" otherwise.
func KeyFileWarning(path string, mode fs.FileMode) string {
	if mode.Perm()&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("private key %q is readable by group or others (mode %04o): chmod 600 it", path, mode.Perm())
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

// findLayout looks for domain's files below dir in the layouts of lego,
// certbot and acme.sh, in that order.
func findLayout(dir, domain string) (layoutFiles, error) {
	if strings.ContainsAny(domain, `/\`) || domain == "." || domain == ".." {
		return layoutFiles{}, newError(fmt.Sprintf("--domain %q is not a certificate name", domain), "pass the domain (or certbot certificate name) without a path, e.g. --domain host.example.com")
	}
	legoName := strings.Replace(domain, "*", "_", 1)
	acmeName := domain
	candidates := []layoutFiles{
		{LayoutLego, filepath.Join(dir, "certificates", legoName+".crt"), filepath.Join(dir, "certificates", legoName+".key"), ""},
		{LayoutCertbot, filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."), "fullchain.pem"), filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."), "privkey.pem"), ""},
		{LayoutCertbot, filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."), "cert.pem"), filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."), "privkey.pem"), filepath.Join(dir, "live", strings.TrimPrefix(domain, "*."), "chain.pem")},
		{LayoutAcmeSh, filepath.Join(dir, acmeName+"_ecc", acmeName+".cer"), filepath.Join(dir, acmeName+"_ecc", acmeName+".key"), filepath.Join(dir, acmeName+"_ecc", "ca.cer")},
		{LayoutAcmeSh, filepath.Join(dir, acmeName, acmeName+".cer"), filepath.Join(dir, acmeName, acmeName+".key"), filepath.Join(dir, acmeName, "ca.cer")},
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
	return layoutFiles{}, fmt.Errorf("%w for %q in %q; tried %s", ErrLayoutNotFound, domain, dir, strings.Join(tried, ", "))
}

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
