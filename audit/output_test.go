package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

func outputResults() []audit.Result {
	at := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	return []audit.Result{
		{Event: audit.Event{Identity: "a.example.com", SessionName: "799040", HasSessionName: true, Time: at, SourceIP: "203.0.113.7"}, Verdict: audit.Legit},
		{Event: audit.Event{Identity: "b c", SessionName: "1", HasSessionName: true, Time: at}, Verdict: audit.Mismatch, Reason: "code\nforged"},
	}
}

// TestOutputWrite: each output mode of a Detect run, and its exit rule.
func TestOutputWrite(t *testing.T) {
	rs := outputResults()
	for _, tt := range []struct {
		name string
		out  audit.Output
		want string
	}{
		{"text", audit.Output{}, "legit a.example.com 2026-11-21T19:49:41Z 799040 203.0.113.7\nmismatch \"b c\" 2026-11-21T19:49:41Z 1 - code?forged\n"},
		{"compat", audit.Output{Compat: true, JSON: true}, "legit\noh no\n"},
		{"summary", audit.Output{Summary: true}, "files 2  records 9  sessions 2\n\nlegit             1\nmismatch          1\nno-session-name   0\nunknown-identity  0\nmalformed         0\nreplay            0\n\nidentity legit mismatch no-session-name unknown-identity malformed replay\na.example.com 1 0 0 0 0 0\n\"b c\" 0 1 0 0 0 0\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.out.Write(&b, rs, audit.Stats{Files: 2, Records: 9}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
	var b bytes.Buffer
	if err := (audit.Output{JSON: true}).Write(&b, rs, audit.Stats{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var j audit.JSONResult
	if len(lines) != 2 || json.Unmarshal([]byte(lines[1]), &j) != nil || j.Verdict != audit.Mismatch || *j.SessionName != "1" {
		t.Errorf("JSON lines: %q", b.String())
	}
	b.Reset()
	if err := (audit.Output{JSON: true, Summary: true}).Write(&b, rs, audit.Stats{Files: 2}); err != nil {
		t.Fatal(err)
	}
	var rep audit.Report
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil || rep.Sessions != 2 || rep.ByVerdict[audit.Legit] != 1 || rep.Evictions != nil {
		t.Errorf("JSON summary %q: %v", b.String(), err)
	}
	if (audit.Output{}).Legit(rs) || !(audit.Output{}).Legit(nil) || (audit.Output{Compat: true}).Legit(nil) || !(audit.Output{Compat: true}).Legit(rs[:1]) {
		t.Error("Legit: wrong exit rule")
	}
}

func TestProgressString(t *testing.T) {
	p := audit.Progress{FilesDone: 3, Files: 40, Records: 120000, Elapsed: 2 * time.Second}
	if got, want := p.String(), "files 3/40  records 120000  60000 records/s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (audit.Progress{Files: 2, Records: 5}).String(); got != "files 0/2  records 5  0 records/s" {
		t.Errorf("no elapsed time: %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestStreamTo: the streamed lines, the streamed summary with the
// stream's counters, and a write error that stops the run.
func TestStreamTo(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "trail.json")
	os.WriteFile(log, []byte(`{"Records":[
{"eventTime":"2026-11-21T19:49:41Z","eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":"799040"},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}},
{"eventTime":"2026-11-21T19:49:45Z","eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":"428306"},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}}
]}`), 0o600)
	db, err := audit.ParseDB([]byte(`[{"CN=foo.not-your-co.com": "1da356b5273ffde77ff8cde6ec18f47cbc2cf48a"}]`))
	if err != nil {
		t.Fatal(err)
	}
	c := &audit.Checker{DB: db, Policy: totp.SeedScriptPolicy}
	so := audit.StreamOptions{Horizon: time.Hour, IndexSize: 16}
	var b strings.Builder
	st, readErr, werr := audit.StreamTo(context.Background(), &b, []string{log}, audit.Options{}, so, c, audit.Output{})
	if readErr != nil || werr != nil || st.Results != 2 || st.NotLegit != 1 {
		t.Fatalf("%+v %v %v", st, readErr, werr)
	}
	if !strings.HasPrefix(b.String(), "legit foo.not-your-co.com 2026-11-21T19:49:41Z 799040") || !strings.Contains(b.String(), "\nmismatch ") {
		t.Errorf("lines: %q", b.String())
	}
	b.Reset()
	if _, _, werr := audit.StreamTo(context.Background(), &b, []string{log}, audit.Options{}, so, c, audit.Output{Summary: true}); werr != nil {
		t.Fatal(werr)
	}
	if !strings.HasPrefix(b.String(), "files 1  records 2  sessions 2\nreplay index evictions 0  late records 0\n") {
		t.Errorf("summary: %q", b.String())
	}
	if _, _, werr := audit.StreamTo(context.Background(), failWriter{}, []string{log}, audit.Options{}, so, c, audit.Output{}); werr == nil {
		t.Error("a failing writer gave no write error")
	}
}
