package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const doctorHelp = `
Check a setup and print a checklist, each line PASS, WARN, FAIL or SKIP with
the fix: files and layout, permissions, key match, chain (complete, ordered,
at most 5, verifying to --anchor-cert, else to the Let's Encrypt roots
shipped in this program for a Let's Encrypt chain, else to the system
roots), validity
and lifetime left, subject, extended key usage, ARNs and regions, the
fingerprint sources (read twice: same seed), the clock against the
endpoint's Date header, and with --call a real CreateSession. Exit 1 when
any check fails. Reads the same flags, ACME_SIGNING_HELPER_* variables and
--config file as credential-process, plus:
`

// letsEncryptRootsPEM are ISRG Root X1 and X2 (see the file's header).
//
//go:embed letsencrypt_roots.pem
var letsEncryptRootsPEM []byte

// letsEncryptRoots parses letsEncryptRootsPEM.
func letsEncryptRoots() ([]*x509.Certificate, error) {
	return signer.ParseCertificates(letsEncryptRootsPEM)
}

// issuedByLetsEncrypt reports whether the leaf or its chain names Let's
// Encrypt or ISRG as issuer.
func issuedByLetsEncrypt(m *signer.Material) bool {
	for _, c := range append([]*x509.Certificate{m.Leaf}, m.Chain...) {
		for _, o := range c.Issuer.Organization {
			if o == "Let's Encrypt" || o == "Internet Security Research Group" {
				return true
			}
		}
	}
	return false
}

// Check statuses.
const (
	statusPass = "PASS"
	statusWarn = "WARN"
	statusFail = "FAIL"
	statusSkip = "SKIP"
)

// doctorCheck is one line of the checklist.
type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

type doctorOptions struct {
	cp          credentialProcessOptions
	anchorCerts []string
	call        bool
	offline     bool
	format      string
	maxSkew     time.Duration
}

// doctorReport collects the checks.
type doctorReport struct {
	Checks []doctorCheck `json:"checks"`
	OK     bool          `json:"ok"`
}

func (r *doctorReport) add(name, status, detail, fix string) {
	r.Checks = append(r.Checks, doctorCheck{Name: name, Status: status, Detail: detail, Fix: fix})
}

// failFrom records err as a failure of check name, with its hint as the
// fix (or fallback).
func (r *doctorReport) failFrom(name string, err error, fallback string) {
	fix := hintOf(err)
	if fix == "" {
		fix = fallback
	}
	r.add(name, statusFail, err.Error(), fix)
}

// loadCheck maps a signer.Load error to the check it fails.
func loadCheck(err error) string {
	switch {
	case errors.Is(err, signer.ErrKeyMismatch), errors.Is(err, signer.ErrUnsupportedKey):
		return "key"
	case errors.Is(err, signer.ErrEmptySubject):
		return "subject"
	case errors.Is(err, signer.ErrExpired), errors.Is(err, signer.ErrNotYetValid):
		return "validity"
	case errors.Is(err, signer.ErrLeafIsCA), errors.Is(err, signer.ErrNoDigitalSignature):
		return "key-usage"
	case errors.Is(err, signer.ErrChainTooLong):
		return "chain"
	}
	return "files"
}

// doctorCheckOrder follows the order in which signer.Load checks.
var doctorCheckOrder = []string{"files", "permissions", "key", "subject", "key-usage", "validity", "chain", "eku", "arns", "fingerprint", "clock", "call"}

