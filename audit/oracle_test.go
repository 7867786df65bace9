package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// requireTool finds a reference program; missing is a failure in CI (the
// CI variable set) and a skip elsewhere.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install oathtool jq): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// oracleEvent is one generated CreateSession and what to ask oathtool.
type oracleEvent struct {
	id       string
	identity string // as written in x509Subject
	seedHex  string // "" when the identity is not in the database
	digits   int    // the identity's configured code length
	when     time.Time
	name     *string // nil: roleSessionName absent
	label    string  // what kind of case it is, for failure messages
}

// genOracleEvents makes n events covering: legit codes, codes of steps
// k-4..k+2, codes of other seeds, unknown identities, missing, empty,
// 5-, 7- and 8-digit and non-numeric names, and times on and next to
// step boundaries. digits gives an identity's configured code length
// (absent: 6); the legit-looking codes have that length.
func genOracleEvents(n int, ids []string, seeds map[string]totp.Key, digits map[string]int) []oracleEvent {
	r := rand.New(rand.NewPCG(42, 5))
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC).Unix()
	str := func(s string) *string { return &s }
	evs := make([]oracleEvent, 0, n)
	for i := 0; i < n; i++ {
		e := oracleEvent{id: fmt.Sprintf("ev-%05d", i)}
		// Time: a third exactly on a step boundary, a third one second
		// either side, the rest anywhere.
		sec := base + r.Int64N(86400)
		switch r.IntN(3) {
		case 0:
			sec -= sec % 30
		case 1:
			sec = sec - sec%30 + []int64{-1, 1, 29}[r.IntN(3)]
		}
		e.when = time.Unix(sec, int64(r.IntN(3))*250e6).UTC()
		id := ids[r.IntN(len(ids))]
		e.identity = "CN=" + id
		if r.IntN(2) == 0 {
			e.identity = id // the plain form meets "CN=x" in the database
		}
		key, known := seeds[id]
		if known {
			e.seedHex = hex.EncodeToString(key)
		}
		e.digits = digits[id]
		if e.digits == 0 {
			e.digits = totp.DefaultDigits
		}
		k := totp.Step(e.when)
		codeAt := func(key totp.Key, step int64, digits int) string {
			c, err := totp.CodeAtStep(key, step, totp.Options{Digits: digits})
			if err != nil {
				panic(err)
			}
			return c
		}
		if !known {
			// An unknown identity with a code of its own.
			key = totp.Key(fmt.Sprintf("unknown-%d", i))
		}
		switch c := r.IntN(100); {
		case c < 55:
			d := int64(r.IntN(7)) - 4 // k-4 .. k+2
			e.name, e.label = str(codeAt(key, k+d, e.digits)), fmt.Sprintf("%d digits (configured), step k%+d", e.digits, d)
		case c < 65:
			d := int64(r.IntN(7)) - 4
			e.name, e.label = str(codeAt(key, k+d, 8)), fmt.Sprintf("8 digits, step k%+d", d)
		case c < 68:
			d := int64(r.IntN(4)) - 2
			e.name, e.label = str(codeAt(key, k+d, 7)), fmt.Sprintf("7 digits, step k%+d", d)
		case c < 80:
			other := totp.Key(fmt.Sprintf("another workload %d", r.IntN(1000)))
			e.name, e.label = str(codeAt(other, k-int64(r.IntN(3)), 6)), "another seed's code"
		case c < 84:
			e.name, e.label = nil, "no roleSessionName"
		case c < 88:
			e.name, e.label = str(""), "empty roleSessionName"
		case c < 93:
			e.name, e.label = str(codeAt(key, k, 6)[:5]), "5 digits"
		case c < 96:
			e.name, e.label = str(strings.ToUpper(hex.EncodeToString([]byte(e.id)))), "hex serial-like name"
		default:
			e.name, e.label = str(codeAt(key, k, 6)[:3]+"a"+codeAt(key, k, 6)[4:]), "non-digit"
		}
		evs = append(evs, e)
	}
	return evs
}

func (e oracleEvent) record() map[string]any {
	req := map[string]any{
		"profileArn":     "arn:aws:rolesanywhere:eu-west-2:123456789012:profile/603ae19d-ec74-405d-85d1-dcd5f1ab5f17",
		"roleArn":        "arn:aws:iam::123456789012:role/my_custom_role_01",
		"trustAnchorArn": "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/9fc0e3fb-c8a5-48dc-b457-f72d1c5f3cc5",
	}
	if e.name != nil {
		req["roleSessionName"] = *e.name
	}
	return map[string]any{
		"eventVersion":      "1.08",
		"eventTime":         e.when.Format(time.RFC3339Nano),
		"eventSource":       "rolesanywhere.amazonaws.com",
		"eventName":         "CreateSession",
		"sourceIPAddress":   "192.0.2.10",
		"eventID":           e.id,
		"requestParameters": req,
		"responseElements":  map[string]any{"x509Subject": e.identity},
	}
}

