package audit

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// Verdict is the outcome for one session.
type Verdict string

// The verdicts, in the order summaries list them.
const (
	Legit           Verdict = "legit"
	Mismatch        Verdict = "mismatch"
	NoSessionName   Verdict = "no-session-name"
	UnknownIdentity Verdict = "unknown-identity"
	Malformed       Verdict = "malformed"
	Replay          Verdict = "replay"
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{Legit, Mismatch, NoSessionName, UnknownIdentity, Malformed, Replay}

// Result is an Event with its verdict.
type Result struct {
	Event
	Verdict Verdict
	// Reason explains every verdict but legit.
	Reason string
	// Step is the matched TOTP step of a legit code.
	Step int64
	// StepOffset is what oathtool prints for a legit code: the absolute
	// offset of the matched step from the reference step.
	StepOffset int

	// fullStep is, for a mismatch only by length (a code of another digit
	// count than configured), the step it matches at its own length; the
	// replay rule then refuses its suffixes (truncations) from another
	// source. fullMatched says it matched.
	fullStep    int64
	fullMatched bool
}

// Checker decides verdicts with a seed database and a policy. The code
// length of an identity is the database's "digits" for it, else
// Policy.Digits (0: totp.DefaultDigits); a session name of another length
// is a Mismatch, never legit, whatever its digits match: HOTP truncation
// makes the last 6 or 7 digits of a valid 8-digit code valid shorter codes.
type Checker struct {
	DB     *DB
	Policy totp.Policy
}

// Check gives an event its verdict (replay is decided later by Finish,
// which sees all events).
func (c *Checker) Check(ev Event) Result {
	r := Result{Event: ev}
	switch {
	case ev.Problem != "":
		r.Verdict, r.Reason = Malformed, ev.Problem
		return r
	case !ev.HasSessionName || strings.TrimSpace(ev.SessionName) == "":
		r.Verdict, r.Reason = NoSessionName, "no role session name: the workload did not send a TOTP code (Roles Anywhere then names the session after the certificate serial)"
		return r
	case ev.CertSerial != "" && strings.EqualFold(strings.TrimLeft(ev.SessionName, "0"), strings.TrimLeft(ev.CertSerial, "0")):
		r.Verdict, r.Reason = NoSessionName, "session name is the certificate serial number: the workload did not send a TOTP code"
		return r
	case ev.CertSerial == "" && looksLikeSerial(ev.SessionName):
		r.Verdict, r.Reason = NoSessionName, "session name looks like a certificate serial number: the workload did not send a TOTP code"
		return r
	}
	key, ok := c.DB.Key(ev.Identity)
	if !ok {
		r.Verdict, r.Reason = UnknownIdentity, fmt.Sprintf("identity %q is not in the seed database", ev.Identity)
		return r
	}
	p := c.Policy
	if d := c.DB.Digits(ev.Identity); d != 0 {
		p.Digits = d
	}
	res, err := totp.VerifyWithPolicy(key, ev.SessionName, ev.Time, p)
	var le *totp.CodeLengthError
	switch {
	case errors.As(err, &le):
		r.Verdict, r.Reason = Mismatch, fmt.Sprintf("code has %d digits, the configured length for %q is %d: a code of another length is never legit (the last digits of a valid longer code are a valid shorter one)", le.Got, ev.Identity, le.Want)
		p.Digits = le.Got
		if full, err := totp.VerifyWithPolicy(key, ev.SessionName, ev.Time, p); err == nil && full.Matched {
			r.fullStep, r.fullMatched = full.Step, true
		}
	case errors.Is(err, totp.ErrInvalidCode):
		r.Verdict, r.Reason = Mismatch, fmt.Sprintf("session name %q is not a 6-8 digit TOTP code", clip(ev.SessionName))
	case err != nil:
		r.Verdict, r.Reason = Mismatch, "cannot verify: "+err.Error()
	case !res.Matched:
		k := totp.Step(ev.Time)
		lo, hi := c.stepRange(ev.Time)
		r.Verdict, r.Reason = Mismatch, fmt.Sprintf("code does not match the seed of %q at steps %+d..%+d around the event time (k=%d)", ev.Identity, lo-k, hi-k, k)
	default:
		r.Verdict, r.Step, r.StepOffset = Legit, res.Step, res.Offset
	}
	return r
}

// looksLikeSerial: 16 or more hex digits, not all decimal (Roles Anywhere
// names a session after the certificate serial in hex).
func looksLikeSerial(s string) bool {
	if len(s) < 16 {
		return false
	}
	dec := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			dec = false
		default:
			return false
		}
	}
	return !dec
}

// stepRange is the range of steps the policy accepts for an event time.
func (c *Checker) stepRange(t time.Time) (lo, hi int64) {
	ref := totp.Step(t.Add(-c.Policy.Lag))
	w := int64(min(c.Policy.Window, c.Policy.MaxOffset))
	return ref - w, ref + w
}

// sameSessionWindow bounds the time between the CreateSession record and
// the AssumeRole (or first call) records of the same session.
const sameSessionWindow = 5 * time.Minute

