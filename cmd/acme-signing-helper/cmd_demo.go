package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
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
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const demoUsage = `usage: acme-signing-helper demo [flags]

An offline round trip, step by step, with nothing but this binary: a
throwaway ACME-like PKI in lego's layout, a local IAM Roles Anywhere
endpoint that verifies the request (the emulator), and the same loading
and signing code credential-process uses. By default the session name is
the TOTP code of a throwaway fingerprint file (--fingerprint names real
sources, --no-totp turns it off). Then the role trust policy that admits
the session is evaluated against it, and detect checks the CloudTrail
record, and catches two impersonators. Secrets (keys, seeds, fingerprint
contents, the secret parts of the credentials) are never shown. Nothing
leaves this machine.

flags:
`

type demoOptions struct {
	dir             string
	domain          string
	keyType         string
	roleSessionName string
	duration        int
	totp            demoTOTPOptions // --fingerprint, --no-totp: cmd_totp_demo.go
	hooks           demoHooks
}

// demoHooks let tests see the secrets the demo handles, to check that
// none of them reaches the screen.
type demoHooks struct {
	// onCredentials sees the credentials of the demo host's session.
	onCredentials func(signer.Credentials)
	// onSecret sees every secret value the demo makes or receives: private
	// keys (PEM), fingerprint contents, TOTP seeds (hex), secret access
	// keys and session tokens of every session.
	onSecret func([]byte)
}

func (h demoHooks) secret(b []byte) {
	if h.onSecret != nil && len(b) > 0 {
		h.onSecret(b)
	}
}

var demoKeyTypes = []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384, testpki.RSA2048, testpki.RSA3072, testpki.RSA4096}

func (o *demoOptions) validate() error {
	ok := false
	for _, k := range demoKeyTypes {
		ok = ok || string(k) == o.keyType
	}
	if !ok {
		return usageErrorf("use one of p256, p384, rsa2048, rsa3072, rsa4096", "demo: --key-type %q is not supported", o.keyType)
	}
	if o.domain == "" || strings.ContainsAny(o.domain, "/\\ ") {
		return usageErrorf("give --domain a DNS name such as host.example.com", "demo: --domain %q is not a DNS name", o.domain)
	}
	if o.duration < signer.MinDurationSeconds || o.duration > signer.MaxDurationSeconds {
		return usageErrorf("give --session-duration between 900 and 43200 seconds", "demo: --session-duration %d is out of range", o.duration)
	}
	return o.totp.validate(o.roleSessionName)
}

func runDemo(e *env, args []string) error {
	return runDemoWith(e, args, demoHooks{})
}

func runDemoWith(e *env, args []string, hooks demoHooks) error {
	o := demoOptions{hooks: hooks}
	fs := newFlagSet(e, "demo", "")
	fs.Usage = func() { fmt.Fprint(e.stdout, demoUsage+fs.FlagUsages()) }
	fs.StringVar(&o.dir, "dir", "", "write the throwaway PKI into `DIR` and keep it (default: a temporary directory, removed at the end)")
	fs.StringVar(&o.domain, "domain", "host.example.com", "DNS `NAME` of the demo certificate")
	fs.StringVar(&o.keyType, "key-type", string(testpki.ECDSAP256), "leaf key `TYPE`: p256, p384, rsa2048, rsa3072 or rsa4096")
	fs.StringVar(&o.roleSessionName, "role-session-name", "", "ask for this session `NAME` instead of a TOTP code")
	fs.IntVar(&o.duration, "session-duration", signer.DefaultDurationSeconds, "session duration in `SECONDS` (900 to 43200)")
	fs.StringArrayVar(&o.totp.fingerprints, "fingerprint", nil, demoFingerprintUsage)
	fs.BoolVar(&o.totp.noTOTP, "no-totp", false, "send no session name: Roles Anywhere names the session after the certificate serial")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("demo takes flags only", "demo: unexpected argument %q", fs.Arg(0))
	}
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.totp.prepare(e); err != nil {
		return err
	}
	return demo(e, o)
}

// demoPrinter writes the steps; it remembers the first write error.
type demoPrinter struct {
	w   io.Writer
	err error
	n   int
}

func (p *demoPrinter) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *demoPrinter) step(title string) {
	p.n++
	p.printf("\n%d. %s\n", p.n, title)
}

func (p *demoPrinter) field(name, format string, a ...any) {
	if name != "" {
		name += ":"
	}
	p.printf("   %-16s %s\n", name, fmt.Sprintf(format, a...))
}