// askOathtool asks oathtool what the seed script asks, with the digit count
// from configuration as detect takes it (the script lets the code's length
// choose, which the truncation attack abuses):
// oathtool --digits D --window 1 --now "$(date -R -u -d "$when - 30 seconds")" --totp SEED CODE
// and applies the script's test ("$found" -le 1). It returns the verdict
// and the printed offset. oathtool refuses a code of another length than
// --digits ("bad length"): not legit.
func askOathtool(oathtool string, e oracleEvent) (legit bool, offset int, err error) {
	if e.seedHex == "" {
		return false, 0, nil // the script passes an empty seed: oathtool fails
	}
	code := "null" // jq -r prints null for a missing field
	if e.name != nil {
		code = *e.name
	}
	now := e.when.Add(-30 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 -0700")
	out, runErr := exec.Command(oathtool, "--digits", strconv.Itoa(e.digits), "--window", "1", "--now", now, "--totp", e.seedHex, code).Output()
	s := strings.TrimSpace(string(out))
	if runErr != nil {
		if _, ok := runErr.(*exec.ExitError); ok && s == "" {
			return false, 0, nil // not found, or an invalid code
		}
		return false, 0, fmt.Errorf("oathtool: %v (output %q)", runErr, s)
	}
	off, err := strconv.Atoi(s)
	if err != nil {
		return false, 0, fmt.Errorf("oathtool printed %q", s)
	}
	return off <= 1, off, nil
}

// TestOracleOathtool is acceptance 1: on 6,000 generated events, the
// verdict of Detect (legit or not) equals what oathtool answers to the
// seed script's question, and the step offset of a legit code is the one
// oathtool prints.
func TestOracleOathtool(t *testing.T) {
	oathtool := requireTool(t, "oathtool")
	n := 6000
	if testing.Short() {
		n = 600
	}
	seeds := map[string]totp.Key{}
	digits := map[string]int{}
	var ids []string
	var db bytes.Buffer
	db.WriteString("[")
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("w%02d.not-your-co.com", i)
		k := totp.Key(fmt.Sprintf("fingerprint file of %s", id))
		seeds[id] = k
		ids = append(ids, id)
		if i > 0 {
			db.WriteString(",")
		}
		// Every fifth identity sends 8 digits, the next 7 (the
		// database's "digits"); the rest the default 6.
		switch i % 5 {
		case 1:
			digits[id] = 8
		case 2:
			digits[id] = 7
		}
		if d := digits[id]; d != 0 {
			fmt.Fprintf(&db, "{%q:%q,%q:%d}", "CN="+id, hex.EncodeToString(k), totp.DigitsKey, d)
		} else {
			fmt.Fprintf(&db, "{%q:%q}", "CN="+id, hex.EncodeToString(k))
		}
	}
	db.WriteString("]")
	for i := 0; i < 5; i++ {
		ids = append(ids, fmt.Sprintf("intruder%d.not-your-co.com", i))
	}
	evs := genOracleEvents(n, ids, seeds, digits)

	dir := t.TempDir()
	var lines bytes.Buffer
	for _, e := range evs {
		b, err := json.Marshal(e.record())
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(b)
		lines.WriteByte('\n')
	}
	p := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(p, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pdb, err := ParseDB(db.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rs, _, err := Detect(context.Background(), []string{p}, Options{}, &Checker{DB: pdb, Policy: totp.SeedScriptPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Result{}
	for _, r := range rs {
		got[r.EventID] = r
	}
	if len(got) != n {
		t.Fatalf("got %d results, want %d", len(got), n)
	}

	type answer struct {
		legit  bool
		offset int
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	const workers = 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				l, o, err := askOathtool(oathtool, evs[i])
				answers[i] = answer{l, o, err}
			}
		}()
	}
	wg.Wait()

	legit, failures := 0, 0
	kinds := map[string]int{}
	for i, e := range evs {
		a := answers[i]
		if a.err != nil {
			t.Fatalf("%s: %v", e.id, a.err)
		}
		r := got[e.id]
		kinds[string(r.Verdict)]++
		if a.legit {
			legit++
		}
		if (r.Verdict == Legit) != a.legit || (a.legit && r.StepOffset != a.offset) {
			failures++
			if failures <= 20 {
				t.Errorf("%s (%s, %s at %s): got %s (offset %d, %s), oathtool says legit=%v offset %d",
					e.id, e.label, e.identity, e.when.Format(time.RFC3339Nano), r.Verdict, r.StepOffset, r.Reason, a.legit, a.offset)
			}
		}
	}
	if failures > 0 {
		t.Fatalf("%d of %d verdicts differ from oathtool's", failures, n)
	}
	// The corpus must exercise both outcomes and every non-legit verdict
	// that applies.
	if legit < n/10 || legit > n*9/10 {
		t.Errorf("%d legit of %d: corpus is lopsided", legit, n)
	}
	for _, v := range []Verdict{Legit, Mismatch, NoSessionName, UnknownIdentity} {
		if kinds[string(v)] == 0 {
			t.Errorf("no %s verdict in the corpus: %v", v, kinds)
		}
	}
	t.Logf("%d events, %d legit; verdicts %v", n, legit, kinds)
}

// TestOracleSeedScript runs the seed's own detection script (bash, jq,
// date, oathtool) on a sample of events, each in its own file as the
// script wants, and compares its output with Detect in --compat mode. The
// database gives one identity "digits": 8, and the script's own jq lookup
// must still find that identity's seed. The one intended difference: the
// script lets the code's length choose the digit count, so it calls a
// truncated code legit; Detect must say "oh no" to every code whose length
// is not the configured one.
func TestOracleSeedScript(t *testing.T) {
	requireTool(t, "oathtool")
	requireTool(t, "jq")
	bash := requireTool(t, "bash")
	script, err := filepath.Abs("testdata/seed-mismatch-detection.sh")
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string]totp.Key{}
	ids := []string{"foo.not-your-co.com", "bar.not-your-co.com", "baz.not-your-co.com", "intruder.not-your-co.com"}
	var db bytes.Buffer
	db.WriteString("[\n")
	digits := map[string]int{"bar.not-your-co.com": 8}
	for i, id := range ids[:3] {
		k := totp.Key(fmt.Sprintf("monkey.jpg of %s", id))
		seeds[id] = k
		if i > 0 {
			db.WriteString(",\n")
		}
		if d := digits[id]; d != 0 {
			fmt.Fprintf(&db, "  {%q: %q, %q: %d}", "CN="+id, hex.EncodeToString(k), totp.DigitsKey, d)
		} else {
			fmt.Fprintf(&db, "  {%q: %q}", "CN="+id, hex.EncodeToString(k))
		}
	}
	db.WriteString("\n]\n")
	pdb, err := ParseDB(db.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	evs := genOracleEvents(400, ids, seeds, digits)
	n := 16 // about 0.3 s of bash, jq, date and oathtool each
	if testing.Short() {
		n = 6
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "env-sha1sum-db.json"), db.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// The script's lookup, verbatim, on the identity with "digits".
	jq := requireTool(t, "jq")
	lookup := exec.Command(jq, "-r", `.[] | ."CN=bar.not-your-co.com" // empty`, "env-sha1sum-db.json")
	lookup.Dir = dir
	if out, err := lookup.Output(); err != nil || strings.TrimSpace(string(out)) != hex.EncodeToString(seeds["bar.not-your-co.com"]) {
		t.Fatalf("the seed script's jq lookup no longer finds the seed next to \"digits\": %v (%d bytes)", err, len(out))
	}
	type outcome struct {
		ours, script string
		err          error
	}
	outs := make([]outcome, n)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 2 {
				e := evs[i*7%len(evs)]
				// The script reads x509Subject as the database key
				// verbatim: give it the CN= form the database uses.
				if !strings.HasPrefix(e.identity, "CN=") {
					e.identity = "CN=" + e.identity
				}
				b, _ := json.MarshalIndent(e.record(), "", "  ")
				p := filepath.Join(dir, e.id+".json")
				if err := os.WriteFile(p, b, 0o600); err != nil {
					outs[i].err = err
					continue
				}
				cmd := exec.Command(bash, script, p)
				cmd.Dir = dir
				out, _ := cmd.Output() // exit 1 is "oh no"
				rs, _, err := Detect(context.Background(), []string{p}, Options{Compat: true, Jobs: 1}, &Checker{DB: pdb, Policy: totp.SeedScriptPolicy})
				if err != nil || len(rs) != 1 {
					outs[i].err = fmt.Errorf("detect: %d results, %v", len(rs), err)
					continue
				}
				ours := "oh no"
				if rs[0].Verdict == Legit {
					ours = "legit"
				}
				outs[i] = outcome{ours: ours, script: strings.TrimSpace(string(out))}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for i, o := range outs {
		if o.err != nil {
			t.Fatalf("event %d: %v", i, o.err)
		}
		seen[o.script]++
		e := evs[i*7%len(evs)]
		if e.name != nil && totp.CheckCode(*e.name) == nil && len(*e.name) != e.digits {
			// The truncation attack: the script may say legit.
			if o.ours != "oh no" {
				t.Errorf("%s (%s): detect --compat says %q to a %d-digit code where %d are configured", e.id, e.label, o.ours, len(*e.name), e.digits)
			}
			continue
		}
		if o.ours != o.script {
			t.Errorf("%s (%s): detect --compat says %q, the seed script %q", e.id, e.label, o.ours, o.script)
		}
	}
	if seen["legit"] == 0 || seen["oh no"] == 0 {
		t.Errorf("sample lacks an outcome: %v", seen)
	}
}
