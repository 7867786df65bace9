package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// The end of the demo's product loop, with the real packages: the role
// trust policy that admits the demo's session (trustpolicy.Role, evaluated
// with trustpolicy.Evaluate against the request the emulator accepted),
// detect (package audit) over the emulator's CloudTrail with a seeds
// database made the way 'totp enroll' makes it, and two impersonators that
// detect catches.

// demoTOTPDigits is the length of the demo's TOTP session names, what the
// generated trust policy's sts:RoleSessionName "??????" admits.
const demoTOTPDigits = 6

// demoSessionNamePattern is what the emulator requires of a TOTP session
// name in the demo, as the generated trust policy would.
const demoSessionNamePattern = `^[0-9]{6}$`

// demoAuthorizations records what the emulator's Authorize hook saw of
// every request that passed its checks, in order: the request context the
// trust policy step evaluates.
type demoAuthorizations struct {
	mu  sync.Mutex
	ins []emulator.AuthorizeInput
}

func (a *demoAuthorizations) authorize(in emulator.AuthorizeInput) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ins = append(a.ins, in)
	return nil
}

// last returns the last request accepted; ok is false when there is none.
func (a *demoAuthorizations) last() (in emulator.AuthorizeInput, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.ins) == 0 {
		return in, false
	}
	return a.ins[len(a.ins)-1], true
}

// demoLoop holds what the last steps need of the demo so far.
type demoLoop struct {
	e        *env
	p        *demoPrinter
	o        demoOptions
	work     string // the demo's private temporary directory (0700)
	h        *testpki.Hierarchy
	files    testpki.Files // the demo host's lego files
	cfg      signer.Config // the demo host's CreateSession call
	ct       *syncBuffer
	auth     *demoAuthorizations
	hostTOTP *demoTOTP // nil without TOTP
	enrolled string    // the seeds-database identity of the demo host
}

// run prints the trust policy, detect and impersonator steps.
func (l *demoLoop) run() error {
	policy, err := l.trustPolicyStep()
	if err != nil {
		return err
	}
	db, err := l.seedsDB()
	if err != nil {
		return err
	}
	title := "'detect' over the emulator's CloudTrail record, with a seeds database made like 'totp enroll'"
	if l.hostTOTP == nil {
		title = "'detect' over the emulator's CloudTrail record"
	}
	if err := l.detectStep(title, db, true); err != nil {
		return err
	}
	if l.hostTOTP == nil {
		l.p.field("next", "run the demo without --no-totp or --role-session-name to see TOTP session names, detect say legit and catch impersonators")
		return nil
	}
	if err := l.impersonatorsStep(policy); err != nil {
		return err
	}
	return l.detectStep("'detect' again, over the CloudTrail records of all three sessions", db, false)
}

// trustPolicyStep builds the role trust policy for the demo's identity and
// evaluates the accepted request against it.
func (l *demoLoop) trustPolicyStep() (*trustpolicy.Policy, error) {
	digits := 0
	if l.hostTOTP != nil {
		digits = demoTOTPDigits
	}
	leaf := l.h.Leaf.Cert
	workload := leaf.Subject.CommonName
	policy, err := trustpolicy.Role(trustpolicy.RoleOptions{
		TrustAnchorARNs: []string{l.cfg.TrustAnchorARN},
		Workloads:       []string{workload},
		TOTPDigits:      digits,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: build the trust policy for %q: %w", workload, err)
	}
	in, ok := l.auth.last()
	if !ok {
		return nil, fmt.Errorf("demo: the emulator recorded no accepted request")
	}
	p := l.p
	p.step("The role trust policy that admits this session (package trustpolicy), evaluated against the request")
	p.field("made like", "%s trust-policy role --workload %s --trust-anchor-arn %s --totp-digits %d", progName, workload, l.cfg.TrustAnchorARN, digits)
	printPolicySummary(p, policy)
	if digits == 0 {
		p.field("note", "no sts:RoleSessionName condition: without TOTP nothing ties the session to the machine")
	}
	p.field("request", "CN=%s, aws:SourceArn = the trust anchor, sts:RoleSessionName = %s", workload, in.RoleSessionName)
	allowed, err := printEvaluation(p, policy, in)
	if err != nil {
		return nil, fmt.Errorf("demo: evaluate the trust policy: %w", err)
	}
	if !allowed && !trustpolicy.TagValueOK(workload) {
		p.field("why", "the CN %q fails the STS tag pattern, so Roles Anywhere drops the tag and no trust policy can match it: use a certificate for a plain name (no '*')", workload)
	}
	return policy, nil
}

// printPolicySummary shows each statement on a few lines: effect, actions
// and conditions, sorted.
func printPolicySummary(p *demoPrinter, policy *trustpolicy.Policy) {
	for i, st := range policy.Statement {
		p.field(fmt.Sprintf("statement %d", i+1), "%s %s (Sid %s)", st.Effect, strings.Join(st.Action, ", "), st.Sid)
		ops := make([]string, 0, len(st.Condition))
		for op := range st.Condition {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			keys := make([]string, 0, len(st.Condition[op]))
			for k := range st.Condition[op] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p.field("", "  %s %s = %s", op, k, strings.Join(st.Condition[op][k], " | "))
			}
		}
	}
}

