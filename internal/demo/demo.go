// Package demo is the script of the offline demo ('acme-signing-helper
// demo'): a throwaway ACME-like PKI in lego's layout (internal/testpki), a
// local IAM Roles Anywhere endpoint that verifies every request (package
// emulator), the loading and signing code credential-process uses (package
// signer), a TOTP session name (package totp), the role trust policy that
// admits the session evaluated against the request the emulator accepted
// (trustpolicy.EvaluateCreateSession), and detect (package audit) over the
// emulator's CloudTrail records, which catches two impersonators. Run
// prints every step to Options.Stdout; package main keeps the flags.
//
// Security considerations: the demo makes and handles secrets (private
// keys, fingerprint contents, TOTP seeds, the secret parts of the
// credentials) and never prints them: keys and fingerprints live in a
// private temporary directory (0700, files 0600) removed at the end, the
// CloudTrail records hold none, and the credential_process output is shown
// with the secrets redacted. Options.OnSecret sees each secret so a test
// can check that none reaches the screen. Nothing leaves the machine: the
// emulator listens on 127.0.0.1 only.
package demo

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// RootFile is the name, inside Options.Dir, of the kept PKI's root CA
// certificate (PEM): the trust anchor for 'serve-emulator --anchor-cert'.
const RootFile = "root.pem"

// KeyTypes are the leaf key types the demo offers.
var KeyTypes = []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384, testpki.RSA2048, testpki.RSA3072, testpki.RSA4096}

// Options are the demo's inputs, as plain values and injected
// dependencies. Domain, KeyType and DurationSeconds are required (the
// caller validates them); the rest has defaults.
type Options struct {
	// Dir receives the throwaway PKI and is kept ("": a directory inside
	// the private temporary directory, removed at the end): the lego
	// layout and Dir/root.pem, the root CA (RootFile), so the kept PKI
	// works with 'serve-emulator --anchor-cert DIR/root.pem'.
	Dir string
	// Domain is the DNS name of the demo certificate.
	Domain string
	// KeyType is the leaf key type, one of KeyTypes.
	KeyType testpki.KeyType
	// RoleSessionName, when set, is sent instead of a TOTP code.
	RoleSessionName string
	// DurationSeconds is the session duration asked for.
	DurationSeconds int
	// NoTOTP sends no session name (the session is named after the
	// certificate serial).
	NoTOTP bool
	// Fingerprints are the fingerprint source specs whose TOTP code names
	// the session; empty: a throwaway file of random bytes, unless NoTOTP
	// or RoleSessionName. FingerprintKey is their key (nil: Run derives
	// it with DeriveKey first, so that a bad source fails before any
	// output or file).
	Fingerprints   []string
	FingerprintKey totp.Key
	// DeriveKey derives the key of fingerprint specs as credential-process
	// --fingerprint does (default: totp.DeriveKeyFromSpecs on this
	// system). The demo uses it for its throwaway fingerprint files.
	DeriveKey func(specs []string) (totp.Key, error)
	// ProgName names the command in the lines the demo prints (default
	// "acme-signing-helper").
	ProgName string
	// Stdout receives the printout.
	Stdout io.Writer
	// Logger gets the emulator's and signer's debug lines (default:
	// discard).
	Logger *slog.Logger
	// Now is the clock of the PKI, the signer and the emulator (default
	// time.Now).
	Now func() time.Time
	// CloudTrail, when set, is a file the demo writes (atomically, mode
	// 0600) at the end: the emulator's CreateSession records of the run,
	// each followed by the later calls its session made (the demo host's
	// and the impersonators'), for 'detect --activity'.
	CloudTrail string
	// TempDir is where the private temporary directory is made (default
	// os.TempDir(), that is $TMPDIR).
	TempDir string
	// Rand is the source of the throwaway fingerprints (default
	// crypto/rand.Reader).
	Rand io.Reader
	// OnCredentials sees the credentials of the demo host's session.
	OnCredentials func(signer.Credentials)
	// OnSecret sees every secret value the demo makes or receives: private
	// keys (PEM), fingerprint contents, TOTP seeds (hex), secret access
	// keys and session tokens of every session.
	OnSecret func([]byte)
}

// TOTP reports whether the session name is a TOTP code: with
// Fingerprints, or by default unless NoTOTP or RoleSessionName.
func (o Options) TOTP() bool {
	return len(o.Fingerprints) > 0 || !o.NoTOTP && o.RoleSessionName == ""
}

func (o *Options) secret(b []byte) {
	if o.OnSecret != nil && len(b) > 0 {
		o.OnSecret(b)
	}
}

