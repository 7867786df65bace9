package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

func stream(t *testing.T, paths []string, o Options, so StreamOptions, c *Checker) ([]Result, StreamStats) {
	t.Helper()
	var rs []Result
	st, err := Stream(context.Background(), paths, o, so, c, func(r Result) error {
		rs = append(rs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rs, st
}

func resultKey(r Result) string {
	return fmt.Sprintf("%s %s %s %s %q %s %s:%d %s", r.Kind, r.Verdict, r.Identity, r.Time.UTC().Format(time.RFC3339), r.SessionName, r.SourceIP, r.Path, r.Offset, r.Reason)
}

func resultKeys(rs []Result) []string {
	ks := make([]string, len(rs))
	for i, r := range rs {
		ks[i] = resultKey(r)
	}
	return ks
}

// sameMultiset compares results regardless of order.
func sameMultiset(t *testing.T, what string, got, want []Result) {
	t.Helper()
	g, w := resultKeys(got), resultKeys(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		for _, k := range g {
			if !slices.Contains(w, k) {
				t.Errorf("%s: only in stream: %s", what, k)
			}
		}
		for _, k := range w {
			if !slices.Contains(g, k) {
				t.Errorf("%s: only in default mode: %s", what, k)
			}
		}
		t.Fatalf("%s: %d results in stream mode, %d in default mode", what, len(g), len(w))
	}
}

// replayFiles writes CloudTrail files, in path (and time) order, with the
// cases where stream mode must look beyond one file: a replay of a code
// from another address in the next file, an AssumeRole logged in the file
// before its CreateSession, a later call of a session whose CreateSession
// is in an earlier file, a session seen only in later calls (twice), and a
// replay with another certificate serial within one file.
func replayFiles(t *testing.T) string {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	c0 := code(t, t0)
	t1 := t0.Add(10 * time.Minute)
	c1 := code(t, t1)
	later := t0.Add(40 * time.Minute)
	lc := code(t, later)
	const id = "CN=foo.not-your-co.com"
	assume := func(at time.Time, name string) string {
		return fmt.Sprintf(`{"eventTime":%q,"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userIdentity":{"type":"AWSService","invokedBy":"rolesanywhere.amazonaws.com"},"sourceIPAddress":"rolesanywhere.amazonaws.com","requestParameters":{"roleSessionName":%q,"sourceIdentity":%q}}`,
			at.Format(time.RFC3339), name, id)
	}
	call := func(at, created time.Time, name string) string {
		return fmt.Sprintf(`{"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"192.0.2.1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/r/%s","principalId":"AROAEXAMPLE:%s","sessionContext":{"sourceIdentity":%q,"attributes":{"creationDate":%q}}}}`,
			at.Format(time.RFC3339), name, name, id, created.Format(time.RFC3339))
	}
	log := func(recs ...string) []byte { return gz(t, `{"Records":[`+strings.Join(recs, ",")+`]}`) }
	p := "AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/"
	write(t, dir, p+"a.json.gz", log(
		createSession(t0.Add(5*time.Second), id, c0, "192.0.2.1"),
		createSession(t0, id, c0, "192.0.2.1"),
		assume(t1.Add(-2*time.Second), c1), // its CreateSession is in the next file
	))
	write(t, dir, p+"b.json.gz", log(
		createSession(t0.Add(20*time.Second), id, c0, "203.0.113.9"), // replay from another address
		createSession(t1.Add(-2*time.Second), id, c1, "192.0.2.1"),
		call(t1.Add(time.Minute), t0, c0),   // a call of the first session
		assume(t1.Add(time.Second), "nope"), // no CreateSession anywhere: stays
	))
	write(t, dir, p+"c.json.gz", log(
		call(later.Add(time.Minute), later, lc), // a session seen only here
		call(later.Add(2*time.Minute), later, lc),
	))
	return filepath.Join(dir, "AWSLogs")
}

// TestStreamMatchesDetect: stream mode gives the same results as the
// default mode (as a multiset, replays included) on a generated corpus and
// on files that need cross-file merging and replay marking; its output is
// the same whatever --jobs and chunk size.
func TestStreamMatchesDetect(t *testing.T) {
	corpus := t.TempDir()
	gc, err := cloudtrailgen.Generate(corpus, cloudtrailgen.Config{Seed: 11, Files: 6, RecordsPerFile: 1500, RolesAnywhereFraction: 0.03, AssumeRole: true, BadFraction: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	gdb, err := ParseDB(gc.DB)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		path     string
		db       *DB
		sessions bool
		replays  int
	}{
		{"corpus", filepath.Join(corpus, "AWSLogs"), gdb, false, 0},
		{"cross-file", replayFiles(t), testDB(t), false, 1},
		{"cross-file sessions", replayFiles(t), testDB(t), true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Checker{DB: tc.db, Policy: totp.SeedScriptPolicy}
			o := Options{Sessions: tc.sessions, Jobs: 2}
			want, wst, err := Detect(context.Background(), []string{tc.path}, o, c)
			if err != nil {
				t.Fatal(err)
			}
			var first []string
			for _, jobs := range []int{1, 2, 3, 8} {
				for _, chunk := range []int{0, 7} {
					o.Jobs = jobs
					got, st := stream(t, []string{tc.path}, o, StreamOptions{ChunkSize: chunk}, c)
					sameMultiset(t, fmt.Sprintf("jobs %d chunk %d", jobs, chunk), got, want)
					if st.Stats != wst || st.Results != int64(len(got)) || st.Evictions != 0 {
						t.Errorf("jobs %d: stats %+v, want %+v and %d results, no evictions", jobs, st, wst, len(got))
					}
					keys := resultKeys(got)
					if chunk == 0 {
						if first == nil {
							first = keys
						} else if !slices.Equal(keys, first) {
							t.Errorf("jobs %d: order differs from jobs 1:\n%s\nvs\n%s", jobs, strings.Join(keys, "\n"), strings.Join(first, "\n"))
						}
					}
				}
			}
			n := 0
			for _, r := range want {
				if r.Verdict == Replay {
					n++
				}
			}
			if n != tc.replays {
				t.Errorf("%d replays, want %d", n, tc.replays)
			}
		})
	}
}

// TestStreamOrder: files in path order, each file's records by time.
func TestStreamOrder(t *testing.T) {
	got, _ := stream(t, []string{replayFiles(t)}, Options{Sessions: true}, StreamOptions{}, &Checker{DB: testDB(t), Policy: totp.SeedScriptPolicy})
	var lines []string
	for _, r := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s", filepath.Base(r.Path), r.Kind, r.Verdict, r.Time.Format("15:04:05"), r.SourceIP))
	}
	want := []string{
		"a.json.gz CreateSession legit 19:49:41 192.0.2.1",
		"a.json.gz CreateSession legit 19:49:46 192.0.2.1",
		"b.json.gz CreateSession replay 19:50:01 203.0.113.9",
		"b.json.gz CreateSession legit 19:59:39 192.0.2.1",
		// held until the watermark passed 19:59:42 + 5 minutes: the end here
		"b.json.gz AssumeRole mismatch 19:59:42 rolesanywhere.amazonaws.com",
		"c.json.gz SessionCall legit 20:29:41 192.0.2.1",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestStreamBoundedIndex: a full index evicts its least recently used
// entry and counts it (a replay is then missed, and the count says so);
// entries beyond the horizon are dropped without counting, and a record
// older than the horizon is counted late.
func TestStreamBoundedIndex(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	const id = "CN=foo.not-your-co.com"
	var recs []string
	for i := 0; i < 5; i++ { // five codes, 30 s apart
		at := t0.Add(time.Duration(i) * 30 * time.Second)
		recs = append(recs, createSession(at, id, code(t, at), "192.0.2.1"))
	}
	// The first code again from elsewhere, 5 s later: a replay.
	recs = append(recs, createSession(t0.Add(5*time.Second), id, code(t, t0), "203.0.113.9"))
	p := write(t, t.TempDir(), "events.jsonl", []byte(strings.Join(recs, "\n")))
	c := &Checker{DB: testDB(t), Policy: totp.SeedScriptPolicy}

	replays := func(rs []Result) int {
		n := 0
		for _, r := range rs {
			if r.Verdict == Replay {
				n++
			}
		}
		return n
	}
	// ChunkSize 1 keeps file order: the replay comes after the other codes.
	rs, st := stream(t, []string{p}, Options{}, StreamOptions{ChunkSize: 1}, c)
	if replays(rs) != 1 || st.Evictions != 0 {
		t.Errorf("big index: %d replays, %d evictions; want 1, 0", replays(rs), st.Evictions)
	}
	rs, st = stream(t, []string{p}, Options{}, StreamOptions{ChunkSize: 1, IndexSize: 2}, c)
	if replays(rs) != 0 || st.Evictions == 0 {
		t.Errorf("index of 2: %d replays, %d evictions; want the replay missed and evictions counted", replays(rs), st.Evictions)
	}
	// Horizon of 1 minute: the first code's entry is pruned, not evicted;
	// the replay, 2 minutes behind the watermark, is late.
	rs, st = stream(t, []string{p}, Options{}, StreamOptions{ChunkSize: 1, Horizon: time.Minute}, c)
	if replays(rs) != 0 || st.Evictions != 0 || st.Late != 1 {
		t.Errorf("horizon 1m: %d replays, %d evictions, %d late; want 0, 0, 1", replays(rs), st.Evictions, st.Late)
	}
	// Sorted by time (one chunk), the replay is in time: found.
	rs, st = stream(t, []string{p}, Options{}, StreamOptions{Horizon: time.Minute, IndexSize: 2}, c)
	if replays(rs) != 1 || st.Late != 0 {
		t.Errorf("one chunk: %d replays, %d late; want 1, 0", replays(rs), st.Late)
	}
}

// TestStreamHeldCap: AssumeRole records held for a CreateSession are
// capped too; one released early is counted, and none is lost.
func TestStreamHeldCap(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	var recs []string
	for i := 0; i < 3; i++ {
		recs = append(recs, fmt.Sprintf(`{"eventTime":%q,"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userIdentity":{"type":"AWSService","invokedBy":"rolesanywhere.amazonaws.com"},"sourceIPAddress":"rolesanywhere.amazonaws.com","requestParameters":{"roleSessionName":"12345%d","sourceIdentity":"CN=h%d.not-your-co.com"}}`,
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i, i))
	}
	p := write(t, t.TempDir(), "events.jsonl", []byte(strings.Join(recs, "\n")))
	c := &Checker{DB: testDB(t), Policy: totp.SeedScriptPolicy}
	// Index size 2: the third held record releases the first early, and
	// the third AssumeRole mark handed out evicts the first one.
	for _, tc := range []struct{ size, evictions int }{{16, 0}, {2, 2}} {
		rs, st := stream(t, []string{p}, Options{}, StreamOptions{IndexSize: tc.size}, c)
		if len(rs) != 3 || st.Evictions != int64(tc.evictions) {
			t.Errorf("index size %d: %d results, %d evictions; want 3, %d", tc.size, len(rs), st.Evictions, tc.evictions)
		}
	}
}

// TestStreamStop: an emit error stops the run and is returned.
func TestStreamStop(t *testing.T) {
	stop := fmt.Errorf("broken pipe")
	n := 0
	_, err := Stream(context.Background(), []string{replayFiles(t)}, Options{Jobs: 2}, StreamOptions{ChunkSize: 1}, &Checker{DB: testDB(t), Policy: totp.SeedScriptPolicy}, func(Result) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("got %v after %d results, want the emit error after 1", err, n)
	}
}

func TestTally(t *testing.T) {
	tl := NewTally(testDB(t), 2)
	for _, id := range []string{"foo.not-your-co.com", "a", "b", "c", "d", "a", "foo.not-your-co.com"} {
		tl.Add(Result{Event: Event{Identity: id}, Verdict: UnknownIdentity})
	}
	s := tl.Summary()
	got := map[string]int{}
	for id, m := range s.ByIdentity {
		got[id] = m[UnknownIdentity]
	}
	want := map[string]int{"foo.not-your-co.com": 2, "a": 2, "b": 1, OtherIdentities: 2}
	if fmt.Sprint(got) != fmt.Sprint(want) || s.Total != 7 || s.ByVerdict[UnknownIdentity] != 7 {
		t.Errorf("got %v (total %d), want %v", got, s.Total, want)
	}
}

// FuzzStreamState drives the merge and replay indexes with arbitrary
// sequences of results (kinds, identities, names, times out of order,
// tiny indexes): nothing panics, no CreateSession is dropped, a verdict
// only ever changes from legit to replay, and held records all come out
// or are absorbed.
func FuzzStreamState(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(2))
	f.Add([]byte{1, 1, 1, 0, 0, 0, 2, 2, 2, 255, 128, 64}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		so := StreamOptions{Horizon: 2 * time.Minute, IndexSize: int(size%8) + 1, ChunkSize: 1}
		so.defaults()
		s := newStreamState(so)
		t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
		kinds := []Kind{KindCreateSession, KindAssumeRole, KindSessionCall}
		verdicts := []Verdict{Legit, Legit, Mismatch, NoSessionName}
		in := map[Kind]int{}
		var out []Result
		emit := func(r Result) { out = append(out, r) }
		for i := 0; i+2 < len(data); i += 3 {
			a, b, c := data[i], data[i+1], data[i+2]
			r := Result{
				Event: Event{
					Kind:           kinds[int(a)%3],
					Identity:       fmt.Sprintf("h%d", a>>2&3),
					SessionName:    fmt.Sprintf("%06d", b&3),
					HasSessionName: b&4 == 0,
					SourceIP:       fmt.Sprintf("192.0.2.%d", b>>3&3),
					Time:           t0.Add(time.Duration(int(c)-64) * 10 * time.Second),
					sessionID:      fmt.Sprintf("s%d", b&7),
				},
				Verdict: verdicts[int(a>>4)%4],
				Step:    int64(c) / 3,
			}
			if a&0x40 != 0 {
				r.Problem, r.Verdict = "x", Malformed
			}
			if r.Kind == KindCreateSession || r.Problem != "" {
				in[r.Kind]++
			}
			s.add(r, emit)
		}
		s.flush(emit)
		got := map[Kind]int{}
		for _, r := range out {
			if r.Kind == KindCreateSession || r.Problem != "" {
				got[r.Kind]++
			}
			if r.Verdict == Replay && r.Reason == "" {
				t.Fatalf("replay without a reason: %+v", r)
			}
		}
		if got[KindCreateSession] != in[KindCreateSession] {
			t.Fatalf("%d CreateSession in, %d out", in[KindCreateSession], got[KindCreateSession])
		}
		if len(s.pending) != 0 || len(s.heldByID) != 0 || len(s.heldSessions) != 0 {
			t.Fatalf("held records left: %d queued, %d identities, %d sessions", len(s.pending), len(s.heldByID), len(s.heldSessions))
		}
	})
}
