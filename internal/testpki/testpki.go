// Package testpki generates throwaway ACME-like certificate hierarchies for
// tests and for the offline demo: a root, one or more intermediates and a
// leaf, RSA or ECDSA, written in the on-disk layouts of lego, certbot and
// acme.sh.
//
// Security considerations: every key made here is random, lives only in
// memory or in the directory the caller names, and must never be trusted for
// anything but a test. No key or certificate of any real CA is used.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KeyType names a key algorithm and size.
type KeyType string

// The key types testpki can generate.
const (
	RSA2048   KeyType = "rsa2048"
	RSA3072   KeyType = "rsa3072"
	RSA4096   KeyType = "rsa4096"
	RSA1024   KeyType = "rsa1024" // too small on purpose: for negative tests
	ECDSAP256 KeyType = "p256"
	ECDSAP384 KeyType = "p384"
	ECDSAP224 KeyType = "p224" // unsupported curve on purpose: for negative tests
	Ed25519   KeyType = "ed25519"
)

// NewKey generates a private key of the given type.
func NewKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case RSA1024:
		return rsa.GenerateKey(rand.Reader, 1024)
	case RSA2048, "":
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case ECDSAP224:
		return ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("testpki: unknown key type %q", kt)
}

// Authority is a CA certificate with its key.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Leaf is an end-entity certificate with its key.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
}

// NewRoot makes a self-signed root CA valid from now-1h for ten years.
func NewRoot(cn string, kt KeyType, now time.Time) (*Authority, error) {
	return newCA(cn, kt, now, 10, nil)
}

// NewIntermediate makes a CA certificate signed by a, valid from now-1h for
// five years.
func (a *Authority) NewIntermediate(cn string, kt KeyType, now time.Time) (*Authority, error) {
	return newCA(cn, kt, now, 5, a)
}