func runDoctor(e *env, args []string) error {
	if err := rejectPasswordFlag(args); err != nil {
		return err
	}
	var o doctorOptions
	fs := newFlagSet(e, "doctor", "")
	o.cp.addFlags(fs)
	fs.StringArrayVar(&o.anchorCerts, "anchor-cert", nil, "trust anchor CA certificate(s) in PEM `FILE` to verify the chain against; repeatable (default: the system roots)")
	fs.BoolVar(&o.call, "call", false, "also make a real CreateSession call")
	fs.BoolVar(&o.offline, "offline", false, "skip the checks that contact the endpoint (clock)")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	fs.DurationVar(&o.maxSkew, "max-skew", 5*time.Minute, "clock offset that fails (the service rejects about 5 minutes)")
	if err := parseFlags(e, fs, args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(e.stdout, doctorHelp)
		}
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("doctor takes flags only", "doctor: unexpected argument %q", fs.Arg(0))
	}
	if o.format != "text" && o.format != "json" {
		return usageErrorf("use --format text or --format json", "doctor: --format %q", o.format)
	}
	if o.call && o.offline {
		return usageErrorf("drop --offline to make the call", "doctor: --call and --offline exclude each other")
	}
	o.cp.collect(fs)
	rep := &doctorReport{}
	o.run(e, rep)
	rep.OK = true
	for _, c := range rep.Checks {
		if c.Status == statusFail {
			rep.OK = false
		}
	}
	if o.format == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("doctor: encode report: %w", err)
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		for _, c := range rep.Checks {
			fmt.Fprintf(&b, "%-4s  %-11s  %s\n", c.Status, c.Name, c.Detail)
			if c.Fix != "" && c.Status != statusPass {
				fmt.Fprintf(&b, "      %-11s  fix: %s\n", "", c.Fix)
			}
		}
		if rep.OK {
			b.WriteString("doctor: no failures\n")
		} else {
			b.WriteString("doctor: failures found; apply the fixes above\n")
		}
		if _, err := e.stdout.Write([]byte(b.String())); err != nil {
			return err
		}
	}
	if !rep.OK {
		return &exitError{code: 1}
	}
	return nil
}

// run fills the report. Checks that depend on a failed one are SKIPped.
func (o *doctorOptions) run(e *env, rep *doctorReport) {
	now := e.now()
	// Flag combinations are usage errors in credential-process; here they
	// are the "files" check.
	m, loadErr := o.load(e)
	done := map[string]bool{}
	if loadErr != nil {
		failed := loadCheck(loadErr)
		for _, name := range doctorCheckOrder[:8] {
			switch {
			case name == failed:
				rep.failFrom(name, loadErr, "check the --certificate/--private-key or --acme-dir/--domain flags")
			case indexOf(name) < indexOf(failed):
				rep.add(name, statusPass, "checked while loading", "")
			default:
				rep.add(name, statusSkip, "not checked: fix the failure above first", "")
			}
			done[name] = true
		}
		// The passes before the failure are implied by the order in which
		// signer.Load checks; "files" passes when later checks fail.
		if failed != "files" {
			rep.Checks[0].Detail = "certificate and key files read"
			rep.Checks[1] = o.permissionsCheck(nil)
		}
	} else {
		o.materialChecks(e, m, now, rep)
	}
	o.arnChecks(rep)
	o.fingerprintCheck(e, rep)
	o.clockCheck(e, now, rep)
	o.callCheck(e, m, rep)
}

func indexOf(name string) int {
	for i, n := range doctorCheckOrder {
		if n == name {
			return i
		}
	}
	return len(doctorCheckOrder)
}

// load reads the material as credential-process does.
func (o *doctorOptions) load(e *env) (*signer.Material, error) {
	password, err := o.cp.keyPassword(e)
	if err != nil {
		return nil, err
	}
	lo := signer.LoadOptions{Certificate: o.cp.certificate, PrivateKey: o.cp.privateKey, AcmeDir: o.cp.acmeDir, Domain: o.cp.domain, Password: password, Now: e.now}
	if o.cp.intermediates != "" {
		lo.Intermediates = []string{o.cp.intermediates}
	}
	m, err := signer.Load(lo)
	clear(password)
	return m, err
}

// permissionsCheck looks at the key file: world-readable fails,
// group-readable is the seed's scheme (the helper's group reads it).
func (o *doctorOptions) permissionsCheck(m *signer.Material) doctorCheck {
	path := o.cp.privateKey
	if m != nil {
		path = m.PrivateKeyPath
	}
	if path == "" {
		return doctorCheck{Name: "permissions", Status: statusSkip, Detail: "key file not located"}
	}
	st, err := os.Stat(path)
	if err != nil {
		return doctorCheck{Name: "permissions", Status: statusSkip, Detail: fmt.Sprintf("stat %q: %v", path, err)}
	}
	perm := st.Mode().Perm()
	switch {
	case perm&0o007 != 0:
		return doctorCheck{Name: "permissions", Status: statusFail, Detail: fmt.Sprintf("private key %q is accessible by every user (mode %04o)", path, perm),
			Fix: fmt.Sprintf("chmod o-rwx %s (and keep it readable only by the ACME client's user and the helper's group)", path)}
	case perm&0o070 != 0:
		return doctorCheck{Name: "permissions", Status: statusPass, Detail: fmt.Sprintf("private key %q mode %04o: readable by its group only (keep that group to the helper)", path, perm)}
	}
	return doctorCheck{Name: "permissions", Status: statusPass, Detail: fmt.Sprintf("private key %q mode %04o", path, perm)}
}