func (o *Options) defaults() {
	if o.ProgName == "" {
		o.ProgName = "acme-signing-helper"
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.DeriveKey == nil {
		o.DeriveKey = func(specs []string) (totp.Key, error) { return totp.DeriveKeyFromSpecs(&totp.System{}, specs) }
	}
}

// PathError is a file or directory the demo could not make or write. Dir
// tells where: true for Options.Dir (the caller's directory), false for
// the private temporary directory.
type PathError struct {
	// Op says what the demo was doing, with the path where it has one:
	// "make a temporary directory", `write the lego layout in "DIR"`.
	Op  string
	Dir bool
	Err error
}

func (e *PathError) Error() string { return "demo: " + e.Op + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// DirError is Options.Dir that could not be made.
type DirError struct {
	Path string
	Err  error
}

func (e *DirError) Error() string { return fmt.Sprintf("demo: make %q: %v", e.Path, e.Err) }
func (e *DirError) Unwrap() error { return e.Err }

// CloudTrailError is a failure to write the CloudTrail file of
// Options.CloudTrail.
type CloudTrailError struct {
	Path string
	Err  error
}

func (e *CloudTrailError) Error() string {
	return fmt.Sprintf("demo: write the CloudTrail file %q: %v", e.Path, e.Err)
}
func (e *CloudTrailError) Unwrap() error { return e.Err }

// ListenError is the loopback port the emulator could not listen on.
type ListenError struct {
	Addr string
	Err  error
}

func (e *ListenError) Error() string { return "demo: listen on " + e.Addr + ": " + e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// printer writes the steps; it remembers the first write error.
type printer struct {
	w   io.Writer
	err error
	n   int
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) step(title string) {
	p.n++
	p.printf("\n%d. %s\n", p.n, title)
}

func (p *printer) field(name, format string, a ...any) {
	if name != "" {
		name += ":"
	}
	p.printf("   %-16s %s\n", name, fmt.Sprintf(format, a...))
}

// Run runs the demo and prints its steps to o.Stdout. It returns the first
// error, or the printer's first write error.
func Run(ctx context.Context, o Options) (err error) {
	o.defaults()
	if len(o.Fingerprints) > 0 && o.FingerprintKey == nil {
		k, err := o.DeriveKey(o.Fingerprints)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		o.FingerprintKey = k
	}
	start := time.Now()
	now := o.Now()
	p := &printer{w: o.Stdout}

	// The private directory (0700, removed at the end) holds the
	// throwaway fingerprints, the impersonators and the CloudTrail file;
	// the PKI too unless Dir is given.
	work, err := os.MkdirTemp(o.TempDir, "acme-signing-helper-demo-")
	if err != nil {
		return &PathError{Op: "make a temporary directory", Err: err}
	}
	defer os.RemoveAll(work)
	dir := o.Dir
	if dir == "" {
		dir = filepath.Join(work, "lego")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &DirError{Path: dir, Err: err}
	}
	t := &totpStep{o: &o}
	if o.TOTP() && len(o.Fingerprints) == 0 {
		if err := t.makeThrowaway(work, "fingerprint"); err != nil {
			return err
		}
	}
	p.printf("acme-signing-helper demo: an offline CreateSession round trip; nothing leaves this machine.\n")

	// 1. The PKI.
	// P-256 CAs: the chain is verified once per session (three of them)
	// and P-384 would double the demo's CPU time for nothing it shows.
	h, err := testpki.New(testpki.Options{Now: now, CAKeyType: testpki.ECDSAP256, Leaf: testpki.LeafOptions{DNSNames: []string{o.Domain}, KeyType: o.KeyType}})
	if err != nil {
		return fmt.Errorf("demo: generate the throwaway PKI: %w", err)
	}
	files, err := h.WriteLego(dir, o.Domain)
	if err != nil {
		return &PathError{Op: fmt.Sprintf("write the lego layout in %q", dir), Dir: o.Dir != "", Err: err}
	}
	if keyPEM, err := os.ReadFile(files.Key); err == nil {
		o.secret(keyPEM)
	}
	rootFile := ""
	if o.Dir != "" {
		rootFile = filepath.Join(dir, RootFile)
		if err := os.WriteFile(rootFile, testpki.CertPEM(h.Root.Cert), 0o644); err != nil {
			return &PathError{Op: fmt.Sprintf("write the root CA %q", rootFile), Dir: true, Err: err}
		}
	}
	p.step("A throwaway ACME-like PKI (internal/testpki), written in lego's layout")
	p.field("root", "%s  (the trust anchor)", h.Root.Cert.Subject)
	for _, ic := range h.Intermediates {
		p.field("intermediate", "%s", ic.Cert.Subject)
	}
	leaf := h.Leaf.Cert
	p.field("leaf subject", "%s", leaf.Subject)
	p.field("leaf issuer", "%s", leaf.Issuer)
	p.field("leaf SAN", "DNS:%s", strings.Join(leaf.DNSNames, ", DNS:"))
	p.field("leaf serial", "%s (hex) = %s (decimal)", emulator.DefaultSessionName(leaf), leaf.SerialNumber)
	p.field("leaf key", "%s", keyDescription(leaf))
	p.field("validity", "%s to %s", leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	p.field("files", "%s", files.Certificate)
	p.field("", "%s (mode 0600)", files.Key)
	p.field("", "%s", files.Chain)
	if rootFile != "" {
		p.field("", "%s (the root CA, for serve-emulator --anchor-cert)", rootFile)
	}

	// 2. Loading, as credential-process --acme-dir does.
	m, err := signer.Load(signer.LoadOptions{AcmeDir: dir, Domain: o.Domain, Now: o.Now})
	if err != nil {
		return fmt.Errorf("demo: load the demo certificate: %w", err)
	}
	p.step(fmt.Sprintf("Loading it like 'credential-process --acme-dir %s --domain %s'", dir, o.Domain))
	p.field("layout found", "%s", m.Layout)
	p.field("certificate", "%s", m.CertificatePath)
	p.field("private key", "%s (signs with %s)", m.PrivateKeyPath, m.Algorithm)
	p.field("chain sent", "%d certificate(s), the leaf's issuer first", len(m.Chain))
	for i, c := range m.Chain {
		p.field(fmt.Sprintf("  chain[%d]", i), "%s", c.Subject)
	}
	for _, w := range m.Warnings {
		p.field("warning", "%s", w)
	}

	// 3. The emulator, appending its CloudTrail records to a file in the
	// private directory, the file detect reads later.
	ctPath := filepath.Join(work, "cloudtrail.json")
	ct, err := os.OpenFile(ctPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return &PathError{Op: fmt.Sprintf("write the CloudTrail records %q", ctPath), Err: err}
	}
	defer ct.Close()
	emCfg := emulator.Config{
		AnchorCerts: []*x509.Certificate{h.Root.Cert},
		Now:         o.Now,
		CloudTrail:  ct,
		Logger:      o.Logger,
	}
	if o.TOTP() {
		emCfg.SessionNamePattern = regexp.MustCompile(sessionNamePattern)
	}
	em, err := emulator.New(emCfg)
	if err != nil {
		return fmt.Errorf("demo: start the emulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return &ListenError{Addr: "127.0.0.1", Err: err}
	}
	hs := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelDebug)}
	go func() { _ = hs.Serve(ln) }()
	defer func() {
		em.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}()
	url := "http://" + ln.Addr().String()
	region, account := em.Region(), emulator.DefaultAccountID
	cfg := signer.Config{
		TrustAnchorARN:  emulator.DefaultTrustAnchorARN(region, account),
		ProfileARN:      emulator.DefaultProfileARN(region, account),
		RoleARN:         emulator.DefaultRoleARN(region, account),
		Endpoint:        url,
		DurationSeconds: o.DurationSeconds,
		Now:             o.Now,
		Logger:          o.Logger,
		Timeout:         10 * time.Second,
	}
	p.step("A local IAM Roles Anywhere endpoint (the emulator), verifying every request")
	p.field("endpoint", "%s", url)
	p.field("trusts", "%s", h.Root.Cert.Subject)
	p.field("trust anchor", "%s", cfg.TrustAnchorARN)
	p.field("profile", "%s", cfg.ProfileARN)
	p.field("role", "%s", cfg.RoleARN)
	if o.TOTP() {
		p.field("session names", "must match %s, as a trust policy's sts:RoleSessionName \"??????\" demands", sessionNamePattern)
	}

	// 4. The session name.
	p.step("The session name")
	host := t.sessionName(p, &cfg, leaf)

	// 5. CreateSession.
	creds, err := signer.CreateSession(ctx, m, cfg)
	if err != nil {
		return fmt.Errorf("demo: CreateSession against the emulator: %w", err)
	}
	if o.OnCredentials != nil {
		o.OnCredentials(creds)
	}
	o.secret([]byte(creds.SecretAccessKey))
	o.secret([]byte(creds.SessionToken))
	host.report(p)
	p.step("The signed CreateSession request, as the emulator received and verified it")
	acc, ok := em.LastAccepted()
	printRequest(p, acc, ok)

	// 6. The CloudTrail record.
	p.step("The emulator's CloudTrail record (what 'detect' reads; no secrets in it)")
	if err := printRecord(p, ctPath); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	// 7. The credential_process output.
	out, err := creds.ProcessJSON()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	p.step("credential_process output, as the AWS CLI and SDKs would read it (secrets redacted here)")
	red, err := redactProcessJSON(out)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	p.printf("   %s\n", red)

	// 8.-11. Trust policy, detect, impersonators, detect again.
	l := &loop{ctx: ctx, o: &o, p: p, t: t, work: work, h: h, files: files, cfg: cfg, ctPath: ctPath, em: em, host: host}
	if err := l.run(); err != nil {
		return err
	}
	if o.CloudTrail != "" {
		if err := writeCloudTrail(o.CloudTrail, ctPath); err != nil {
			return err
		}
		p.field("CloudTrail", "%s (the records of the run and the sessions' later calls, for 'detect --activity')", o.CloudTrail)
	}

	fingerprint := ""
	if o.TOTP() {
		fingerprint = " --fingerprint file:/opt/monkey.jpg"
	}
	p.printf("\nDone in %d ms. With your own certificate, point credential-process at a real trust anchor:\n", time.Since(start).Milliseconds())
	p.printf("   [profile acme]\n   credential_process = %s credential-process --acme-dir /etc/lego --domain %s%s --trust-anchor-arn ARN --profile-arn ARN --role-arn ARN\n", o.ProgName, o.Domain, fingerprint)
	anchor := "YOUR-CA.pem"
	if rootFile != "" {
		anchor = rootFile
	}
	p.printf("or try it offline against '%s serve-emulator --anchor-cert %s'.\n", o.ProgName, anchor)
	return p.err
}

func keyDescription(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen())
	}
	return fmt.Sprintf("%T", c.PublicKey)
}

// shorten cuts long values (certificates) for the screen.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s... (%d characters)", s[:n], len(s))
}