func demo(e *env, o demoOptions) (err error) {
	start := time.Now()
	now := e.now()
	p := &demoPrinter{w: e.stdout}

	// The private directory (0700, removed at the end) holds the
	// throwaway fingerprints, the impersonators and the CloudTrail file;
	// the PKI too unless --dir is given.
	work, err := os.MkdirTemp("", "acme-signing-helper-demo-")
	if err != nil {
		return withHint(fmt.Errorf("demo: make a temporary directory: %w", err), "set TMPDIR to a writable directory")
	}
	defer os.RemoveAll(work)
	dir := o.dir
	if dir == "" {
		dir = filepath.Join(work, "lego")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return withHint(fmt.Errorf("demo: --dir: %w", err), "pass --dir a directory you can write to")
	}
	useTOTP := o.totp.enabled(o.roleSessionName)
	if useTOTP && len(o.totp.fingerprints) == 0 {
		if err := o.totp.makeThrowaway(e, work, "fingerprint", o.hooks.secret); err != nil {
			return err
		}
	}
	p.printf("acme-signing-helper demo: an offline CreateSession round trip; nothing leaves this machine.\n")

	// 1. The PKI.
	// P-256 CAs: the chain is verified once per session (three of them)
	// and P-384 would double the demo's CPU time for nothing it shows.
	h, err := testpki.New(testpki.Options{Now: now, CAKeyType: testpki.ECDSAP256, Leaf: testpki.LeafOptions{DNSNames: []string{o.domain}, KeyType: testpki.KeyType(o.keyType)}})
	if err != nil {
		return fmt.Errorf("demo: generate the throwaway PKI: %w", err)
	}
	files, err := h.WriteLego(dir, o.domain)
	if err != nil {
		return withHint(fmt.Errorf("demo: write the lego layout in %q: %w", dir, err), "pass --dir a directory you can write to")
	}
	if keyPEM, err := os.ReadFile(files.Key); err == nil {
		o.hooks.secret(keyPEM)
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

	// 2. Loading, as credential-process --acme-dir does.
	m, err := signer.Load(signer.LoadOptions{AcmeDir: dir, Domain: o.domain, Now: e.now})
	if err != nil {
		return fmt.Errorf("demo: load the demo certificate: %w", err)
	}
	p.step(fmt.Sprintf("Loading it like 'credential-process --acme-dir %s --domain %s'", dir, o.domain))
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

	// 3. The emulator.
	var ct syncBuffer
	auth := &demoAuthorizations{}
	emCfg := emulator.Config{
		AnchorCerts: []*x509.Certificate{h.Root.Cert},
		Now:         e.now,
		CloudTrail:  &ct,
		Logger:      e.log,
		Authorize:   auth.authorize,
	}
	if useTOTP {
		emCfg.SessionNamePattern = regexp.MustCompile(demoSessionNamePattern)
	}
	em, err := emulator.New(emCfg)
	if err != nil {
		return fmt.Errorf("demo: start the emulator: %w", err)
	}
	capture := &demoCapture{next: em}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return withHint(fmt.Errorf("demo: listen on 127.0.0.1: %w", err), "the demo needs a loopback TCP port")
	}
	hs := &http.Server{Handler: capture, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelDebug)}
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
		DurationSeconds: o.duration,
		Now:             e.now,
		Logger:          e.log,
		Timeout:         10 * time.Second,
	}
	p.step("A local IAM Roles Anywhere endpoint (the emulator), verifying every request")
	p.field("endpoint", "%s", url)
	p.field("trusts", "%s", h.Root.Cert.Subject)
	p.field("trust anchor", "%s", cfg.TrustAnchorARN)
	p.field("profile", "%s", cfg.ProfileARN)
	p.field("role", "%s", cfg.RoleARN)
	if useTOTP {
		p.field("session names", "must match %s, as a trust policy's sts:RoleSessionName \"??????\" demands", demoSessionNamePattern)
	}

	// 4. The session name.
	p.step("The session name")
	totpDemo := demoTOTPSessionName(p, o, &cfg, leaf)

	// 5. CreateSession.
	creds, err := signer.CreateSession(e.ctx, m, cfg)
	if err != nil {
		return fmt.Errorf("demo: CreateSession against the emulator: %w", err)
	}
	if o.hooks.onCredentials != nil {
		o.hooks.onCredentials(creds)
	}
	o.hooks.secret([]byte(creds.SecretAccessKey))
	o.hooks.secret([]byte(creds.SessionToken))
	totpDemo.report(p)
	p.step("The signed CreateSession request, as the emulator received and verified it")
	capture.print(p)

	// 6. The CloudTrail record.
	p.step("The emulator's CloudTrail record (what 'detect' reads; no secrets in it)")
	if err := printDemoRecord(p, ct.String()); err != nil {
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
	loop := &demoLoop{e: e, p: p, o: o, work: work, h: h, files: files, cfg: cfg, ct: &ct, auth: auth, hostTOTP: totpDemo}
	if err := loop.run(); err != nil {
		return err
	}

	fingerprint := ""
	if useTOTP {
		fingerprint = " --fingerprint file:/opt/monkey.jpg"
	}
	p.printf("\nDone in %d ms. With your own certificate, point credential-process at a real trust anchor:\n", time.Since(start).Milliseconds())
	p.printf("   [profile acme]\n   credential_process = %s credential-process --acme-dir /etc/lego --domain %s%s --trust-anchor-arn ARN --profile-arn ARN --role-arn ARN\n", progName, o.domain, fingerprint)
	p.printf("or try it offline against 'acme-signing-helper serve-emulator --anchor-cert YOUR-CA.pem'.\n")
	return p.err
}

