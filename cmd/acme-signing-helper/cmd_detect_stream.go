package main

import (
	"bufio"
	"fmt"
	"slices"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

// detectStream is detect --stream: each verdict is printed when it is
// decided (audit.Stream: files in input order, each file's records by
// time), --summary keeps only counters, and memory does not grow with the
// input. Output is buffered, and flushed after every line when standard
// input is read (a live stream).
func detectStream(e *env, o *detectOptions, ro audit.Options, checker *audit.Checker, db *audit.DB) error {
	live := slices.Contains(o.paths, "-")
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	tally := audit.NewTally(db, audit.DefaultTallyOthers)
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
	detectRead(e, ro, st.Stats, start, "results", st.Results, "evictions", st.Evictions, "late", st.Late)
	if werr == nil && o.summary {
		werr = writeSummary(w, o.format, audit.NewReport(tally.Summary(), st.Stats, &st))
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
	return detectExit(e, st.Stats, nil, readErr, st.Results == 0, st.NotLegit == 0)
}
