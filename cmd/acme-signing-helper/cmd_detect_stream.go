package main

import (
	"bufio"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

// maxOtherIdentities caps the --summary rows of identities not in the seed
// database in --stream mode; the rest are counted in one row.
const maxOtherIdentities = 1000

// detectStream is detect --stream: each verdict is printed when it is
// decided (audit.Stream: files in input order, each file's records by
// time), --summary keeps only counters, and memory does not grow with the
// input. Output is buffered, and flushed after every line when standard
// input is read (a live stream).
func detectStream(e *env, o *detectOptions, ro audit.Options, checker *audit.Checker, db *audit.DB) error {
	live := false
	for _, p := range o.paths {
		live = live || p == "-"
	}
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	tally := audit.NewTally(db, maxOtherIdentities)
	one := make([]audit.Result, 1)
	var werr error // a write error stops the run
	emit := func(r audit.Result) error {
		if o.summary {
			tally.Add(r)
			return nil
		}
		one[0] = r
		if o.format == "json" {
			werr = writeJSONLines(w, one)
		} else {
			werr = writeText(w, one)
		}
		if werr == nil && live {
			werr = w.Flush()
		}
		return werr
	}
	start := e.now()
	so := audit.StreamOptions{Horizon: o.horizon, IndexSize: o.indexSize}
	st, readErr := audit.Stream(e.ctx, o.paths, ro, so, checker, emit)
	if ro.Progress != nil && st.Files > 1 {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	e.log.Debug("read", "files", st.Files, "records", st.Records, "considered", st.Events, "bytes", st.Bytes,
		"results", st.Results, "evictions", st.Evictions, "late", st.Late, "elapsed", e.now().Sub(start))
	if werr == nil && o.summary {
		werr = writeSummary(w, o.format, tally.Summary(), st.Stats, &st)
	}
	if werr == nil {
		werr = w.Flush()
	}
	if werr != nil {
		return fmt.Errorf("write results: %w", werr)
	}
	if st.Evictions > 0 {
		e.log.Warn("replay index full: entries evicted before the horizon, replays or merges may be missed", "evictions", st.Evictions, "hint", "raise --replay-index-size")
	}
	if readErr != nil {
		printReadErrors(e, readErr)
		return &exitError{code: 2}
	}
	if st.Results == 0 {
		e.log.Warn("no Roles Anywhere sessions found", "files", st.Files, "records", st.Records)
	}
	if st.NotLegit > 0 {
		return &exitError{code: 1}
	}
	return nil
}
