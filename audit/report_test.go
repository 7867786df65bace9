package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestQuoteField: record fields are untrusted; they must not forge extra
// columns or lines in the text output. (Moved from the detect command's
// tests with the code.)
func TestQuoteField(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "-",
		"host.example.com":      "host.example.com",
		"a b":                   `"a b"`,
		"x\nlegit forged 1 2 3": `"x\nlegit forged 1 2 3"`,
		"tab\there":             `"tab\there"`,
		"quote\"":               `"quote\""`,
		"\u202eevil":            `"\u202eevil"`,
		"caf\u00e9.example.com": "caf\u00e9.example.com",
	} {
		if got := QuoteField(in); got != want {
			t.Errorf("QuoteField(%q) = %s, want %s", in, got, want)
		}
	}
	if got := oneLine("a\nb\rc"); strings.ContainsAny(got, "\n\r") {
		t.Errorf("oneLine kept a line break: %q", got)
	}
}

func TestTextLine(t *testing.T) {
	at := time.Date(2026, 11, 21, 19, 49, 42, 0, time.UTC)
	for _, tt := range []struct {
		r    Result
		want string
	}{
		{Result{Event: Event{Identity: "CN=a", Time: at, SessionName: "123456", HasSessionName: true, SourceIP: "192.0.2.1"}, Verdict: Legit},
			"legit CN=a 2026-11-21T19:49:42Z 123456 192.0.2.1\n"},
		{Result{Event: Event{Identity: "x y", SessionName: "ignored"}, Verdict: NoSessionName, Reason: "no name\nlegit forged"},
			"no-session-name \"x y\" - - - no name?legit forged\n"},
	} {
		if got := TextLine(tt.r); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestWriteCompat(t *testing.T) {
	for _, tt := range []struct {
		rs    []Result
		want  string
		legit bool
	}{
		{nil, "oh no\n", false},
		{[]Result{{Verdict: Legit}}, "legit\n", true},
		{[]Result{{Verdict: Legit}, {Verdict: Replay}, {Verdict: Mismatch}}, "legit\noh no\noh no\n", false},
	} {
		var b strings.Builder
		if err := WriteCompat(&b, tt.rs); err != nil || b.String() != tt.want || CompatLegit(tt.rs) != tt.legit {
			t.Errorf("%v: got %q, %v, legit %v; want %q, legit %v", tt.rs, b.String(), err, CompatLegit(tt.rs), tt.want, tt.legit)
		}
	}
}

func TestNewJSONResult(t *testing.T) {
	for _, tt := range []struct {
		r    Result
		want string
	}{
		{Result{Event: Event{Identity: "CN=a", SessionName: "123456", HasSessionName: true, Path: "f", Offset: 7}, Verdict: Legit, Step: 42, StepOffset: 0},
			`{"verdict":"legit","kind":"","identity":"CN=a","sessionName":"123456","step":42,"oathtoolOffset":0,"file":"f","fileOffset":7}`},
		{Result{Event: Event{Identity: "CN=a"}, Verdict: Mismatch, Reason: "r", Step: 42},
			`{"verdict":"mismatch","reason":"r","kind":"","identity":"CN=a","sessionName":null,"file":"","fileOffset":0}`},
	} {
		b, err := json.Marshal(NewJSONResult(tt.r))
		if err != nil || string(b) != tt.want {
			t.Errorf("got %s, %v, want %s", b, err, tt.want)
		}
	}
}

func TestNewReport(t *testing.T) {
	s := Summarize([]Result{{Event: Event{Identity: "b"}, Verdict: Legit}, {Event: Event{Identity: "a"}, Verdict: Mismatch}, {Event: Event{Identity: "b"}, Verdict: Legit}})
	rep := NewReport(s, Stats{Files: 2, Records: 9}, nil)
	b, err := json.Marshal(rep)
	want := `{"files":2,"records":9,"sessions":3,"byVerdict":{"legit":2,"mismatch":1},"byIdentity":[{"identity":"a","counts":{"mismatch":1}},{"identity":"b","counts":{"legit":2}}]}`
	if err != nil || string(b) != want {
		t.Errorf("got %s, %v, want %s", b, err, want)
	}
	rep = NewReport(Summary{}, Stats{}, &StreamStats{Evictions: 3, Late: 1})
	if b, _ := json.Marshal(rep); !strings.Contains(string(b), `"byIdentity":[],"replayIndexEvictions":3,"lateRecords":1}`) {
		t.Errorf("got %s", b)
	}
}
