package audit

import (
	"container/heap"
	"container/list"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// Stream mode (detect --stream): results are decided and handed out while
// the input is read, with memory that does not grow with the input.
//
// Order: inputs in input order (the order Read expands them to: paths as
// given, directories walked in lexical order, which for CloudTrail's S3 key
// layout is time order). Within a file, results come in chunks of at most
// StreamOptions.ChunkSize results in record order, each chunk sorted by
// event time (ties in record order); a CloudTrail file holds 5 to 15
// minutes of records in no particular order, so one chunk is usually the
// whole file. Files are read in parallel (Options.Jobs) and handed out in
// input order: each file may run at most two chunks ahead of the output,
// so at most Jobs files' chunks are held. The order depends only on the
// input, never on --jobs or timing.
//
// Merging and replays follow Finish, with indexes bounded in time and
// size instead of the whole run: the watermark is the newest event time
// handed out so far; entries older than the watermark minus
// StreamOptions.Horizon are dropped, and when an index is full the least
// recently used entry is evicted (counted in StreamStats.Evictions: a
// replay or a merge may then be missed). An STS AssumeRole (and with
// --sessions a later call) that matches no CreateSession seen so far is
// held until the watermark passes its time plus the 5-minute same-session
// window, so a CreateSession read later (from the next file) still absorbs
// it; then it is handed out (held records leave by that time, ties in the
// order they came). Records older than the watermark minus the horizon are
// still checked against the indexes but not remembered (counted in
// StreamStats.Late). The first acceptance of a code in output order stays
// legit; with time-ordered files that is the first in time, as with Finish.
//
// Memory: Jobs files being read (a read buffer and at most one record of
// MaxRecordBytes each) and at most two chunks of results per file ahead of
// the output, plus four indexes of at most IndexSize entries (about 250
// bytes each: about 60 MB with the defaults when every index is full,
// which takes more than 65,536 sessions within the horizon; a few MB for a
// fleet of hundreds of workloads). Nothing grows with the number of files,
// records or sessions but the list of input paths.
//
// Security considerations: the input is untrusted. A record with a time far
// in the future moves the watermark and makes the indexes forget everything
// older than the horizon before it (replays and merges across it may be
// missed; the later records count as late, so --summary shows it); a flood
// of sessions fills the indexes (evictions are counted). Neither can make a
// mismatch look legit: the verdict of each record is its own.

// Defaults of StreamOptions.
const (
	DefaultReplayHorizon   = time.Hour
	DefaultStreamIndexSize = 1 << 16
	DefaultStreamChunkSize = 4096
)

// StreamOptions bound the memory of Stream.
type StreamOptions struct {
	// Horizon is how far behind the newest event time replay and merge
	// entries are kept; 0 means DefaultReplayHorizon.
	Horizon time.Duration
	// IndexSize caps the entries of each index (replays, sessions, held
	// records); 0 means DefaultStreamIndexSize.
	IndexSize int
	// ChunkSize is the number of results of one file sorted and handed out
	// together; 0 means DefaultStreamChunkSize.
	ChunkSize int
}

func (so *StreamOptions) defaults() {
	if so.Horizon <= 0 {
		so.Horizon = DefaultReplayHorizon
	}
	if so.IndexSize <= 0 {
		so.IndexSize = DefaultStreamIndexSize
	}
	if so.ChunkSize <= 0 {
		so.ChunkSize = DefaultStreamChunkSize
	}
}

// StreamStats are the totals of a Stream run.
type StreamStats struct {
	Stats
	// Results is the number of results handed out; NotLegit those whose
	// verdict is not legit.
	Results, NotLegit int64
	// Evictions counts index entries dropped because an index was full,
	// before the horizon: replays or merges involving them may be missed.
	Evictions int64
	// Late counts records older than the watermark minus the horizon when
	// they were handed out: checked against a partial index.
	Late int64
}

// Stream reads paths like Read, checks every event with c and calls emit
// for each result in the deterministic order described above, merging
// session records and marking replays with bounded indexes. emit is called
// from the calling goroutine, one result at a time; when it returns an
// error, Stream stops reading and returns that error. Otherwise the error
// is Read's (files that could not be read; the others were).
func Stream(ctx context.Context, paths []string, o Options, so StreamOptions, c *Checker, emit func(Result) error) (StreamStats, error) {
	so.defaults()
	x, err := newExtractor(&o)
	if err != nil {
		return StreamStats{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ins, errs := expand(paths)
	chunks := make([]chan []Result, len(ins))
	for i := range chunks {
		chunks[i] = make(chan []Result, 2)
	}
	byTime := func(a, b Result) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmpInt64(a.seq, b.seq)
	}
	var st StreamStats
	wait := readInputs(ctx, ins, &o, func(i int) (Stats, bool, error) {
		out := chunks[i]
		var buf []Result
		send := func() {
			if len(buf) == 0 {
				return
			}
			slices.SortStableFunc(buf, byTime)
			select {
			case out <- buf:
			case <-ctx.Done():
			}
			buf = nil
		}
		fst, counted, err := readInput(ctx, ins[i], &o, x, func(ev Event) {
			buf = append(buf, c.Check(ev))
			if len(buf) >= so.ChunkSize {
				send()
			}
		})
		send()
		close(out)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = nil // reported once below, or the emit error is
		}
		return fst, counted, err
	}, func(i int) { close(chunks[i]) })
	s := newStreamState(so)
	var emitErr error
	out := func(r Result) {
		if emitErr != nil {
			return
		}
		st.Results++
		if r.Verdict != Legit {
			st.NotLegit++
		}
		if err := emit(r); err != nil {
			emitErr = err
			cancel()
		}
	}
	for i := range chunks {
		for chunk := range chunks[i] {
			for _, r := range chunk {
				if emitErr == nil {
					s.add(r, out)
				}
			}
		}
	}
	s.flush(out)
	var readErrs []error
	st.Stats, readErrs = wait()
	st.Evictions, st.Late = s.evictions, s.lateCount
	if emitErr != nil {
		return st, emitErr
	}
	return st, errors.Join(append(errs, readErrs...)...)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lru is an index of at most size entries, each with a time; entries
// older than a cut-off are pruned, and the least recently used one is
// evicted when it is full.
type lru[V any] struct {
	m         map[string]*list.Element
	l         list.List
	size      int
	evictions *int64
	horizonOK func(time.Time) bool // still within the horizon
}

type lruEntry[V any] struct {
	key string
	t   time.Time
	v   V
}

func newLRU[V any](size int, evictions *int64, within func(time.Time) bool) *lru[V] {
	return &lru[V]{m: map[string]*list.Element{}, size: size, evictions: evictions, horizonOK: within}
}

func (x *lru[V]) get(key string) (*lruEntry[V], bool) {
	e, ok := x.m[key]
	if !ok {
		return nil, false
	}
	x.l.MoveToFront(e)
	return e.Value.(*lruEntry[V]), true
}

func (x *lru[V]) put(key string, t time.Time, v V) {
	if e, ok := x.m[key]; ok {
		x.l.MoveToFront(e)
		en := e.Value.(*lruEntry[V])
		en.t, en.v = t, v
		return
	}
	if len(x.m) >= x.size {
		old := x.l.Back()
		en := old.Value.(*lruEntry[V])
		if x.horizonOK(en.t) {
			*x.evictions++
		}
		x.l.Remove(old)
		delete(x.m, en.key)
	}
	x.m[key] = x.l.PushFront(&lruEntry[V]{key: key, t: t, v: v})
}

func (x *lru[V]) prune(cut time.Time) {
	for e := x.l.Front(); e != nil; {
		n := e.Next()
		if en := e.Value.(*lruEntry[V]); en.t.Before(cut) {
			x.l.Remove(e)
			delete(x.m, en.key)
		}
		e = n
	}
}

// pruneEvery bounds the results between two prunes of the indexes.
const pruneEvery = 4096

// maxMarks is the number of CreateSession times kept per identity and
// session name (the newest ones).
const maxMarks = 4

// firstAccept is the first acceptance of a code (replay index), or with
// longer > 0 a longer code whose truncation the key's code is.
type firstAccept seenCode

// streamState merges and marks replays in output order (one goroutine).
type streamState struct {
	so         StreamOptions
	watermark  time.Time
	lastPrune  time.Time
	sincePrune int // results since the last prune
	evictions  int64
	lateCount  int64
	primary    *lru[[]time.Time] // identity, session name (or none) -> CreateSession times
	secondary  *lru[[]time.Time] // identity, session name -> AssumeRole times handed out
	seen       *lru[struct{}]    // session ID of a later call handed out
	replays    *lru[firstAccept] // identity, step, code -> first acceptance; "\x01" + that -> longer code seen
	// AssumeRole and later calls held for a CreateSession: a queue by
	// release time, by identity, and a count per session ID.
	pending      heldQueue
	heldSeq      int64
	heldByID     map[string][]*held
	heldSessions map[string]int
}

func newStreamState(so StreamOptions) *streamState {
	s := &streamState{so: so, heldByID: map[string][]*held{}, heldSessions: map[string]int{}}
	within := func(t time.Time) bool { return !t.Before(s.cut()) }
	s.primary = newLRU[[]time.Time](so.IndexSize, &s.evictions, within)
	s.secondary = newLRU[[]time.Time](so.IndexSize, &s.evictions, within)
	s.seen = newLRU[struct{}](so.IndexSize, &s.evictions, within)
	s.replays = newLRU[firstAccept](so.IndexSize, &s.evictions, within)
	return s
}

func (s *streamState) cut() time.Time { return s.watermark.Add(-s.so.Horizon) }

// late reports a result older than the horizon: it is checked against the
// indexes but not remembered (it would be pruned at once), which keeps
// memory bounded however out of order the input is.
func (s *streamState) late(r Result) bool { return !r.Time.IsZero() && r.Time.Before(s.cut()) }

func markKey(identity, name string, hasName bool) string {
	if !hasName {
		return identity + "\x00\x01"
	}
	return identity + "\x00\x00" + name
}

func addMark(x *lru[[]time.Time], key string, t time.Time) {
	var ts []time.Time
	if e, ok := x.get(key); ok {
		ts = e.v
	}
	ts = append(ts, t)
	if len(ts) > maxMarks {
		ts = ts[len(ts)-maxMarks:]
	}
	x.put(key, t, ts)
}

func nearMark(x *lru[[]time.Time], key string, t time.Time) bool {
	e, ok := x.get(key)
	if !ok {
		return false
	}
	for _, m := range e.v {
		if d := t.Sub(m); d > -sameSessionWindow && d < sameSessionWindow {
			return true
		}
	}
	return false
}

// ofSession reports a record of a CreateSession (or, with secondary, of an
// AssumeRole) already handed out, the rule of Finish.
func (s *streamState) ofSession(r *Result, secondary bool) bool {
	if nearMark(s.primary, markKey(r.Identity, r.SessionName, true), r.Time) || nearMark(s.primary, markKey(r.Identity, "", false), r.Time) {
		return true
	}
	return secondary && nearMark(s.secondary, markKey(r.Identity, r.SessionName, true), r.Time)
}

// add takes the next result in output order.
func (s *streamState) add(r Result, out func(Result)) {
	if s.late(r) && r.Kind != KindSessionCall { // a later call is timed by its session's creation
		s.lateCount++
	}
	switch {
	case r.Problem != "":
	case r.Kind == KindCreateSession:
		if !s.late(r) {
			addMark(s.primary, markKey(r.Identity, r.SessionName, r.HasSessionName && r.SessionName != ""), r.Time)
		}
		s.dropPendingOf(&r)
	case r.Kind == KindAssumeRole:
		if s.ofSession(&r, false) {
			return
		}
		s.hold(r, out)
		return
	case r.Kind == KindSessionCall:
		if _, ok := s.seen.get(r.sessionID); ok || s.ofSession(&r, true) || s.heldSessions[r.sessionID] > 0 {
			return
		}
		s.hold(r, out)
		return
	}
	s.advance(r.Time, out)
	s.emit(r, out)
}

// held is a record held for a CreateSession that may absorb it.
type held struct {
	r        Result
	deadline time.Time // released when the watermark passes it
	seq      int64     // hold order: ties of deadline
	dead     bool      // absorbed by a CreateSession
	gone     bool      // out of the queue
}

// heldQueue is a min-heap of held records by (deadline, seq).
type heldQueue []*held

func (q heldQueue) Len() int { return len(q) }
func (q heldQueue) Less(i, j int) bool {
	if c := q[i].deadline.Compare(q[j].deadline); c != 0 {
		return c < 0
	}
	return q[i].seq < q[j].seq
}
func (q heldQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *heldQueue) Push(x any)   { *q = append(*q, x.(*held)) }
func (q *heldQueue) Pop() any {
	old := *q
	h := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return h
}

// hold keeps an AssumeRole or a later call until the watermark passes its
// time plus the same-session window.
func (s *streamState) hold(r Result, out func(Result)) {
	if len(s.pending) >= s.so.IndexSize {
		if h := s.popHeld(); !h.dead {
			s.evictions++
			s.release(h.r, out)
		}
	}
	s.heldSeq++
	h := &held{r: r, deadline: r.Time.Add(sameSessionWindow), seq: s.heldSeq}
	heap.Push(&s.pending, h)
	s.heldByID[r.Identity] = append(s.heldByID[r.Identity], h)
	if r.Kind == KindSessionCall {
		s.heldSessions[r.sessionID]++
	}
	s.advance(r.Time, out)
}

// popHeld takes the held record with the earliest deadline out of the
// queue and the lookups.
func (s *streamState) popHeld() *held {
	h := heap.Pop(&s.pending).(*held)
	h.gone = true
	// Records leave in about the order they came: trim the front of the
	// identity's list (the others go when they reach it).
	hs := s.heldByID[h.r.Identity]
	for len(hs) > 0 && hs[0].gone {
		hs[0] = nil
		hs = hs[1:]
	}
	if len(hs) == 0 {
		delete(s.heldByID, h.r.Identity)
	} else {
		s.heldByID[h.r.Identity] = hs
	}
	if h.r.Kind == KindSessionCall && !h.dead {
		s.unholdSession(h.r.sessionID)
	}
	return h
}

func (s *streamState) unholdSession(id string) {
	if s.heldSessions[id]--; s.heldSessions[id] <= 0 {
		delete(s.heldSessions, id)
	}
}

// dropPendingOf marks absorbed the held records that belong to the session
// of the CreateSession r.
func (s *streamState) dropPendingOf(r *Result) {
	hasName := r.HasSessionName && r.SessionName != ""
	for _, h := range s.heldByID[r.Identity] {
		d := h.r.Time.Sub(r.Time)
		if !h.dead && !h.gone && d > -sameSessionWindow && d < sameSessionWindow && (!hasName || h.r.SessionName == r.SessionName) {
			h.dead = true
			if h.r.Kind == KindSessionCall {
				s.unholdSession(h.r.sessionID)
			}
		}
	}
}

// release hands out a held record that no CreateSession absorbed.
func (s *streamState) release(r Result, out func(Result)) {
	switch r.Kind {
	case KindAssumeRole:
		if s.late(r) {
			break
		}
		addMark(s.secondary, markKey(r.Identity, r.SessionName, true), r.Time)
	case KindSessionCall:
		if _, ok := s.seen.get(r.sessionID); ok || s.ofSession(&r, true) {
			return
		}
		s.seen.put(r.sessionID, s.watermark, struct{}{})
	}
	s.emit(r, out)
}

// advance moves the watermark, releases held records whose window has
// passed and prunes the indexes now and then.
func (s *streamState) advance(t time.Time, out func(Result)) {
	if t.After(s.watermark) {
		s.watermark = t
	}
	for len(s.pending) > 0 && s.watermark.After(s.pending[0].deadline) {
		if h := s.popHeld(); !h.dead {
			s.release(h.r, out)
		}
	}
	// Prune when the watermark has moved by a quarter of the horizon, or
	// after pruneEvery results (late records do not move the watermark but
	// add entries that are already out of the horizon).
	s.sincePrune++
	if s.watermark.Sub(s.lastPrune) >= s.so.Horizon/4 || s.sincePrune >= pruneEvery {
		cut := s.cut()
		s.primary.prune(cut)
		s.secondary.prune(cut)
		s.seen.prune(cut)
		s.replays.prune(cut)
		s.lastPrune, s.sincePrune = s.watermark, 0
	}
}

// flush hands out every held record (end of input).
func (s *streamState) flush(out func(Result)) {
	for len(s.pending) > 0 {
		if h := s.popHeld(); !h.dead {
			s.release(h.r, out)
		}
	}
}

// emit marks a replay (the rule of Finish) and hands r out.
func (s *streamState) emit(r Result, out func(Result)) {
	if r.fullMatched && !s.late(r) {
		// A code of another length than configured: remember its
		// truncations, so that they are replays from another source.
		for _, suffix := range truncations(r.SessionName) {
			k := "\x01" + r.Identity + "\x00" + strconv.FormatInt(r.fullStep, 10) + "\x00" + suffix
			if _, ok := s.replays.get(k); !ok {
				s.replays.put(k, r.Time, firstAccept{r.Time, r.SourceIP, r.CertSerial, len(r.SessionName)})
			}
		}
	}
	if r.Verdict == Legit {
		k := r.Identity + "\x00" + strconv.FormatInt(r.Step, 10) + "\x00" + r.SessionName
		if f, ok := s.replays.get(k); !ok {
			if !s.late(r) {
				s.replays.put(k, r.Time, firstAccept{r.Time, r.SourceIP, r.CertSerial, 0})
			}
			if f, ok := s.replays.get("\x01" + k); ok {
				markReplay(&r, seenCode(f.v))
			}
		} else {
			markReplay(&r, seenCode(f.v))
		}
	}
	out(r)
}

// DefaultTallyOthers is a cap for NewTally: rows for at most this many
// identities that are not in the seed database (records name identities,
// so without a cap a flood of made-up ones would grow the tally).
const DefaultTallyOthers = 1000

// OtherIdentities is the row of a Tally that counts identities beyond its
// cap.
const OtherIdentities = "(other identities)"

// Tally counts results with bounded memory: one row per identity of the
// seed database, up to a cap of other identities, and one OtherIdentities
// row for the rest.
type Tally struct {
	db       *DB
	maxOther int
	others   int
	s        Summary
}

// NewTally counts per identity every identity of db and up to maxOther
// others.
func NewTally(db *DB, maxOther int) *Tally {
	return &Tally{db: db, maxOther: maxOther, s: newSummary()}
}

// Add counts one result.
func (t *Tally) Add(r Result) {
	id := r.Identity
	if _, seen := t.s.ByIdentity[id]; !seen {
		_, known := t.db.Key(id)
		switch {
		case known:
		case t.others < t.maxOther:
			t.others++
		default:
			id = OtherIdentities
		}
	}
	t.s.add(id, r.Verdict)
}

// Summary returns the counts so far.
func (t *Tally) Summary() Summary { return t.s }
