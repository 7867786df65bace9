package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

var testKey = totp.Key("monkey.jpg bytes")

func testDB(t *testing.T) *DB {
	t.Helper()
	db, err := ParseDB([]byte(fmt.Sprintf(`[{"CN=foo.not-your-co.com": %q}]`, hex.EncodeToString(testKey))))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func code(t *testing.T, at time.Time) string {
	t.Helper()
	c, err := totp.Code(testKey, at, totp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createSession(when time.Time, subject, name, ip string) string {
	nameField := ""
	if name != "\x00" {
		nameField = fmt.Sprintf(`,"roleSessionName":%q`, name)
	}
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","sourceIPAddress":%q,"requestParameters":{"roleArn":"arn:aws:iam::123456789012:role/r"%s},"responseElements":{"x509Subject":%q}}`,
		when.UTC().Format(time.RFC3339), ip, nameField, subject)
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func detect(t *testing.T, paths []string, o Options) ([]Result, error) {
	t.Helper()
	rs, _, err := Detect(context.Background(), paths, o, &Checker{DB: testDB(t), Policy: totp.SeedScriptPolicy})
	return rs, err
}

// TestRobustness is acceptance 3: damaged and hostile inputs are each
// reported, nothing crashes, and the good files around them are read.
func TestRobustness(t *testing.T) {
	when := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	good := createSession(when, "CN=foo.not-your-co.com", code(t, when), "192.0.2.1")
	goodFile := `{"Records":[` + good + `]}`
	full := gz(t, goodFile)
	huge := strings.Repeat("A", 10<<20)

	tests := []struct {
		name    string
		data    []byte
		wantErr error  // a read error for this file, or nil
		verdict string // the verdict of its record, "" for none
		reason  string // a substring of the reason
	}{
		{"truncated gzip", full[:len(full)/2], ErrTruncated, "", ""},
		{"gzip bad checksum", append(append([]byte{}, full[:len(full)-8]...), 1, 2, 3, 4, 5, 6, 7, 8), gzip.ErrChecksum, "legit", ""},
		{"not json", []byte("this is a README, not a log\n"), ErrNotJSON, "", ""},
		{"truncated json", []byte(goodFile[:len(goodFile)-40]), ErrTruncated, "", ""},
		{"10 MB string in a relevant record", []byte(`{"Records":[{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","big":"` + huge + `"}]}`), nil, "malformed", "larger than"},
		{"10 MB string in another record", gz(t, `{"Records":[{"eventSource":"s3.amazonaws.com","big":"`+huge+`"},`+good+`]}`), nil, "legit", ""},
		{"missing eventTime", []byte(strings.Replace(good, `"eventTime"`, `"eventTimeX"`, 1)), nil, "malformed", "time missing (eventTime)"},
		{"bad eventTime", []byte(strings.Replace(good, when.Format(time.RFC3339), "yesterday", 1)), nil, "malformed", `eventTime "yesterday" is not an RFC 3339 time`},
		{"missing identity", []byte(strings.Replace(good, `"x509Subject"`, `"subject"`, 1)), nil, "malformed", "identity missing (responseElements.x509Subject"},
		{"missing session name", []byte(createSession(when, "CN=foo.not-your-co.com", "\x00", "192.0.2.1")), nil, "no-session-name", "did not send a TOTP code"},
		{"null session name", []byte(strings.Replace(good, `"roleSessionName":"`+code(t, when)+`"`, `"roleSessionName":null`, 1)), nil, "no-session-name", ""},
		{"numeric session name", []byte(strings.Replace(good, `"roleSessionName":"`+code(t, when)+`"`, `"roleSessionName":12`, 1)), nil, "mismatch", "not a 6-8 digit"},
		{"non-utf8 bytes", []byte(strings.Replace(good, "192.0.2.1", "192.0.2.1\xff\xfe", 1)), nil, "malformed", "not UTF-8"},
		{"invalid json inside a relevant record", []byte(`{"Records":[{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","x":tru}]}`), nil, "malformed", "not valid JSON"},
		{"unknown identity", []byte(createSession(when, "CN=bar.not-your-co.com", code(t, when), "192.0.2.1")), nil, "unknown-identity", `"bar.not-your-co.com" is not in the seed database`},
		{"mismatch", []byte(createSession(when, "CN=foo.not-your-co.com", "000000", "192.0.2.1")), nil, "mismatch", "does not match"},
	}
	dir := t.TempDir()
	okPath := write(t, dir, "a-good.json.gz", full)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, strings.ReplaceAll(tt.name, " ", "_"), tt.data)
			rs, err := detect(t, []string{okPath, p, okPath}, Options{Jobs: 2})
			if tt.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.Path != p {
					t.Errorf("error %v does not name %s", err, p)
				}
			}
			var others []Result
			var mine []Result
			for _, r := range rs {
				if r.Path == okPath {
					others = append(others, r)
				} else {
					mine = append(mine, r)
				}
			}
			if len(others) != 2 {
				t.Errorf("the good file (given twice) gave %d results, want 2", len(others))
			}
			if tt.verdict == "" {
				if len(mine) != 0 {
					t.Errorf("got %d results from the damaged file: %+v", len(mine), mine)
				}
				return
			}
			if len(mine) != 1 {
				t.Fatalf("got %d results, want 1: %+v", len(mine), mine)
			}
			if string(mine[0].Verdict) != tt.verdict || !strings.Contains(mine[0].Reason, tt.reason) {
				t.Errorf("got %s (%s), want %s (%s)", mine[0].Verdict, mine[0].Reason, tt.verdict, tt.reason)
			}
		})
	}
}