// printEvaluation evaluates CreateSession's three actions with the
// request's condition keys, as the emulator's trust policy hook does, and
// prints one line per action and the decision.
func printEvaluation(p *demoPrinter, policy *trustpolicy.Policy, in emulator.AuthorizeInput) (bool, error) {
	ctx := in.ConditionKeys()
	allowed := true
	for _, action := range trustpolicy.RolesAnywhereActions {
		d, err := trustpolicy.Evaluate(policy, trustpolicy.Request{Principal: trustpolicy.RolesAnywhereService, Action: action, Context: ctx})
		if err != nil {
			return false, err
		}
		allowed = allowed && d.Allowed
		p.field("evaluated", "%-21s %s: %s", action, d.Verdict(), d.Explain(policy))
	}
	if allowed {
		p.field("decision", "ALLOW: IAM would let this CreateSession assume the role")
	} else {
		p.field("decision", "DENY: this CreateSession would be refused")
	}
	return allowed, nil
}

// seedsDB makes the seeds database of the demo host the way 'totp enroll'
// does (identity of the certificate, hex seed, the seed's JSON format),
// prints it with the seed hidden and reads it the way detect does. Without
// TOTP it is empty.
func (l *demoLoop) seedsDB() (*audit.DB, error) {
	sdb := &totp.SeedDB{}
	if l.hostTOTP != nil {
		id, err := totp.CertificateIdentity(l.h.Leaf.Cert)
		if err != nil {
			return nil, fmt.Errorf("demo: certificate %q has %w", l.files.Certificate, err)
		}
		l.enrolled = id
		if _, err := sdb.Merge(id, l.hostTOTP.key, false); err != nil {
			return nil, fmt.Errorf("demo: seeds database: %w", err)
		}
	}
	b, err := sdb.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("demo: encode the seeds database: %w", err)
	}
	db, err := audit.ParseDB(b)
	if err != nil {
		return nil, fmt.Errorf("demo: read the seeds database: %w", err)
	}
	return db, nil
}

// detectStep writes the emulator's CloudTrail records to a file in the
// private directory and runs detect's pipeline over it, printing detect's
// text output.
func (l *demoLoop) detectStep(title string, db *audit.DB, showDB bool) error {
	p := l.p
	p.step(title)
	switch {
	case !showDB:
		p.field("seeds database", "the same: only %s is enrolled", l.enrolled)
	case db.Len() == 0:
		p.field("seeds database", "[] (no TOTP in this run, nothing to enroll)")
	default:
		p.field("seeds database", `[{"%s": "<%d hex digits: the seed, a secret, not shown>"}]`, l.enrolled, 2*len(l.hostTOTP.key))
		if l.o.totp.throwaway != "" {
			p.field("made like", "%s totp enroll --fingerprint file:FINGERPRINT --acme-dir DIR --domain %s --db seeds.json", progName, l.o.domain)
		} else {
			p.field("made like", "%s totp enroll --fingerprint %s --acme-dir DIR --domain %s --db seeds.json", progName, strings.Join(l.o.totp.fingerprints, " --fingerprint "), l.o.domain)
		}
	}
	path := filepath.Join(l.work, "cloudtrail.json")
	if err := os.WriteFile(path, []byte(l.ct.String()), 0o600); err != nil {
		return withHint(fmt.Errorf("demo: write the CloudTrail records %q: %w", path, err), "set TMPDIR to a writable directory")
	}
	rs, _, err := audit.Detect(l.e.ctx, []string{path}, audit.Options{Jobs: 1}, &audit.Checker{DB: db, Policy: totp.SeedScriptPolicy})
	if err != nil {
		return fmt.Errorf("demo: detect: %w", err)
	}
	var buf bytes.Buffer
	if err := writeText(&buf, rs); err != nil {
		return fmt.Errorf("demo: detect: %w", err)
	}
	p.printf("   detect --db seeds.json cloudtrail.json  (verdict identity time session-name source-ip [reason]):\n")
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		p.printf("      %s\n", line)
	}
	for _, r := range rs {
		p.field("verdict", "%s", demoVerdictText(r))
	}
	if audit.AllLegit(rs) {
		p.field("exit status", "0: every session is legit")
	} else {
		p.field("exit status", "1: not every session is legit")
	}
	return nil
}

