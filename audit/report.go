package audit

import (
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// WriteCompat writes results in the seed detection script's output format:
// "legit" or "oh no", one line per event, and a single "oh no" when there
// is none (the script finds nothing to verify then). CompatLegit is the
// exit status that goes with it.
func WriteCompat(w io.Writer, rs []Result) error {
	if len(rs) == 0 {
		_, err := io.WriteString(w, "oh no\n")
		return err
	}
	for _, r := range rs {
		s := "oh no\n"
		if r.Verdict == Legit {
			s = "legit\n"
		}
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
	}
	return nil
}

// CompatLegit reports whether the seed script would say "legit" to all of
// rs: at least one event, and every one legit.
func CompatLegit(rs []Result) bool { return len(rs) > 0 && AllLegit(rs) }

// TextLine is a result as one line of text, with its newline: verdict
// identity time session-name source-ip [reason]. Record fields are
// untrusted, so each column is QuoteField'ed and the reason has no control
// characters: a record cannot forge columns or lines.
func TextLine(r Result) string {
	var b strings.Builder
	b.WriteString(string(r.Verdict))
	b.WriteByte(' ')
	b.WriteString(QuoteField(r.Identity))
	b.WriteByte(' ')
	if r.Time.IsZero() {
		b.WriteString("-")
	} else {
		b.WriteString(r.Time.UTC().Format(time.RFC3339))
	}
	b.WriteByte(' ')
	name := r.SessionName
	if !r.HasSessionName {
		name = ""
	}
	b.WriteString(QuoteField(name))
	b.WriteByte(' ')
	b.WriteString(QuoteField(r.SourceIP))
	if r.Reason != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(r.Reason))
	}
	b.WriteByte('\n')
	return b.String()
}

// QuoteField makes a value safe for one whitespace-separated column: "-"
// when empty, Go-quoted when it has spaces, quotes or non-printable
// characters.
func QuoteField(s string) string {
	if s == "" {
		return "-"
	}
	for _, r := range s {
		if r == '"' || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// oneLine replaces non-printable characters (line breaks among them).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}

// JSONResult is a result as one JSON object (detect --format json): the
// session name is null when the record has none, and the matched step and
// oathtool's offset are given for legit and replayed codes only.
type JSONResult struct {
	Verdict     Verdict `json:"verdict"`
	Reason      string  `json:"reason,omitempty"`
	Kind        Kind    `json:"kind"`
	Time        string  `json:"time,omitempty"`
	Identity    string  `json:"identity,omitempty"`
	SessionName *string `json:"sessionName"`
	SourceIP    string  `json:"sourceIPAddress,omitempty"`
	CertSerial  string  `json:"certSerial,omitempty"`
	EventID     string  `json:"eventID,omitempty"`
	ErrorCode   string  `json:"errorCode,omitempty"`
	Step        int64   `json:"step,omitempty"`
	Offset      *int    `json:"oathtoolOffset,omitempty"`
	File        string  `json:"file"`
	FileOffset  int64   `json:"fileOffset"`
}

// NewJSONResult returns the JSONResult of r.
func NewJSONResult(r Result) JSONResult {
	j := JSONResult{
		Verdict: r.Verdict, Reason: r.Reason, Kind: r.Kind, Identity: r.Identity,
		SourceIP: r.SourceIP, CertSerial: r.CertSerial, EventID: r.EventID, ErrorCode: r.ErrorCode,
		File: r.Path, FileOffset: r.Offset,
	}
	if !r.Time.IsZero() {
		j.Time = r.Time.UTC().Format(time.RFC3339Nano)
	}
	if r.HasSessionName {
		s := r.SessionName
		j.SessionName = &s
	}
	if r.Verdict == Legit || r.Verdict == Replay {
		off := r.StepOffset
		j.Step, j.Offset = r.Step, &off
	}
	return j
}

// Report is the summary of a run (detect --summary), in the order it is
// printed; as JSON it is detect --summary --format json.
type Report struct {
	Files      int             `json:"files"`
	Records    int64           `json:"records"`
	Sessions   int             `json:"sessions"`
	ByVerdict  map[Verdict]int `json:"byVerdict"`
	ByIdentity []IdentityCount `json:"byIdentity"` // sorted by identity
	// Evictions and Late are Stream's (nil for Read/Detect runs).
	Evictions *int64 `json:"replayIndexEvictions,omitempty"`
	Late      *int64 `json:"lateRecords,omitempty"`
}

// IdentityCount is one identity's row of a Report.
type IdentityCount struct {
	Identity string          `json:"identity"`
	Counts   map[Verdict]int `json:"counts"`
}

// NewReport puts together the counts s of a run and its totals st; ss is
// the Stream run's, or nil.
func NewReport(s Summary, st Stats, ss *StreamStats) Report {
	rep := Report{Files: st.Files, Records: st.Records, Sessions: s.Total, ByVerdict: s.ByVerdict, ByIdentity: []IdentityCount{}}
	if ss != nil {
		rep.Evictions, rep.Late = &ss.Evictions, &ss.Late
	}
	for id, c := range s.ByIdentity {
		rep.ByIdentity = append(rep.ByIdentity, IdentityCount{id, c})
	}
	sort.Slice(rep.ByIdentity, func(i, j int) bool { return rep.ByIdentity[i].Identity < rep.ByIdentity[j].Identity })
	return rep
}