// printRequest shows the request the emulator accepted, with the
// canonical request and string to sign it verified the signature over.
func printRequest(p *printer, a emulator.Accepted, ok bool) {
	if !ok {
		p.field("request", "none captured")
		return
	}
	auth := a.Authorization
	p.field("request", "%s %s", a.Method, a.Path)
	p.field("query", "profileArn, roleArn, trustAnchorArn (sorted, RFC 3986 escaped)")
	p.field("body", "%s", a.Body)
	p.printf("   canonical request (long header values shortened here):\n")
	for _, line := range strings.Split(a.CanonicalRequest, "\n") {
		p.printf("      %s\n", shorten(line, 100))
	}
	p.printf("   string to sign (signed with the leaf's private key):\n")
	for _, line := range strings.Split(a.StringToSign, "\n") {
		p.printf("      %s\n", line)
	}
	p.field("Authorization", "%s Credential=%s/%s,", auth.Algorithm, auth.Serial, auth.Scope)
	p.field("", "SignedHeaders=%s,", strings.Join(auth.SignedHeaders, ";"))
	p.field("", "Signature=%s", shorten(auth.Signature, 24))
	p.field("verified", "date within 5 minutes, signature with the leaf's public key, chain to the anchor, ARNs, body")
}

// printRecord pretty-prints the CloudTrail JSON line(s) of the file at
// path, the certificate shortened. The emulator wrote each record before
// it answered, so the file holds the record of every call made so far.
func printRecord(p *printer, path string) error {
	lines, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the emulator's CloudTrail record: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
		var rec emulator.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return fmt.Errorf("read the emulator's CloudTrail record: %w", err)
		}
		rec.RequestParameters.Cert = shorten(rec.RequestParameters.Cert, 40)
		b, err := json.MarshalIndent(rec, "   ", "  ")
		if err != nil {
			return fmt.Errorf("encode the CloudTrail record: %w", err)
		}
		p.printf("   %s\n", b)
	}
	return nil
}

// redactProcessJSON replaces the secret access key and session token.
func redactProcessJSON(out []byte) (string, error) {
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		return "", fmt.Errorf("read the credential_process output: %w", err)
	}
	for _, k := range []string{"SecretAccessKey", "SessionToken"} {
		if _, ok := doc[k]; !ok {
			return "", errors.New("credential_process output lacks " + k)
		}
		doc[k] = "REDACTED"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Keep the documented key order for the screen.
	ordered := []string{"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
	buf.WriteByte('{')
	for i, k := range ordered {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		if err := enc.Encode(doc[k]); err != nil {
			return "", err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	buf.WriteByte('}')
	return buf.String(), nil
}