// demoVerdictText explains a verdict in plain words.
func demoVerdictText(r audit.Result) string {
	switch r.Verdict {
	case audit.Legit:
		return fmt.Sprintf("%s for %s: the code is the enrolled seed's at the session's creation (oathtool offset %d)", r.Verdict, r.Identity, r.StepOffset)
	case audit.UnknownIdentity:
		return fmt.Sprintf("%s for %s: a certificate nobody enrolled", r.Verdict, r.Identity)
	case audit.Mismatch:
		return fmt.Sprintf("%s for %s: a valid certificate, but the code is not of this machine's fingerprint", r.Verdict, r.Identity)
	case audit.NoSessionName:
		return fmt.Sprintf("%s for %s: the workload did not send a TOTP code", r.Verdict, r.Identity)
	}
	return fmt.Sprintf("%s for %s", r.Verdict, r.Identity)
}

// demoImpersonator is another workload with a valid certificate of the
// demo CA and its own fingerprint.
type demoImpersonator struct {
	name      string // DNS name and CN
	dir       string // subdirectory of the private directory
	about     string
	otherName bool // a name other than the demo's
}

// impersonatorsStep makes two more CreateSession calls: a certificate for
// another name in the same domain with its own fingerprint, and a second
// certificate for the demo's own name with the wrong fingerprint.
func (l *demoLoop) impersonatorsStep(policy *trustpolicy.Policy) error {
	p := l.p
	p.step("Two impersonators: valid certificates from the same CA, their own fingerprint files")
	p.field("why it works", "an ACME CA issues any name of the domain to whoever controls its DNS; a policy on '*.%s' (as in the seeds) admits them all", demoParentDomain(l.o.domain))
	hostKey := l.hostTOTP.key
	for _, imp := range []demoImpersonator{
		{name: demoOtherName(l.o.domain), dir: "impersonator-1", about: "another name in the same domain", otherName: true},
		{name: l.o.domain, dir: "impersonator-2", about: "the same name, a new key, the wrong fingerprint"},
	} {
		code, in, err := l.impersonate(imp, hostKey)
		if err != nil {
			return err
		}
		p.field("impersonator", "%s: %s", imp.name, imp.about)
		p.field("  certificate", "serial %s, issued by %s", emulator.DefaultSessionName(in.Leaf), in.Leaf.Issuer)
		p.field("  session name", "%s: the TOTP code of its own fingerprint; the emulator accepted it (201)", code)
		d, err := evaluateCreateSession(policy, in)
		if err != nil {
			return fmt.Errorf("demo: evaluate the trust policy: %w", err)
		}
		switch {
		case d.Allowed:
			p.field("  trust policy", "ALLOW with the policy above: it cannot tell this session from the real one; only detect can")
		case imp.otherName:
			p.field("  trust policy", "DENY with the policy above (%s); a policy on '*.%s' lets it in", d.Explain(policy), demoParentDomain(l.o.domain))
		default:
			p.field("  trust policy", "DENY with the policy above (%s)", d.Explain(policy))
		}
	}
	return nil
}