func doctorKeyDescription(m *signer.Material) string {
	switch k := m.Key.Public().(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	}
	return "key"
}

func (o *doctorOptions) materialChecks(e *env, m *signer.Material, now time.Time, rep *doctorReport) {
	leaf := m.Leaf
	rep.add("files", statusPass, fmt.Sprintf("%s layout: certificate %q, key %q, %d intermediate(s)", m.Layout, m.CertificatePath, m.PrivateKeyPath, len(m.Chain)), "")
	rep.Checks = append(rep.Checks, o.permissionsCheck(m))
	rep.add("key", statusPass, fmt.Sprintf("%s key matches the certificate (serial %s)", doctorKeyDescription(m), leaf.SerialNumber), "")
	rep.add("subject", statusPass, leaf.Subject.String(), "")
	rep.add("key-usage", statusPass, "end-entity certificate with digitalSignature", "")
	life, left := leaf.NotAfter.Sub(leaf.NotBefore), leaf.NotAfter.Sub(now)
	validity := fmt.Sprintf("valid until %s: %s left of %s", leaf.NotAfter.UTC().Format(time.RFC3339), days(left), days(life))
	if left*3 < life {
		rep.add("validity", statusWarn, validity+" (less than a third)", "check that renewal runs: systemctl list-timers lego-renew-cert.timer, journalctl -u lego-renew-cert")
	} else {
		rep.add("validity", statusPass, validity, "")
	}
	o.chainCheck(m, rep)
	o.ekuCheck(leaf, rep)
}

func days(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Minute).String()
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func (o *doctorOptions) chainCheck(m *signer.Material, rep *doctorReport) {
	var dropped []string
	for _, w := range m.Warnings {
		if strings.Contains(w, "does not chain to the leaf") {
			dropped = append(dropped, w)
		}
	}
	pool := x509.NewCertPool()
	for _, c := range m.Chain {
		pool.AddCert(c)
	}
	names := make([]string, 0, len(m.Chain))
	for _, c := range m.Chain {
		names = append(names, c.Subject.CommonName)
	}
	desc := fmt.Sprintf("%d intermediate(s) in order [%s]", len(m.Chain), strings.Join(names, " <- "))
	var roots *x509.CertPool
	rootsName := "--anchor-cert"
	leRoots := false
	if len(o.anchorCerts) > 0 {
		roots = x509.NewCertPool()
		for _, f := range o.anchorCerts {
			b, err := os.ReadFile(f)
			if err != nil {
				rep.add("chain", statusFail, fmt.Sprintf("read --anchor-cert %q: %v", f, err), "give --anchor-cert the PEM file of your trust anchor's CA certificate(s)")
				return
			}
			certs, err := signer.ParseCertificates(b)
			if err != nil || len(certs) == 0 {
				rep.add("chain", statusFail, fmt.Sprintf("--anchor-cert %q holds no certificate", f), "give --anchor-cert the PEM file of your trust anchor's CA certificate(s)")
				return
			}
			for _, c := range certs {
				roots.AddCert(c)
			}
		}
	} else if issuedByLetsEncrypt(m) {
		le, err := letsEncryptRoots()
		if err != nil {
			rep.add("chain", statusFail, "the Let's Encrypt roots in this program do not parse: "+err.Error(), "pass --anchor-cert FILE")
			return
		}
		roots, rootsName = x509.NewCertPool(), "the Let's Encrypt roots shipped in this program (ISRG Root X1, X2)"
		for _, c := range le {
			roots.AddCert(c)
		}
		leRoots = true
	} else if sys, err := x509.SystemCertPool(); err == nil {
		roots, rootsName = sys, "the system roots"
	}
	_, verr := m.Leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: m.Leaf.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	switch {
	case verr == nil && len(dropped) > 0:
		rep.add("chain", statusWarn, desc+" verifies to "+rootsName+"; "+strings.Join(dropped, "; "), "drop the unrelated certificates from --intermediates")
	case verr == nil:
		rep.add("chain", statusPass, desc+", verifies to "+rootsName, "")
	case leRoots:
		rep.add("chain", statusFail, desc+"; does not verify to "+rootsName+": "+verr.Error(),
			"send every intermediate: use lego's NAME.crt or certbot's fullchain.pem as --certificate, or pass the issuer bundle with --intermediates (Let's Encrypt's current intermediates chain to ISRG Root X1/X2, possibly through the Gen Y cross-signs)")
	case len(o.anchorCerts) == 0:
		rep.add("chain", statusWarn, desc+"; does not verify to the system roots (a private CA?): "+verr.Error(),
			"pass --anchor-cert FILE with the trust anchor's CA certificate to check the chain against it")
	case len(m.Chain) == 0:
		rep.add("chain", statusFail, fmt.Sprintf("no intermediates, and the issuer %q is not an --anchor-cert", m.Leaf.Issuer.CommonName),
			"IAM Roles Anywhere needs every certificate between the leaf and the trust anchor: pass --intermediates with the issuer bundle (lego NAME.issuer.crt, certbot chain.pem) or a full-chain --certificate")
	default:
		rep.add("chain", statusFail, desc+"; does not verify to --anchor-cert: "+verr.Error(),
			"the trust anchor must be the CA that issued the top of the chain: check --anchor-cert (and the trust anchor's bundle) against the issuer "+fmt.Sprintf("%q", m.Chain[len(m.Chain)-1].Issuer.CommonName)+", and that no intermediate is missing")
	}
}

