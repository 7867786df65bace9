package permissions_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

func TestFlagged(t *testing.T) {
	named := audit.Event{SessionName: "123456", HasSessionName: true}
	for _, tt := range []struct {
		r    audit.Result
		want bool
	}{
		{audit.Result{Event: named, Verdict: audit.Legit}, false},
		{audit.Result{Event: named, Verdict: audit.Mismatch}, true},
		{audit.Result{Event: named, Verdict: audit.Replay}, true},
		{audit.Result{Event: named, Verdict: audit.UnknownIdentity}, true},
		{audit.Result{Verdict: audit.Mismatch}, false},
		{audit.Result{Verdict: audit.NoSessionName}, false},
		{audit.Result{Event: audit.Event{CertSerial: "0a"}, Verdict: audit.NoSessionName}, true},
		{audit.Result{Event: named, Verdict: audit.Malformed}, false},
	} {
		if got := permissions.Flagged(tt.r); got != tt.want {
			t.Errorf("Flagged(%s, named %v, serial %q) = %v, want %v", tt.r.Verdict, tt.r.HasSessionName, tt.r.CertSerial, got, tt.want)
		}
	}
}

// TestWriteActivity: the text block and the JSON line of a flagged
// session, with untrusted names quoted.
func TestWriteActivity(t *testing.T) {
	at := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	f := permissions.FlaggedActivity{
		Verdict: audit.Result{Verdict: audit.Mismatch},
		SessionActivity: permissions.SessionActivity{
			Session: permissions.SessionKey{Identity: "a b", Name: "123456", Created: at},
			Calls:   3, First: at, Last: at.Add(time.Minute), SourceIPs: []string{"203.0.113.7"}, Roles: []string{"arn:aws:iam::1:role/r"},
			Actions:  []permissions.ActionUse{{Action: "s3:GetObject", Calls: 1, Resources: []string{"arn:aws:s3:::b/k"}, First: at, Last: at}, {Action: "sts:GetCallerIdentity", Calls: 1, Wildcard: true, First: at, Last: at}},
			Denied:   []permissions.Denied{{Action: "s3:PutObject", ErrorCode: "AccessDenied", Calls: 1}},
			Unmapped: []permissions.Unmapped{{Service: "x.amazonaws.com", Operation: "Y", Calls: 1}},
		},
	}
	none := permissions.FlaggedActivity{Verdict: audit.Result{Verdict: audit.Replay}, SessionActivity: permissions.SessionActivity{Session: permissions.SessionKey{Identity: "c", Name: "1", Created: at}}}
	var b strings.Builder
	if err := permissions.WriteActivity(&b, []permissions.FlaggedActivity{f, none}, false); err != nil {
		t.Fatal(err)
	}
	want := `activity mismatch "a b" session 123456 created 2026-11-21T19:49:41Z: calls 3 from 2026-11-21T19:49:41Z to 2026-11-21T19:50:41Z, source IPs 203.0.113.7, roles arn:aws:iam::1:role/r
  s3:GetObject arn:aws:s3:::b/k calls 1 first 2026-11-21T19:49:41Z last 2026-11-21T19:49:41Z
  sts:GetCallerIdentity * calls 1 first 2026-11-21T19:49:41Z last 2026-11-21T19:49:41Z
  denied s3:PutObject * calls 1 (AccessDenied)
  unmapped x.amazonaws.com Y calls 1
activity replay c session 1 created 2026-11-21T19:49:41Z: no later calls in these logs
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := permissions.WriteActivity(&b, []permissions.FlaggedActivity{f, none}, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var v struct {
		Activity map[string]any `json:"activity"`
	}
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &v) != nil || v.Activity["verdict"] != "mismatch" || v.Activity["calls"] != 3.0 || v.Activity["first"] == nil {
		t.Fatalf("JSON: %q", b.String())
	}
	v.Activity = nil
	if json.Unmarshal([]byte(lines[1]), &v) != nil || v.Activity["first"] != nil {
		t.Errorf("a session without calls has a first time: %q", lines[1])
	}
}