// impersonate issues a certificate for imp.name from the demo's CA, writes
// it in lego's layout in the private directory, makes a fingerprint file
// and calls CreateSession with its TOTP code. For the demo's own name the
// fingerprint is drawn again, in the rare case its code would pass for the
// host's, so that the demo always shows a mismatch.
func (l *demoLoop) impersonate(imp demoImpersonator, hostKey totp.Key) (string, emulator.AuthorizeInput, error) {
	var none emulator.AuthorizeInput
	e := l.e
	dir := filepath.Join(l.work, imp.dir)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", none, withHint(fmt.Errorf("demo: make %q: %w", dir, err), "set TMPDIR to a writable directory")
	}
	issuer := l.h.Root
	if len(l.h.Intermediates) > 0 {
		issuer = l.h.Intermediates[0]
	}
	leaf, err := issuer.IssueLeaf(testpki.LeafOptions{DNSNames: []string{imp.name}, KeyType: testpki.ECDSAP256}, e.now())
	if err != nil {
		return "", none, fmt.Errorf("demo: issue the impersonator's certificate: %w", err)
	}
	hh := &testpki.Hierarchy{Root: l.h.Root, Intermediates: l.h.Intermediates, Leaf: leaf}
	files, err := hh.WriteLego(dir, imp.name)
	if err != nil {
		return "", none, fmt.Errorf("demo: write the impersonator's files in %q: %w", dir, err)
	}
	if keyPEM, err := os.ReadFile(files.Key); err == nil {
		l.o.hooks.secret(keyPEM)
	}
	m, err := signer.Load(signer.LoadOptions{AcmeDir: dir, Domain: imp.name, Now: e.now})
	if err != nil {
		return "", none, fmt.Errorf("demo: load the impersonator's certificate: %w", err)
	}
	var k totp.Key
	for attempt := 0; ; attempt++ {
		var err error
		if _, k, err = demoFingerprintFile(e, dir, fmt.Sprintf("fingerprint-%d", attempt), l.o.hooks.secret); err != nil {
			return "", none, err
		}
		if imp.name != l.o.domain || attempt >= 10 || !demoCodesCollide(k, hostKey, e.now()) {
			break
		}
	}
	d := &demoTOTP{key: k}
	cfg := l.cfg
	cfg.RoleSessionName, cfg.SessionName = "", d.sessionName
	creds, err := signer.CreateSession(e.ctx, m, cfg)
	if err != nil {
		return "", none, fmt.Errorf("demo: the impersonator's CreateSession against the emulator: %w", err)
	}
	l.o.hooks.secret([]byte(creds.SecretAccessKey))
	l.o.hooks.secret([]byte(creds.SessionToken))
	in, ok := l.auth.last()
	if !ok || !in.Leaf.Equal(leaf.Cert) {
		return "", none, fmt.Errorf("demo: the emulator did not record the impersonator's request")
	}
	code, _ := d.sent()
	return code, in, nil
}

// demoCodesCollide reports whether a code of k signed now or in the next
// step would be accepted for host under the seed script's rule (steps
// k-2..k of the event time): then the "wrong fingerprint" impersonator
// would look legit by chance (about 4 in a million).
func demoCodesCollide(k, host totp.Key, now time.Time) bool {
	s := totp.Step(now)
	accepted := map[string]bool{}
	for step := s - 2; step <= s+1; step++ {
		if c, err := totp.CodeAtStep(host, step, totp.Options{}); err == nil {
			accepted[c] = true
		}
	}
	for step := s; step <= s+1; step++ {
		if c, err := totp.CodeAtStep(k, step, totp.Options{}); err == nil && accepted[c] {
			return true
		}
	}
	return false
}

// evaluateCreateSession evaluates the three actions of CreateSession; the
// decision returned is the first denial, else the AssumeRole allow.
func evaluateCreateSession(policy *trustpolicy.Policy, in emulator.AuthorizeInput) (trustpolicy.Decision, error) {
	var allow trustpolicy.Decision
	ctx := in.ConditionKeys()
	for _, action := range trustpolicy.RolesAnywhereActions {
		d, err := trustpolicy.Evaluate(policy, trustpolicy.Request{Principal: trustpolicy.RolesAnywhereService, Action: action, Context: ctx})
		if err != nil {
			return d, err
		}
		if !d.Allowed {
			return d, nil
		}
		if action == trustpolicy.ActionAssumeRole {
			allow = d
		}
	}
	return allow, nil
}

// demoParentDomain is the domain the demo name belongs to: host.example.com
// → example.com; a name of two labels or fewer is its own domain.
func demoParentDomain(name string) string {
	name = strings.TrimPrefix(name, "*.")
	if _, rest, ok := strings.Cut(name, "."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return name
}

// demoOtherName is the impersonator's name: evil.<parent domain>, never
// the demo's own name.
func demoOtherName(name string) string {
	other := "evil." + demoParentDomain(name)
	if strings.EqualFold(other, name) {
		other = "impostor." + demoParentDomain(name)
	}
	return other
}