// Finish orders results by event time (ties keep input order), merges the
// records of one session (a CreateSession, the AssumeRole Roles Anywhere
// made for it, and with --sessions the later calls: one result per
// session, the CreateSession preferred), and marks replays: a code
// accepted for an identity more than once from different source IP
// addresses or certificate serials (the first acceptance stays legit; the
// later ones become Replay), and an accepted code that is the last digits
// of a longer code of the same identity and step seen earlier from another
// source (a truncated replay).
func Finish(rs []Result) []Result {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := &rs[i], &rs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.fileIndex != b.fileIndex {
			return a.fileIndex < b.fileIndex
		}
		return a.seq < b.seq
	})
	// Merge: index CreateSession (then AssumeRole) results by identity.
	type mark struct {
		t       time.Time
		name    string
		hasName bool
	}
	primary := map[string][]mark{}
	for _, r := range rs {
		if r.Kind == KindCreateSession && r.Problem == "" {
			primary[r.Identity] = append(primary[r.Identity], mark{r.Time, r.SessionName, r.HasSessionName && r.SessionName != ""})
		}
	}
	// same reports a record of the session of one of ms: same identity,
	// close in time, and the same session name (or none was asked for, and
	// Roles Anywhere chose one).
	same := func(ms []mark, r *Result) bool {
		for _, m := range ms {
			if d := r.Time.Sub(m.t); d > -sameSessionWindow && d < sameSessionWindow && (m.name == r.SessionName || !m.hasName) {
				return true
			}
		}
		return false
	}
	out := rs[:0] // in place: each result is written at or before where it was read
	secondary := map[string][]mark{}
	seenSession := map[string]bool{}
	for i := range rs {
		r := rs[i]
		switch {
		case r.Problem != "":
		case r.Kind == KindAssumeRole:
			if same(primary[r.Identity], &r) {
				continue
			}
			secondary[r.Identity] = append(secondary[r.Identity], mark{r.Time, r.SessionName, true})
		case r.Kind == KindSessionCall:
			if seenSession[r.sessionID] || same(primary[r.Identity], &r) || same(secondary[r.Identity], &r) {
				continue
			}
			seenSession[r.sessionID] = true
		}
		out = append(out, r)
	}
	// Replays.
	type ck struct {
		id   string
		step int64
		code string
	}
	first := map[ck]int{}
	longer := map[ck]int{} // suffixes of longer codes of the same step
	for i := range out {
		r := &out[i]
		if r.fullMatched {
			for _, suffix := range truncations(r.SessionName) {
				k := ck{r.Identity, r.fullStep, suffix}
				if _, ok := longer[k]; !ok {
					longer[k] = i
				}
			}
			continue
		}
		if r.Verdict != Legit {
			continue
		}
		k := ck{r.Identity, r.Step, r.SessionName}
		j, ok := first[k]
		if !ok {
			first[k] = i
			if j, ok := longer[k]; ok {
				f := &out[j]
				markReplay(r, seenCode{f.Time, f.SourceIP, f.CertSerial, len(f.SessionName)})
			}
			continue
		}
		f := &out[j]
		markReplay(r, seenCode{f.Time, f.SourceIP, f.CertSerial, 0})
	}
	return out
}

// truncations are the codes of 6 or more digits that the last digits of
// code are: HOTP truncation makes each a valid code of the same step.
func truncations(code string) []string {
	var out []string
	for n := len(code) - 1; n >= 6; n-- {
		out = append(out, code[len(code)-n:])
	}
	return out
}

// seenCode is an earlier code of the same identity and step: an accepted
// one (longer 0) or a longer code whose last digits the current one is.
type seenCode struct {
	t              time.Time
	sourceIP, cert string
	longer         int
}

// markReplay makes r a Replay when f came from another source address or
// certificate serial.
func markReplay(r *Result, f seenCode) {
	what := "code already accepted"
	if f.longer > 0 {
		what = fmt.Sprintf("code is the last %d digits of the %d-digit code of the same step seen", len(r.SessionName), f.longer)
	}
	switch {
	case differentIP(f.sourceIP, r.SourceIP):
		r.Verdict, r.Reason = Replay, fmt.Sprintf("%s for %q at %s from %s; now from %s", what, r.Identity, f.t.UTC().Format(time.RFC3339), f.sourceIP, r.SourceIP)
	case f.cert != "" && r.CertSerial != "" && !strings.EqualFold(f.cert, r.CertSerial):
		r.Verdict, r.Reason = Replay, fmt.Sprintf("%s for %q at %s with certificate serial %s; now with serial %s", what, r.Identity, f.t.UTC().Format(time.RFC3339), f.cert, r.CertSerial)
	}
}

// differentIP reports two different IP addresses; an AWS service name in
// sourceIPAddress (the AssumeRole made by Roles Anywhere) compares equal to
// anything.
func differentIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return x.Unmap() != y.Unmap()
}

// Summary counts verdicts, overall and per identity.
type Summary struct {
	Total      int
	ByVerdict  map[Verdict]int
	ByIdentity map[string]map[Verdict]int
}

// Summarize counts results.
func Summarize(rs []Result) Summary {
	s := newSummary()
	for _, r := range rs {
		s.add(r.Identity, r.Verdict)
	}
	return s
}

func newSummary() Summary {
	return Summary{ByVerdict: map[Verdict]int{}, ByIdentity: map[string]map[Verdict]int{}}
}

// add counts one verdict of identity id.
func (s *Summary) add(id string, v Verdict) {
	s.Total++
	s.ByVerdict[v]++
	m := s.ByIdentity[id]
	if m == nil {
		m = map[Verdict]int{}
		s.ByIdentity[id] = m
	}
	m[v]++
}

// AllLegit reports whether every result is legit (true for none).
func AllLegit(rs []Result) bool {
	for _, r := range rs {
		if r.Verdict != Legit {
			return false
		}
	}
	return true
}