func (o *doctorOptions) ekuCheck(leaf *x509.Certificate, rep *doctorReport) {
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		rep.add("eku", statusPass, "no extended key usage: any use", "")
		return
	}
	server := false
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			rep.add("eku", statusPass, "extended key usage includes TLS client authentication", "")
			return
		}
		server = server || u == x509.ExtKeyUsageServerAuth
	}
	if server {
		rep.add("eku", statusPass, "TLS server authentication only, as Let's Encrypt issues since it dropped clientAuth from the classic profile on 2026-02-11; IAM Roles Anywhere documents no EKU requirement", "")
		return
	}
	rep.add("eku", statusWarn, "extended key usage has neither TLS client nor server authentication",
		"IAM Roles Anywhere documents no EKU requirement; if CreateSession refuses the certificate, issue one with the usual TLS usages")
}

func (o *doctorOptions) arnChecks(rep *doctorReport) {
	cp := &o.cp
	for _, f := range []struct{ flag, v string }{{"trust-anchor-arn", cp.trustAnchorARN}, {"profile-arn", cp.profileARN}, {"role-arn", cp.roleARN}} {
		if f.v == "" {
			rep.add("arns", statusFail, "--"+f.flag+" is not set", "pass --trust-anchor-arn, --profile-arn and --role-arn (or set them in the --config file)")
			return
		}
	}
	cfg := cp.signerConfig()
	if err := cfg.Validate(); err != nil {
		rep.failFrom("arns", err, "copy the ARNs from the IAM Roles Anywhere console")
		return
	}
	ta, _ := arn.Parse(cp.trustAnchorARN)
	region := cp.region
	if region == "" {
		region = ta.Region
	}
	if cp.region != "" && cp.region != ta.Region {
		rep.add("arns", statusWarn, fmt.Sprintf("--region %s differs from the trust anchor's region %s", cp.region, ta.Region), "drop --region: the session is made in the trust anchor's region")
		return
	}
	rep.add("arns", statusPass, fmt.Sprintf("trust anchor, profile and role ARNs valid; region %s, partition %s", region, ta.Partition), "")
}

func (o *doctorOptions) fingerprintCheck(e *env, rep *doctorReport) {
	if !o.cp.totp.enabled() {
		rep.add("fingerprint", statusSkip, "no --fingerprint: the session name is not a TOTP code", "")
		return
	}
	k1, err := fingerprintKey(e, o.cp.totp.fingerprints)
	if err != nil {
		rep.failFrom("fingerprint", err, "make the --fingerprint sources readable by this user (see 'acme-signing-helper totp seed')")
		return
	}
	k2, err := fingerprintKey(e, o.cp.totp.fingerprints)
	if err != nil {
		rep.failFrom("fingerprint", err, "make the --fingerprint sources readable by this user")
		return
	}
	if subtle.ConstantTimeCompare(k1, k2) != 1 {
		rep.add("fingerprint", statusFail, "two reads of the fingerprint sources gave different seeds", "use sources that do not change between runs (a file, machine-id, dmi:product_uuid), not ones that change over time")
		return
	}
	rep.add("fingerprint", statusPass, fmt.Sprintf("%d source(s) readable, two reads give the same seed", len(o.cp.totp.fingerprints)), "")
}