// demoSessionName explains (and sets) the session name of a demo call
// without TOTP (--no-totp or --role-session-name); demoTOTPSessionName
// handles the TOTP case.
func demoSessionName(p *demoPrinter, o demoOptions, cfg *signer.Config, leaf *x509.Certificate) {
	if o.roleSessionName != "" {
		cfg.RoleSessionName = o.roleSessionName
		p.field("requested", "%s (sent as roleSessionName; the profile must accept it)", o.roleSessionName)
		return
	}
	p.field("requested", "none")
	p.field("so the session", "is named after the certificate serial in hex: %s", emulator.DefaultSessionName(leaf))
	p.field("TOTP", "off (--no-totp); without it the demo names the session with a TOTP code, as credential-process --fingerprint does")
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

// syncBuffer is a bytes.Buffer safe for concurrent writers and readers
// (the emulator's goroutines, tests reading a running command's output).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// demoCapture keeps a copy of the last request the emulator received.
type demoCapture struct {
	next http.Handler
	mu   sync.Mutex
	req  *http.Request
	body []byte
}

func (d *demoCapture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, emulator.MaxBodyBytes+1))
	if err == nil {
		d.mu.Lock()
		d.req, d.body = r.Clone(context.Background()), body
		d.mu.Unlock()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	d.next.ServeHTTP(w, r)
}

// shorten cuts long values (certificates) for the screen.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s... (%d characters)", s[:n], len(s))
}

// print shows the request the way the emulator rebuilt it for verification.
func (d *demoCapture) print(p *demoPrinter) {
	d.mu.Lock()
	r, body := d.req, d.body
	d.mu.Unlock()
	if r == nil {
		p.field("request", "none captured")
		return
	}
	auth, err := sigv4x509.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		p.field("Authorization", "unparseable: %v", err)
		return
	}
	h := http.Header{}
	for _, n := range auth.SignedHeaders {
		if n != "host" {
			h[http.CanonicalHeaderKey(n)] = r.Header.Values(n)
		}
	}
	canonical, _ := sigv4x509.CanonicalRequest(r.Method, r.URL.EscapedPath(), r.URL.Query(), h, r.Host, sigv4x509.HashHex(body))
	p.field("request", "%s %s", r.Method, r.URL.Path)
	p.field("query", "profileArn, roleArn, trustAnchorArn (sorted, RFC 3986 escaped)")
	p.field("body", "%s", body)
	p.printf("   canonical request (long header values shortened here):\n")
	for _, line := range strings.Split(canonical, "\n") {
		p.printf("      %s\n", shorten(line, 100))
	}
	date, _ := time.Parse(sigv4x509.TimeFormat, r.Header.Get(sigv4x509.HeaderDate))
	sts := sigv4x509.StringToSign(auth.Algorithm, date, auth.Scope, canonical)
	p.printf("   string to sign (signed with the leaf's private key):\n")
	for _, line := range strings.Split(sts, "\n") {
		p.printf("      %s\n", line)
	}
	p.field("Authorization", "%s Credential=%s/%s,", auth.Algorithm, auth.Serial, auth.Scope)
	p.field("", "SignedHeaders=%s,", strings.Join(auth.SignedHeaders, ";"))
	p.field("", "Signature=%s", shorten(auth.Signature, 24))
	p.field("verified", "date within 5 minutes, signature with the leaf's public key, chain to the anchor, ARNs, body")
}

// printDemoRecord pretty-prints the CloudTrail JSON line(s), the
// certificate shortened.
func printDemoRecord(p *demoPrinter, lines string) error {
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
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