func TestReadInputs(t *testing.T) {
	when := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	rec := func(ip string) string {
		return createSession(when, "CN=foo.not-your-co.com", code(t, when), ip)
	}
	dir := t.TempDir()
	write(t, dir, "logs/2026/11/21/a.json.gz", gz(t, `{"Records":[`+rec("192.0.2.1")+`]}`))
	write(t, dir, "logs/2026/11/21/b.json", []byte(`{"Records":[`+rec("192.0.2.1")+`]}`))
	write(t, dir, "logs/2026/11/21/c.gz.renamed", gz(t, rec("192.0.2.1")+"\n"+rec("192.0.2.1")+"\n"))
	write(t, dir, "logs/README.txt", []byte("CloudTrail logs live here\n")) // skipped: found in a directory
	write(t, dir, "logs/empty", nil)
	write(t, dir, "logs/2026/11/21/d-bom.json", []byte("\xef\xbb\xbf"+rec("192.0.2.1")))
	stdin := strings.NewReader(rec("192.0.2.1"))
	st, err := Read(context.Background(), []string{filepath.Join(dir, "logs"), "-"}, Options{Stdin: stdin}, func(ev Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 5 || st.Events != 6 || st.Records != 6 {
		t.Errorf("got %+v, want 5 files (4 logs, one with a byte order mark, and stdin; README and the empty file skipped), 6 records, 6 events", st)
	}
	_, err = Read(context.Background(), []string{filepath.Join(dir, "missing.json")}, Options{}, func(Event) {})
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

// TestReplayAndMerge: the same code accepted twice from different
// addresses is a replay; the AssumeRole Roles Anywhere made for a session
// is merged into its CreateSession; --sessions adds a session seen only in
// later calls, once.
func TestReplayAndMerge(t *testing.T) {
	when := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	c := code(t, when)
	assume := fmt.Sprintf(`{"eventTime":%q,"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userIdentity":{"type":"AWSService","invokedBy":"rolesanywhere.amazonaws.com"},"sourceIPAddress":"rolesanywhere.amazonaws.com","requestParameters":{"roleSessionName":%q,"sourceIdentity":"CN=foo.not-your-co.com"}}`,
		when.Add(time.Second).Format(time.RFC3339), c)
	call := func(at time.Time, created time.Time, name string) string {
		return fmt.Sprintf(`{"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"192.0.2.1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/r/%s","sessionContext":{"sourceIdentity":"CN=foo.not-your-co.com","attributes":{"creationDate":%q}}}}`,
			at.Format(time.RFC3339), name, created.Format(time.RFC3339))
	}
	later := when.Add(time.Hour)
	lc := code(t, later)
	lines := []string{
		createSession(when, "CN=foo.not-your-co.com", c, "192.0.2.1"),
		assume,
		createSession(when.Add(20*time.Second), "CN=foo.not-your-co.com", c, "192.0.2.1"),   // same address: fine
		createSession(when.Add(25*time.Second), "CN=foo.not-your-co.com", c, "203.0.113.9"), // another address: replay
		call(when.Add(10*time.Minute), when, c),                                             // a call of the first session
		call(later.Add(time.Minute), later, lc),                                             // a session seen only here
		call(later.Add(2*time.Minute), later, lc),                                           // and again
	}
	p := write(t, t.TempDir(), "events.jsonl", []byte(strings.Join(lines, "\n")))
	for _, sessions := range []bool{false, true} {
		rs, err := detect(t, []string{p}, Options{Sessions: sessions})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, fmt.Sprintf("%s %s %s", r.Kind, r.Verdict, r.SourceIP))
		}
		want := []string{"CreateSession legit 192.0.2.1", "CreateSession legit 192.0.2.1", "CreateSession replay 203.0.113.9"}
		if sessions {
			want = append(want, "SessionCall legit 192.0.2.1")
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("sessions=%v:\ngot  %q\nwant %q", sessions, got, want)
		}
		if !strings.Contains(rs[2].Reason, "already accepted") {
			t.Errorf("replay reason %q", rs[2].Reason)
		}
	}
}

func TestFieldOverrides(t *testing.T) {
	when := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	rec := fmt.Sprintf(`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","when":%q,"who":{"cn":"foo.not-your-co.com"},"name":%q}`, when.Format(time.RFC3339), code(t, when))
	p := write(t, t.TempDir(), "e.json", []byte(rec))
	rs, err := detect(t, []string{p}, Options{})
	if err != nil || len(rs) != 1 || rs[0].Verdict != Malformed {
		t.Fatalf("default table: got %+v, %v; want one malformed", rs, err)
	}
	rs, err = detect(t, []string{p}, Options{IdentityFields: []string{"who.cn"}, SessionNameFields: []string{"name"}, TimeFields: []string{"when"}})
	if err != nil || len(rs) != 1 || rs[0].Verdict != Legit {
		t.Fatalf("overrides: got %+v, %v; want one legit", rs, err)
	}
	if _, err := detect(t, []string{p}, Options{IdentityFields: []string{"who..cn"}}); err == nil {
		t.Error("a bad path was accepted")
	}
}

func TestParseDB(t *testing.T) {
	seed := hex.EncodeToString(testKey)
	tests := []struct {
		name, in string
		ids      []string
		err      bool
	}{
		{"seed format", `[{"CN=a.example": "` + seed + `"}, {"CN=b.example": "` + seed + `"}]`, []string{"a.example", "b.example"}, false},
		{"plain object", `{"a.example": "` + seed + `", "CN=b.example": "` + strings.ToUpper(seed) + `"}`, []string{"a.example", "b.example"}, false},
		{"same twice", `[{"CN=a": "` + seed + `"}, {"a": "` + seed + `"}]`, []string{"a"}, false},
		{"conflict", `[{"CN=a": "` + seed + `"}, {"a": "00"}]`, nil, true},
		{"bad hex", `{"a": "xyz"}`, nil, true},
		{"odd hex", `{"a": "abc"}`, nil, true},
		{"number seed", `{"a": 12}`, nil, true},
		{"not json", `a: b`, nil, true},
		{"empty identity", `{"CN=": "00"}`, nil, true},
		{"number seed in array", `[{"a": 12}]`, nil, true},
		{"not an object in array", `["` + seed + `"]`, nil, true},
		{"same key twice in one object", `[{"a": "` + seed + `", "a": "00"}]`, nil, true},
		{"truncated array", `[{"a": "` + seed + `"}`, nil, true},
		{"data after array", `[{"a": "` + seed + `"}] x`, nil, true},
		{"several keys in one object", `[{"b": "` + seed + `", "a": "` + seed + `"}]`, []string{"a", "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := ParseDB([]byte(tt.in))
			if tt.err {
				if err == nil || !errors.Is(err, ErrDBFormat) {
					t.Fatalf("got %v, want ErrDBFormat", err)
				}
				if strings.Contains(err.Error(), seed) || strings.Contains(err.Error(), "xyz") {
					t.Errorf("error %q shows a seed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := db.Identities(); fmt.Sprint(got) != fmt.Sprint(tt.ids) {
				t.Errorf("got %v, want %v", got, tt.ids)
			}
			if s := fmt.Sprintf("%v %+v %#v", db, db, db); strings.Contains(s, seed) {
				t.Errorf("DB prints its seeds: %s", s)
			}
		})
	}
}

func TestLoadDBPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not checked on Windows (LoadDB warns instead)")
	}
	dir := t.TempDir()
	p := write(t, dir, "env-sha1sum-db.json", []byte(`{"a": "`+hex.EncodeToString(testKey)+`"}`))
	for _, tt := range []struct {
		mode     os.FileMode
		err      error
		warnings int
	}{
		{0o600, nil, 0},
		{0o640, nil, 0},
		{0o644, nil, 1},
		{0o620, ErrDBWritable, 0},
		{0o666, ErrDBWritable, 0},
	} {
		if err := os.Chmod(p, tt.mode); err != nil {
			t.Fatal(err)
		}
		_, warnings, err := LoadDB(p)
		if !errors.Is(err, tt.err) || len(warnings) != tt.warnings {
			t.Errorf("mode %04o: got %v and %d warnings, want %v and %d", tt.mode, err, len(warnings), tt.err, tt.warnings)
		}
		if err != nil {
			var de *DBError
			if !errors.As(err, &de) || de.Op != "check" || de.Path != p || !strings.Contains(err.Error(), p) {
				t.Errorf("mode %04o: error %v lacks the path or the step", tt.mode, err)
			}
		}
	}
}

// FuzzParseDB: any input either parses into identities that all have a
// key, or fails with ErrDBFormat; it never panics.
func FuzzParseDB(f *testing.F) {
	seed := hex.EncodeToString(testKey)
	f.Add([]byte(`[{"CN=a.example": "` + seed + `"}]`))
	f.Add([]byte(`{"a.example": "` + seed + `"}`))
	f.Add([]byte(`[{"a": "` + seed + `", "a": "00"}]`))
	f.Add([]byte(`[{"a": 1}]`))
	f.Add([]byte(`[{"CN=a": "` + seed + `", "digits": 8}, {"a": "` + seed + `", "digits": 7}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := ParseDB(b)
		if err != nil {
			if !errors.Is(err, ErrDBFormat) {
				t.Fatalf("got %v, want ErrDBFormat", err)
			}
			return
		}
		for _, id := range db.Identities() {
			if k, ok := db.Key(id); !ok || len(k) == 0 {
				t.Fatalf("identity %q has no key", id)
			}
			if d := db.Digits(id); d != 0 && (d < 6 || d > 8) {
				t.Fatalf("identity %q has %d digits", id, d)
			}
		}
	})
}
