package permissions

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

// Flagged reports whether detect's verdict r flags a session whose later
// calls are worth listing: a mismatch, an unknown identity or a replay
// with a session name, or a session without one that has a certificate
// serial (the key it is then found by).
func Flagged(r audit.Result) bool {
	switch r.Verdict {
	case audit.Mismatch, audit.UnknownIdentity, audit.Replay:
		return r.HasSessionName
	case audit.NoSessionName:
		return r.CertSerial != ""
	}
	return false
}

// FlaggedActivity is one flagged verdict with what its session did.
type FlaggedActivity struct {
	Verdict audit.Result
	SessionActivity
}

// ActivityOfFlagged reads CloudTrail again (Activity) for the sessions
// of the Flagged results of rs, in their order. A session without a name
// is found by its certificate serial. As with Activity, the activity of
// what could be read is returned with the read errors.
func ActivityOfFlagged(ctx context.Context, paths []string, ro audit.Options, rs []audit.Result) ([]FlaggedActivity, error) {
	var keys []SessionKey
	var verdicts []audit.Result
	for _, r := range rs {
		if !Flagged(r) {
			continue
		}
		name := r.SessionName
		if r.Verdict == audit.NoSessionName {
			name = r.CertSerial
		}
		keys = append(keys, SessionKey{Identity: r.Identity, Name: name, Created: r.Time})
		verdicts = append(verdicts, r)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	acts, _, err := Activity(ctx, paths, ro, keys)
	out := make([]FlaggedActivity, len(acts))
	for i, a := range acts {
		out[i] = FlaggedActivity{Verdict: verdicts[i], SessionActivity: a}
	}
	return out, err
}

// WriteActivity writes each flagged session's activity to w: a block of
// text (asJSON false) or one JSON object {"activity": {...}} a line.
func WriteActivity(w io.Writer, fs []FlaggedActivity, asJSON bool) error {
	for _, f := range fs {
		var err error
		if asJSON {
			err = json.NewEncoder(w).Encode(map[string]any{"activity": f.jsonValue()})
		} else {
			err = f.WriteText(w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// jsonValue is the activity as detect --activity --format json writes it.
func (f FlaggedActivity) jsonValue() map[string]any {
	a := f.SessionActivity
	v := map[string]any{
		"verdict": f.Verdict.Verdict, "identity": a.Session.Identity, "session_name": a.Session.Name, "created": a.Session.Created,
		"calls": a.Calls, "roles": a.Roles, "source_ips": a.SourceIPs, "actions": a.Actions, "unmapped": a.Unmapped, "denied": a.Denied,
	}
	if a.Calls > 0 {
		v["first"], v["last"] = a.First, a.Last
	}
	return v
}

// WriteText writes the activity for people: a header line with the
// verdict, the session, the span of its calls, its source IPs and roles,
// then one indented line per action, refused call and unmapped call.
// Identities and session names are QuoteField'ed (they are untrusted).
func (f FlaggedActivity) WriteText(w io.Writer) error {
	a := f.SessionActivity
	var b strings.Builder
	fmt.Fprintf(&b, "activity %s %s session %s created %s: ", f.Verdict.Verdict, audit.QuoteField(a.Session.Identity), audit.QuoteField(a.Session.Name), a.Session.Created.UTC().Format(time.RFC3339))
	if a.Calls == 0 {
		b.WriteString("no later calls in these logs\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "calls %d from %s to %s, source IPs %s, roles %s\n", a.Calls, a.First.UTC().Format(time.RFC3339), a.Last.UTC().Format(time.RFC3339),
		strings.Join(a.SourceIPs, ","), strings.Join(a.Roles, ","))
	for _, x := range a.Actions {
		fmt.Fprintf(&b, "  %s %s calls %d first %s last %s\n", x.Action, resourceList(x.Resources, x.Wildcard), x.Calls, x.First.UTC().Format(time.RFC3339), x.Last.UTC().Format(time.RFC3339))
	}
	for _, d := range a.Denied {
		fmt.Fprintf(&b, "  denied %s %s calls %d (%s)\n", d.Action, resourceList(d.Resources, len(d.Resources) == 0), d.Calls, d.ErrorCode)
	}
	for _, u := range a.Unmapped {
		fmt.Fprintf(&b, "  unmapped %s %s calls %d\n", u.Service, u.Operation, u.Calls)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