// endpointURL is --endpoint or the regional endpoint.
func (o *doctorOptions) endpointURL() string {
	if ep := o.cp.endpoint; ep != "" {
		if !strings.Contains(ep, "://") {
			ep = "https://" + ep
		}
		return ep
	}
	region := o.cp.region
	if region == "" {
		if a, err := arn.Parse(o.cp.trustAnchorARN); err == nil {
			region = a.Region
		}
	}
	if region == "" {
		return ""
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://rolesanywhere." + region + "." + domain
}

func (o *doctorOptions) clockCheck(e *env, now time.Time, rep *doctorReport) {
	if o.offline {
		rep.add("clock", statusSkip, "--offline", "")
		return
	}
	url := o.endpointURL()
	if url == "" {
		rep.add("clock", statusSkip, "no endpoint: set the ARNs or --endpoint", "")
		return
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.cp.noVerifySSL}
	if ca := e.getenv("AWS_CA_BUNDLE"); ca != "" {
		if b, err := os.ReadFile(ca); err == nil {
			pool, _ := x509.SystemCertPool()
			if pool == nil {
				pool = x509.NewCertPool()
			}
			pool.AppendCertsFromPEM(b)
			tlsConf.RootCAs = pool
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf}}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		rep.add("clock", statusFail, fmt.Sprintf("endpoint %q: %v", url, err), "check --endpoint")
		return
	}
	t0 := e.now()
	resp, err := client.Do(req)
	if err != nil {
		rep.add("clock", statusFail, fmt.Sprintf("cannot reach %s: %v", url, err), "check network access to the endpoint (proxy: HTTPS_PROXY/NO_PROXY; private CA: AWS_CA_BUNDLE) or pass --offline")
		return
	}
	resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		rep.add("clock", statusWarn, fmt.Sprintf("%s sent no usable Date header", url), "check that --endpoint is an IAM Roles Anywhere endpoint")
		return
	}
	// The Date header has 1-second resolution; compare with the middle of
	// the round trip.
	local := t0.Add(e.now().Sub(t0) / 2)
	offset := local.Sub(date)
	abs := offset
	if abs < 0 {
		abs = -abs
	}
	detail := fmt.Sprintf("local clock %s the endpoint's Date header by %s", map[bool]string{true: "ahead of", false: "behind"}[offset >= 0], abs.Round(time.Second))
	switch {
	case abs >= o.maxSkew:
		rep.add("clock", statusFail, detail+": requests will be rejected", "synchronise the system clock (timedatectl set-ntp true; chronyc makestep)")
	case abs >= time.Minute:
		rep.add("clock", statusWarn, detail, "synchronise the system clock (timedatectl set-ntp true)")
	default:
		rep.add("clock", statusPass, detail, "")
	}
}

func (o *doctorOptions) callCheck(e *env, m *signer.Material, rep *doctorReport) {
	if !o.call {
		rep.add("call", statusSkip, "no --call: CreateSession not tried", "")
		return
	}
	if m == nil {
		rep.add("call", statusSkip, "not tried: the certificate material failed above", "")
		return
	}
	for _, c := range rep.Checks {
		if c.Name == "arns" && c.Status == statusFail {
			rep.add("call", statusSkip, "not tried: the ARNs failed above", "")
			return
		}
	}
	cfg := o.cp.signerConfig()
	cfg.Now, cfg.Logger, cfg.CABundle = e.now, e.log, e.getenv("AWS_CA_BUNDLE")
	if name, err := o.cp.totp.sessionName(e); err != nil {
		rep.failFrom("call", err, "fix the fingerprint sources")
		return
	} else if name != nil {
		cfg.SessionName = name
	}
	cr, err := signer.CreateSession(e.ctx, m, cfg)
	if err != nil {
		rep.failFrom("call", err, "run credential-process with --debug for the request details")
		return
	}
	rep.add("call", statusPass, fmt.Sprintf("CreateSession returned %s, valid until %s", cr.AccessKeyID, cr.Expiration.UTC().Format(time.RFC3339)), "")
}
