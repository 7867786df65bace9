package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// settingError is err, a package's refusal of a setting given by the
// flags of cmd, as a usage error in the flags' words (hints.Setting).
func settingError(cmd string, err error) error {
	s := hints.Setting(cmd, err)
	return &usageError{Err: s, Fix: s.Fix}
}

const detectHelp = `[flags] PATH...

Check the TOTP session names of IAM Roles Anywhere sessions in CloudTrail
against the seeds database. PATHs are files, directories or - (stdin), gzip
or not. One line per session: verdict identity time session-name source-ip
[reason]. Exit 0 when all are legit, 1 when any is not.
`

// runDetect is the detect command: the replacement, at fleet scale, of the
// seed's jq + oathtool mismatch-detection script. PATHs are files,
// directories (walked) or - for standard input; gzip or not; CloudTrail log
// files, single events or JSON lines. One line per session on stdout:
// verdict identity time session-name source-ip [reason]. Exit 0 when all
// are legit, 1 when any is not, 2 on usage or read errors.
func runDetect(e *env, args []string) error {
	if len(args) > 0 && args[0] == "deploy" {
		return runDetectDeploy(e, args[1:]) // a file named deploy: ./deploy
	}
	fs := newFlagSet(e, "detect", detectHelp)
	o := audit.RunOptions{Policy: totp.Policy{Name: "detect"}}
	fs.StringVar(&o.DB, "db", "env-sha1sum-db.json", "seed database `FILE`: the seed's env-sha1sum-db.json ([{\"CN=name\":\"hex seed\"},...]) or {\"name\":\"hex seed\",...}")
	fs.StringVar(&o.Format, "format", "text", "output `FORMAT`: text (one line per session) or json (JSON lines)")
	fs.BoolVar(&o.Summary, "summary", false, "print counts per verdict and per identity instead of one line per session")
	fs.BoolVar(&o.Compat, "compat", false, "print exactly 'legit' or 'oh no' per event, like the seed's detection script")
	fs.IntVar(&o.Jobs, "jobs", 0, "read `N` files in parallel (0: one per CPU)")
	fs.BoolVar(&o.Sessions, "sessions", false, "also check later calls made with a Roles Anywhere session (timed by the session's creationDate, once per session)")
	fs.IntVar(&o.Policy.Window, "window", totp.SeedScriptPolicy.Window, "accept codes `N` 30-second steps either side of the reference time")
	fs.IntVar(&o.Policy.Digits, "digits", totp.DefaultDigits, "the workloads' codes have `N` digits (6, 7 or 8; an identity's \"digits\" in the seed database overrides it); a code of another length is a mismatch")
	fs.DurationVar(&o.Policy.Lag, "skew", totp.SeedScriptPolicy.Lag, "reference time = event time minus `DURATION` (with --window 1, the default accepts steps k-2..k like the seed script)")
	fs.StringArrayVar(&o.IdentityFields, "identity-field", nil, "take the identity from this dot `PATH` of the record (repeatable, tried in order) instead of the built-in table")
	fs.StringArrayVar(&o.SessionNameFields, "session-name-field", nil, "take the session name from this dot `PATH` (repeatable)")
	fs.StringArrayVar(&o.TimeFields, "time-field", nil, "take the session creation time from this dot `PATH` (repeatable)")
	fs.IntVar(&o.MaxRecordBytes, "max-record-bytes", audit.DefaultMaxRecordBytes, "largest record decoded, in `BYTES`; larger relevant records are reported as malformed")
	fs.BoolVar(&o.Stream, "stream", false, "print each verdict as it is decided, files in input order and each file's records by time, with memory independent of the input size (replays and merges within --replay-horizon)")
	fs.DurationVar(&o.StreamOptions.Horizon, "replay-horizon", audit.DefaultReplayHorizon, "with --stream: remember codes and sessions this `DURATION` behind the newest event time")
	fs.BoolVar(&o.Activity, "activity", false, "after the verdicts, list the later calls of each flagged session (actions, resources, first and last time, source IPs)")
	fs.IntVar(&o.StreamOptions.IndexSize, "replay-index-size", audit.DefaultStreamIndexSize, "with --stream: at most `N` entries per index; the least recently used is evicted (counted in --summary)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.Paths = fs.Args()
	if err := o.Check(); err != nil {
		return settingError("detect", err)
	}

	db, warnings, err := audit.LoadDB(o.DB)
	if err != nil {
		return &usageError{Err: err} // exit 2; the hint comes from the error
	}
	for _, w := range warnings {
		e.log.Warn(w)
	}
	e.log.Debug("seed database loaded", "path", o.DB, "identities", db.Len())

	ro := o.Options
	ro.Stdin = e.stdin
	if isTerminal(e.stderr) {
		ro.Progress = progressPrinter(e.stderr)
	}
	checker, out := o.Checker(db), o.Output()
	start := e.now()
	if o.Stream {
		// Each verdict printed as it is decided, memory independent of the input.
		st, readErr, werr := audit.StreamTo(e.ctx, e.stdout, o.Paths, ro, o.StreamOptions, checker, out)
		detectRead(e, ro, st.Stats, start, "results", st.Results, "evictions", st.Evictions, "late", st.Late)
		if werr == nil && st.Evictions > 0 {
			e.log.Warn("replay index full: entries evicted before the horizon, replays or merges may be missed", "evictions", st.Evictions, "hint", "raise --replay-index-size")
		}
		return detectExit(e, st.Stats, werr, readErr, st.Results == 0, st.NotLegit == 0)
	}
	rs, st, readErr := audit.Detect(e.ctx, o.Paths, ro, checker)
	detectRead(e, ro, st, start)
	werr := out.Write(e.stdout, rs, st)
	if werr == nil && o.Activity {
		// The later calls of each flagged session; the read errors are
		// the verdicts' read's, reported below (exit 2).
		ro.Progress = nil
		acts, err := permissions.ActivityOfFlagged(e.ctx, o.Paths, ro, rs)
		if err != nil {
			e.log.Debug("activity: read", "err", err)
		}
		if err := permissions.WriteActivity(e.stdout, acts, out.JSON); err != nil {
			werr = fmt.Errorf("write activity: %w", err)
		}
	}
	return detectExit(e, st, werr, readErr, len(rs) == 0 && !o.Compat, out.Legit(rs))
}

// detectRead clears the progress line and logs the totals of the read.
func detectRead(e *env, ro audit.Options, st audit.Stats, start time.Time, more ...any) {
	if ro.Progress != nil && st.Files > 1 {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	e.log.Debug("read", append(append([]any{"files", st.Files, "records", st.Records, "considered", st.Events, "bytes", st.Bytes}, more...), "elapsed", e.now().Sub(start))...)
}

// detectExit ends a run whose results are printed: a write error, else
// the read errors (exit 2), else exit 1 unless every session is legit.
func detectExit(e *env, st audit.Stats, werr, readErr error, none, legit bool) error {
	if werr != nil {
		return fmt.Errorf("write results: %w", werr)
	}
	if readErr != nil {
		printReadErrors(e, readErr)
		return &exitError{Code: 2}
	}
	if none {
		e.log.Warn("no Roles Anywhere sessions found", "files", st.Files, "records", st.Records)
	}
	if !legit {
		return &exitError{Code: 1}
	}
	return nil
}

// printReadErrors prints each of the read errors (errors.Join'ed by
// audit) with its hint.
func printReadErrors(e *env, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, x := range errs {
		report(e, x) // the error and its hint
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func progressPrinter(w io.Writer) func(audit.Progress) {
	return func(p audit.Progress) {
		if p.Files >= 2 {
			fmt.Fprint(w, "\r\033[K"+p.String())
		}
	}
}
