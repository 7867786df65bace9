package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Output is how the results of a run are written: one line of text per
// result (TextLine), one JSON object per result (JSONResult), the run's
// Report, or the seed script's "legit"/"oh no".
type Output struct {
	// JSON writes JSON lines, or the Report as one JSON object.
	JSON bool
	// Summary writes the Report instead of one line per result.
	Summary bool
	// Compat writes WriteCompat's lines (Write only; JSON and Summary
	// are ignored).
	Compat bool
}

// Write writes the results rs of a Detect run with totals st.
func (out Output) Write(w io.Writer, rs []Result, st Stats) error {
	switch {
	case out.Compat:
		return WriteCompat(w, rs)
	case out.Summary:
		return NewReport(Summarize(rs), st, nil).Write(w, out.JSON)
	case out.JSON:
		return WriteJSONLines(w, rs)
	}
	return WriteText(w, rs)
}

// Legit reports whether the run of rs passes: every result legit, and
// with Compat at least one (CompatLegit).
func (out Output) Legit(rs []Result) bool {
	if out.Compat {
		return CompatLegit(rs)
	}
	return AllLegit(rs)
}

// WriteText writes one TextLine per result.
func WriteText(w io.Writer, rs []Result) error {
	for _, r := range rs {
		if _, err := io.WriteString(w, TextLine(r)); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSONLines writes one JSONResult object per result, one a line.
func WriteJSONLines(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	for _, r := range rs {
		if err := enc.Encode(NewJSONResult(r)); err != nil {
			return err
		}
	}
	return nil
}

// Write writes the report as one JSON object (asJSON) or as a table:
// the totals, the count of each verdict, then one row per identity with
// its count of each verdict (identities QuoteField'ed).
func (rep Report) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(rep)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "files %d  records %d  sessions %d\n", rep.Files, rep.Records, rep.Sessions)
	if rep.Evictions != nil {
		fmt.Fprintf(&b, "replay index evictions %d  late records %d\n", *rep.Evictions, *rep.Late)
	}
	b.WriteByte('\n')
	for _, v := range Verdicts {
		fmt.Fprintf(&b, "%-17s %d\n", v, rep.ByVerdict[v])
	}
	b.WriteString("\nidentity")
	for _, v := range Verdicts {
		fmt.Fprintf(&b, " %s", v)
	}
	b.WriteByte('\n')
	for _, id := range rep.ByIdentity {
		b.WriteString(QuoteField(id.Identity))
		for _, v := range Verdicts {
			fmt.Fprintf(&b, " %d", id.Counts[v])
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the progress as people read it: "files 3/40  records 120000
// 60000 records/s".
func (p Progress) String() string {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Records) / s
	}
	return fmt.Sprintf("files %d/%d  records %d  %.0f records/s", p.FilesDone, p.Files, p.Records, rate)
}

// StreamTo is Stream writing each result to w as it is decided (text or
// JSON lines, out.Compat is ignored), or with out.Summary counting them
// (Tally) and writing the Report at the end. Output is buffered, and
// flushed after every line when paths include "-" (standard input: a live
// stream). A write error stops the run and is returned as writeErr;
// readErr is Stream's.
func StreamTo(ctx context.Context, w io.Writer, paths []string, o Options, so StreamOptions, c *Checker, out Output) (st StreamStats, readErr, writeErr error) {
	live := slices.Contains(paths, "-")
	bw := bufio.NewWriterSize(w, 64<<10)
	tally := NewTally(c.DB, DefaultTallyOthers)
	one := make([]Result, 1)
	emit := func(r Result) error {
		if out.Summary {
			tally.Add(r)
			return nil
		}
		one[0] = r
		if out.JSON {
			writeErr = WriteJSONLines(bw, one)
		} else {
			writeErr = WriteText(bw, one)
		}
		if writeErr == nil && live {
			writeErr = bw.Flush()
		}
		return writeErr
	}
	st, readErr = Stream(ctx, paths, o, so, c, emit)
	if writeErr == nil && out.Summary {
		writeErr = NewReport(tally.Summary(), st.Stats, &st).Write(bw, out.JSON)
	}
	if writeErr == nil {
		writeErr = bw.Flush()
	}
	return st, readErr, writeErr
}
