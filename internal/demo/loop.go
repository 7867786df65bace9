package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
// with trustpolicy.EvaluateCreateSession against the request the emulator
// accepted), detect (package audit) over the emulator's CloudTrail with a
// seeds database made the way 'totp enroll' makes it, and two
// impersonators that detect catches.

// loop holds what the last steps need of the demo so far.
type loop struct {
	ctx      context.Context
	o        *Options
	p        *printer
	t        *totpStep
	work     string // the demo's private temporary directory (0700)
	h        *testpki.Hierarchy
	files    testpki.Files // the demo host's lego files
	cfg      signer.Config // the demo host's CreateSession call
	ctPath   string        // the emulator's CloudTrail records
	em       *emulator.Server
	host     *hostTOTP // nil without TOTP
	enrolled string    // the seeds-database identity of the demo host
}

// run prints the trust policy, detect and impersonator steps.
func (l *loop) run() error {
	policy, err := l.trustPolicyStep()
	if err != nil {
		return err
	}
	db, err := l.seedsDB()
	if err != nil {
		return err
	}
	title := "'detect' over the emulator's CloudTrail record, with a seeds database made like 'totp enroll'"
	if l.host == nil {
		title = "'detect' over the emulator's CloudTrail record"
	}
	if err := l.detectStep(title, db, true); err != nil {
		return err
	}
	if l.host == nil {
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
func (l *loop) trustPolicyStep() (*trustpolicy.Policy, error) {
	digits := 0
	if l.host != nil {
		digits = totpDigits
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
	acc, ok := l.em.LastAccepted()
	if !ok {
		return nil, fmt.Errorf("demo: the emulator recorded no accepted request")
	}
	in := acc.Input
	p := l.p
	p.step("The role trust policy that admits this session (package trustpolicy), evaluated against the request")
	p.field("made like", "%s trust-policy role --workload %s --trust-anchor-arn %s --totp-digits %d", l.o.ProgName, workload, l.cfg.TrustAnchorARN, digits)
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
func printPolicySummary(p *printer, policy *trustpolicy.Policy) {
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

// printEvaluation evaluates the accepted request with
// trustpolicy.EvaluateCreateSession, as the emulator's trust policy hook
// does, and prints one line per action and the decision.
func printEvaluation(p *printer, policy *trustpolicy.Policy, in emulator.AuthorizeInput) (bool, error) {
	d, err := trustpolicy.EvaluateCreateSession(policy, in.Request())
	if err != nil {
		return false, err
	}
	for _, a := range d.Actions {
		p.field("evaluated", "%-21s %s: %s", a.Action, a.Verdict(), a.Explain(policy))
	}
	allowed := d.Allowed
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
func (l *loop) seedsDB() (*audit.DB, error) {
	sdb := &totp.SeedDB{}
	if l.host != nil {
		id, err := totp.CertificateIdentity(l.h.Leaf.Cert)
		if err != nil {
			return nil, fmt.Errorf("demo: certificate %q has %w", l.files.Certificate, err)
		}
		l.enrolled = id
		if _, err := sdb.Merge(id, l.host.key, false); err != nil {
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

// detectStep runs detect's pipeline over the emulator's CloudTrail file
// in the private directory, printing detect's text output.
func (l *loop) detectStep(title string, db *audit.DB, showDB bool) error {
	p := l.p
	p.step(title)
	switch {
	case !showDB:
		p.field("seeds database", "the same: only %s is enrolled", l.enrolled)
	case db.Len() == 0:
		p.field("seeds database", "[] (no TOTP in this run, nothing to enroll)")
	default:
		p.field("seeds database", `[{"%s": "<%d hex digits: the seed, a secret, not shown>"}]`, l.enrolled, 2*len(l.host.key))
		if l.t.throwaway != "" {
			p.field("made like", "%s totp enroll --fingerprint file:FINGERPRINT --acme-dir DIR --domain %s --db seeds.json", l.o.ProgName, l.o.Domain)
		} else {
			p.field("made like", "%s totp enroll --fingerprint %s --acme-dir DIR --domain %s --db seeds.json", l.o.ProgName, strings.Join(l.o.Fingerprints, " --fingerprint "), l.o.Domain)
		}
	}
	rs, _, err := audit.Detect(l.ctx, []string{l.ctPath}, audit.Options{Jobs: 1}, &audit.Checker{DB: db, Policy: totp.SeedScriptPolicy})
	if err != nil {
		return fmt.Errorf("demo: detect: %w", err)
	}
	var buf strings.Builder
	for _, r := range rs {
		buf.WriteString(audit.TextLine(r))
	}
	p.printf("   detect --db seeds.json cloudtrail.json  (verdict identity time session-name source-ip [reason]):\n")
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		p.printf("      %s\n", line)
	}
	for _, r := range rs {
		p.field("verdict", "%s", verdictText(r))
	}
	if audit.AllLegit(rs) {
		p.field("exit status", "0: every session is legit")
	} else {
		p.field("exit status", "1: not every session is legit")
	}
	return nil
}

// verdictText explains a verdict in plain words.
func verdictText(r audit.Result) string {
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

// impersonator is another workload with a valid certificate of the
// demo CA and its own fingerprint.
type impersonator struct {
	name      string // DNS name and CN
	dir       string // subdirectory of the private directory
	about     string
	otherName bool // a name other than the demo's
}

// impersonatorsStep makes two more CreateSession calls: a certificate for
// another name in the same domain with its own fingerprint, and a second
// certificate for the demo's own name with the wrong fingerprint.
func (l *loop) impersonatorsStep(policy *trustpolicy.Policy) error {
	p := l.p
	p.step("Two impersonators: valid certificates from the same CA, their own fingerprint files")
	p.field("why it works", "an ACME CA issues any name of the domain to whoever controls its DNS; a policy on '*.%s' (as in the seeds) admits them all", parentDomain(l.o.Domain))
	hostKey := l.host.key
	for _, imp := range []impersonator{
		{name: otherName(l.o.Domain), dir: "impersonator-1", about: "another name in the same domain", otherName: true},
		{name: l.o.Domain, dir: "impersonator-2", about: "the same name, a new key, the wrong fingerprint"},
	} {
		code, in, err := l.impersonate(imp, hostKey)
		if err != nil {
			return err
		}
		p.field("impersonator", "%s: %s", imp.name, imp.about)
		p.field("  certificate", "serial %s, issued by %s", emulator.DefaultSessionName(in.Leaf), in.Leaf.Issuer)
		p.field("  session name", "%s: the TOTP code of its own fingerprint; the emulator accepted it (201)", code)
		res, err := trustpolicy.EvaluateCreateSession(policy, in.Request())
		if err != nil {
			return fmt.Errorf("demo: evaluate the trust policy: %w", err)
		}
		d := res.Deciding()
		switch {
		case d.Allowed:
			p.field("  trust policy", "ALLOW with the policy above: it cannot tell this session from the real one; only detect can")
		case imp.otherName:
			p.field("  trust policy", "DENY with the policy above (%s); a policy on '*.%s' lets it in", d.Explain(policy), parentDomain(l.o.Domain))
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
func (l *loop) impersonate(imp impersonator, hostKey totp.Key) (string, emulator.AuthorizeInput, error) {
	var none emulator.AuthorizeInput
	dir := filepath.Join(l.work, imp.dir)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", none, &PathError{Op: fmt.Sprintf("make %q", dir), Err: err}
	}
	issuer := l.h.Root
	if len(l.h.Intermediates) > 0 {
		issuer = l.h.Intermediates[0]
	}
	leaf, err := issuer.IssueLeaf(testpki.LeafOptions{DNSNames: []string{imp.name}, KeyType: testpki.ECDSAP256}, l.o.Now())
	if err != nil {
		return "", none, fmt.Errorf("demo: issue the impersonator's certificate: %w", err)
	}
	hh := &testpki.Hierarchy{Root: l.h.Root, Intermediates: l.h.Intermediates, Leaf: leaf}
	files, err := hh.WriteLego(dir, imp.name)
	if err != nil {
		return "", none, fmt.Errorf("demo: write the impersonator's files in %q: %w", dir, err)
	}
	if keyPEM, err := os.ReadFile(files.Key); err == nil {
		l.o.secret(keyPEM)
	}
	m, err := signer.Load(signer.LoadOptions{AcmeDir: dir, Domain: imp.name, Now: l.o.Now})
	if err != nil {
		return "", none, fmt.Errorf("demo: load the impersonator's certificate: %w", err)
	}
	var k totp.Key
	for attempt := 0; ; attempt++ {
		var err error
		if _, k, err = fingerprintFile(l.o, dir, fmt.Sprintf("fingerprint-%d", attempt)); err != nil {
			return "", none, err
		}
		if imp.name != l.o.Domain || attempt >= 10 || !codesCollide(k, hostKey, l.o.Now()) {
			break
		}
	}
	d := &hostTOTP{key: k}
	cfg := l.cfg
	cfg.RoleSessionName, cfg.SessionName = "", d.sessionName
	creds, err := signer.CreateSession(l.ctx, m, cfg)
	if err != nil {
		return "", none, fmt.Errorf("demo: the impersonator's CreateSession against the emulator: %w", err)
	}
	l.o.secret([]byte(creds.SecretAccessKey))
	l.o.secret([]byte(creds.SessionToken))
	acc, ok := l.em.LastAccepted()
	if !ok || !acc.Leaf.Equal(leaf.Cert) {
		return "", none, fmt.Errorf("demo: the emulator did not record the impersonator's request")
	}
	in := acc.Input
	code, _ := d.sent()
	return code, in, nil
}

// codesCollide reports whether a code of k signed now or in the next
// step would be accepted for host under the seed script's rule (steps
// k-2..k of the event time): then the "wrong fingerprint" impersonator
// would look legit by chance (about 4 in a million).
func codesCollide(k, host totp.Key, now time.Time) bool {
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

// parentDomain is the domain the demo name belongs to: host.example.com
// → example.com; a name of two labels or fewer is its own domain.
func parentDomain(name string) string {
	name = strings.TrimPrefix(name, "*.")
	if _, rest, ok := strings.Cut(name, "."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return name
}

// otherName is the impersonator's name: evil.<parent domain>, never
// the demo's own name.
func otherName(name string) string {
	other := "evil." + parentDomain(name)
	if strings.EqualFold(other, name) {
		other = "impostor." + parentDomain(name)
	}
	return other
}