// newCA makes a CA certificate signed by parent, or self-signed when parent
// is nil.
func newCA(cn string, kt KeyType, now time.Time, years int, parent *Authority) (*Authority, error) {
	key, err := NewKey(kt)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{Country: []string{"US"}, Organization: []string{"Test ISRG"}, CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(years, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	issuerCert, issuerKey := tmpl, key
	if parent != nil {
		issuerCert, issuerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuerCert, key.Public(), issuerKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: create CA %q: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// LeafOptions describes an end-entity certificate. Zero values give an
// ACME "classic"-like certificate: CN = first DNS name, digitalSignature,
// serverAuth only, 90 days from one hour ago.
type LeafOptions struct {
	CN       string // "" with EmptySubject false: the first DNS name
	DNSNames []string
	// EmptySubject leaves the subject empty, like Let's Encrypt's
	// tlsserver and shortlived profiles.
	EmptySubject bool
	KeyType      KeyType
	// Key, when set, is used instead of generating one.
	Key       crypto.Signer
	NotBefore time.Time // zero: now - 1h
	NotAfter  time.Time // zero: NotBefore + 90 days
	IsCA      bool
	KeyUsage  x509.KeyUsage // zero: DigitalSignature
	// NoKeyUsage omits the keyUsage extension altogether.
	NoKeyUsage  bool
	ExtKeyUsage []x509.ExtKeyUsage // nil: serverAuth
	Serial      *big.Int           // nil: random
}

// IssueLeaf signs a leaf certificate with a.
func (a *Authority) IssueLeaf(o LeafOptions, now time.Time) (*Leaf, error) {
	key := o.Key
	if key == nil {
		var err error
		if key, err = NewKey(o.KeyType); err != nil {
			return nil, err
		}
	}
	sn := o.Serial
	if sn == nil {
		var err error
		if sn, err = serial(); err != nil {
			return nil, err
		}
	}
	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = now.Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.AddDate(0, 0, 90)
	}
	var subj pkix.Name
	if !o.EmptySubject {
		subj.CommonName = o.CN
		if subj.CommonName == "" && len(o.DNSNames) > 0 {
			subj.CommonName = o.DNSNames[0]
		}
	}
	ku := o.KeyUsage
	if ku == 0 && !o.NoKeyUsage {
		ku = x509.KeyUsageDigitalSignature
	}
	if o.NoKeyUsage {
		ku = 0
	}
	eku := o.ExtKeyUsage
	if eku == nil {
		eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               subj,
		DNSNames:              o.DNSNames,
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              ku,
		ExtKeyUsage:           eku,
		BasicConstraintsValid: true,
		IsCA:                  o.IsCA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: create leaf: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Leaf{Cert: cert, Key: key}, nil
}

// Options describes a whole hierarchy.
type Options struct {
	// CAKeyType is the key type of the root and intermediates (default P-384).
	CAKeyType KeyType
	// Intermediates is the number of intermediate CAs (default 1; -1 for none).
	Intermediates int
	Leaf          LeafOptions
	Now           time.Time // zero: time.Now()
}

// Hierarchy is root → intermediates → leaf. Intermediates[0] is the leaf's
// issuer (issuer first), the last one was signed by the root.
type Hierarchy struct {
	Root          *Authority
	Intermediates []*Authority
	Leaf          *Leaf
}

// New generates a hierarchy shaped like an ACME CA's.
func New(o Options) (*Hierarchy, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	caKT := o.CAKeyType
	if caKT == "" {
		caKT = ECDSAP384
	}
	n := o.Intermediates
	if n == 0 {
		n = 1
	}
	if n < 0 {
		n = 0
	}
	root, err := NewRoot("Test Root X1", caKT, now)
	if err != nil {
		return nil, err
	}
	h := &Hierarchy{Root: root}
	issuer := root
	var ints []*Authority
	for i := 0; i < n; i++ {
		ic, err := issuer.NewIntermediate(fmt.Sprintf("Test Intermediate %d", i+1), caKT, now)
		if err != nil {
			return nil, err
		}
		ints = append(ints, ic)
		issuer = ic
	}
	for i := len(ints) - 1; i >= 0; i-- {
		h.Intermediates = append(h.Intermediates, ints[i])
	}
	lo := o.Leaf
	if len(lo.DNSNames) == 0 && lo.CN == "" && !lo.EmptySubject {
		lo.DNSNames = []string{"host.example.com"}
	}
	if lo.KeyType == "" {
		lo.KeyType = ECDSAP256
	}
	if h.Leaf, err = issuer.IssueLeaf(lo, now); err != nil {
		return nil, err
	}
	return h, nil
}

// Chain returns the intermediates, issuer of the leaf first.
func (h *Hierarchy) Chain() []*x509.Certificate {
	out := make([]*x509.Certificate, 0, len(h.Intermediates))
	for _, a := range h.Intermediates {
		out = append(out, a.Cert)
	}
	return out
}

// CertPEM encodes certificates as concatenated PEM blocks.
func CertPEM(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

// KeyFormat names a private-key PEM encoding.
type KeyFormat string

// The key encodings KeyPEM writes.
const (
	PKCS8 KeyFormat = "pkcs8" // "PRIVATE KEY"
	SEC1  KeyFormat = "sec1"  // "EC PRIVATE KEY"
	PKCS1 KeyFormat = "pkcs1" // "RSA PRIVATE KEY"
)

// KeyPEM encodes a private key.
func KeyPEM(key crypto.Signer, f KeyFormat) ([]byte, error) {
	switch f {
	case PKCS8, "":
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	case SEC1:
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("testpki: SEC1 needs an ECDSA key, have %T", key)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	case PKCS1:
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("testpki: PKCS#1 needs an RSA key, have %T", key)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
	}
	return nil, fmt.Errorf("testpki: unknown key format %q", f)
}

// DefaultKeyFormat is the format an ACME client writes for this key: SEC1
// for ECDSA (lego, certbot), PKCS#1 for RSA (lego), PKCS#8 otherwise.
func DefaultKeyFormat(key crypto.Signer) KeyFormat {
	switch key.(type) {
	case *ecdsa.PrivateKey:
		return SEC1
	case *rsa.PrivateKey:
		return PKCS1
	}
	return PKCS8
}

// Files are the paths a layout writer produced.
type Files struct {
	Dir         string // the directory holding the files
	Certificate string // leaf only, or leaf + chain (lego)
	Key         string
	Chain       string // intermediates only
	FullChain   string // leaf + intermediates ("" where the layout has none)
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, mode)
}

func (h *Hierarchy) keyPEM() ([]byte, error) {
	return KeyPEM(h.Leaf.Key, DefaultKeyFormat(h.Leaf.Key))
}

func (h *Hierarchy) full() []byte {
	return CertPEM(append([]*x509.Certificate{h.Leaf.Cert}, h.Chain()...)...)
}

// LegoName is the file-name stem lego uses for a domain: "*." becomes "_.".
func LegoName(domain string) string {
	return strings.Replace(domain, "*", "_", 1)
}

// WriteLego writes lego's layout below dir: certificates/<domain>.crt (leaf
// and issuer bundle), <domain>.key, <domain>.issuer.crt.
func (h *Hierarchy) WriteLego(dir, domain string) (Files, error) {
	base := filepath.Join(dir, "certificates", LegoName(domain))
	f := Files{Dir: filepath.Dir(base), Certificate: base + ".crt", Key: base + ".key", Chain: base + ".issuer.crt", FullChain: base + ".crt"}
	key, err := h.keyPEM()
	if err != nil {
		return f, err
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{f.Certificate, h.full(), 0o644}, {f.Key, key, 0o600}, {f.Chain, CertPEM(h.Chain()...), 0o644}} {
		if err := writeFile(w.path, w.data, w.mode); err != nil {
			return f, err
		}
	}
	return f, nil
}

// WriteCertbot writes certbot's layout below dir: archive/<name>/*1.pem and
// live/<name>/{cert,chain,fullchain,privkey}.pem as relative symlinks.
func (h *Hierarchy) WriteCertbot(dir, name string) (Files, error) {
	live := filepath.Join(dir, "live", name)
	archive := filepath.Join(dir, "archive", name)
	f := Files{Dir: live, Certificate: filepath.Join(live, "cert.pem"), Key: filepath.Join(live, "privkey.pem"),
		Chain: filepath.Join(live, "chain.pem"), FullChain: filepath.Join(live, "fullchain.pem")}
	key, err := h.keyPEM()
	if err != nil {
		return f, err
	}
	if err := os.MkdirAll(live, 0o755); err != nil {
		return f, err
	}
	for _, w := range []struct {
		stem string
		data []byte
		mode os.FileMode
	}{{"cert", CertPEM(h.Leaf.Cert), 0o644}, {"chain", CertPEM(h.Chain()...), 0o644}, {"fullchain", h.full(), 0o644}, {"privkey", key, 0o600}} {
		if err := writeFile(filepath.Join(archive, w.stem+"1.pem"), w.data, w.mode); err != nil {
			return f, err
		}
		link := filepath.Join(live, w.stem+".pem")
		_ = os.Remove(link)
		if err := os.Symlink(filepath.Join("..", "..", "archive", name, w.stem+"1.pem"), link); err != nil {
			return f, err
		}
	}
	return f, nil
}

// WriteAcmeSh writes acme.sh's layout below dir: <domain>_ecc/ for ECDSA
// keys, <domain>/ otherwise, with <domain>.cer, <domain>.key, ca.cer and
// fullchain.cer.
func (h *Hierarchy) WriteAcmeSh(dir, domain string) (Files, error) {
	sub := domain
	if _, ok := h.Leaf.Key.(*ecdsa.PrivateKey); ok {
		sub += "_ecc"
	}
	d := filepath.Join(dir, sub)
	f := Files{Dir: d, Certificate: filepath.Join(d, domain+".cer"), Key: filepath.Join(d, domain+".key"),
		Chain: filepath.Join(d, "ca.cer"), FullChain: filepath.Join(d, "fullchain.cer")}
	key, err := h.keyPEM()
	if err != nil {
		return f, err
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{f.Certificate, CertPEM(h.Leaf.Cert), 0o644}, {f.Key, key, 0o600}, {f.Chain, CertPEM(h.Chain()...), 0o644}, {f.FullChain, h.full(), 0o644}} {
		if err := writeFile(w.path, w.data, w.mode); err != nil {
			return f, err
		}
	}
	return f, nil
}

// WritePlain writes leaf.pem, chain.pem (intermediates), root.pem and
// key.pem into dir, for tests that pass explicit paths.
func (h *Hierarchy) WritePlain(dir string) (Files, error) {
	f := Files{Dir: dir, Certificate: filepath.Join(dir, "leaf.pem"), Key: filepath.Join(dir, "key.pem"),
		Chain: filepath.Join(dir, "chain.pem"), FullChain: filepath.Join(dir, "fullchain.pem")}
	key, err := h.keyPEM()
	if err != nil {
		return f, err
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{f.Certificate, CertPEM(h.Leaf.Cert), 0o644}, {f.Key, key, 0o600}, {f.Chain, CertPEM(h.Chain()...), 0o644},
		{f.FullChain, h.full(), 0o644}, {filepath.Join(dir, "root.pem"), CertPEM(h.Root.Cert), 0o644}} {
		if err := writeFile(w.path, w.data, w.mode); err != nil {
			return f, err
		}
	}
	return f, nil
}
