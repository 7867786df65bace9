package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

type detectOptions struct {
	db          string
	format      string
	summary     bool
	compat      bool
	jobs        int
	sessions    bool
	window      int
	digits      int
	skew        time.Duration
	identity    []string
	sessionName []string
	timeField   []string
	maxRecord   int
	stream      bool
	horizon     time.Duration
	indexSize   int
	activity    bool // cmd_detect_activity.go
	paths       []string
}

func (o *detectOptions) validate() error {
	switch o.format {
	case "text", "json":
	default:
		return usageErrorf("use --format text or --format json", "detect: --format %q is not text or json", o.format)
	}
	if len(o.paths) == 0 {
		return usageErrorf("give CloudTrail files or directories, or - for standard input: detect --db env-sha1sum-db.json AWSLogs/", "detect: no input paths")
	}
	if o.db == "" {
		return usageErrorf("give the seed database with --db FILE (the seed script's env-sha1sum-db.json)", "detect: --db is empty")
	}
	if o.window < 0 || o.window > 100 {
		return usageErrorf("--window counts 30-second steps either side of the reference time; the seed script uses 1", "detect: --window %d is out of range 0..100", o.window)
	}
	if o.digits != 0 && (o.digits < 6 || o.digits > 8) { // 0: totp.DefaultDigits
		return usageErrorf("--digits is the length of the workloads' codes (credential-process --totp-digits): 6, 7 or 8", "detect: --digits %d is not 6, 7 or 8", o.digits)
	}
	if o.skew < -time.Hour || o.skew > time.Hour {
		return usageErrorf("--skew is subtracted from the event time; the seed script uses 30s", "detect: --skew %s is out of range -1h..1h", o.skew)
	}
	if o.jobs < 0 {
		return usageErrorf("--jobs 0 means one per CPU", "detect: --jobs %d is negative", o.jobs)
	}
	if o.maxRecord < 1024 {
		return usageErrorf("--max-record-bytes must be at least 1024 (CloudTrail records are at most 256 KB)", "detect: --max-record-bytes %d is too small", o.maxRecord)
	}
	if o.stream && o.compat {
		return usageErrorf("--compat is for single seed-style event files; drop --stream", "detect: --stream cannot be combined with --compat")
	}
	if o.stream && (o.horizon < time.Minute || o.horizon > 7*24*time.Hour) {
		return usageErrorf("--replay-horizon is how far behind the newest event time --stream remembers codes and sessions; the default is 1h", "detect: --replay-horizon %s is out of range 1m..168h", o.horizon)
	}
	if o.stream && o.indexSize < 16 {
		return usageErrorf("--replay-index-size caps each --stream index (entries of about 100 bytes); the default is 65536", "detect: --replay-index-size %d is too small (at least 16)", o.indexSize)
	}
	if o.compat && (o.summary || o.format != "text") {
		return usageErrorf("--compat prints only legit or oh no, like the seed script: drop --summary and --format", "detect: --compat cannot be combined with --summary or --format json")
	}
	for flag, paths := range map[string][]string{"--identity-field": o.identity, "--session-name-field": o.sessionName, "--time-field": o.timeField} {
		for _, p := range paths {
			if err := audit.CheckFieldPath(p); err != nil {
				return usageErrorf("write "+flag+" as a dot path into the record, like responseElements.x509Subject or responseElements.credentialSet.0.sourceIdentity", "detect: %s %q: %v", flag, p, err)
			}
		}
	}
	stdin := 0
	for _, p := range o.paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf("give - once", "detect: standard input (-) given %d times", stdin)
	}
	return o.validateActivity()
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
	o := detectOptions{}
	fs.StringVar(&o.db, "db", "env-sha1sum-db.json", "seed database `FILE`: the seed's env-sha1sum-db.json ([{\"CN=name\":\"hex seed\"},...]) or {\"name\":\"hex seed\",...}")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text (one line per session) or json (JSON lines)")
	fs.BoolVar(&o.summary, "summary", false, "print counts per verdict and per identity instead of one line per session")
	fs.BoolVar(&o.compat, "compat", false, "print exactly 'legit' or 'oh no' per event, like the seed's detection script")
	fs.IntVar(&o.jobs, "jobs", 0, "read `N` files in parallel (0: one per CPU)")
	fs.BoolVar(&o.sessions, "sessions", false, "also check later calls made with a Roles Anywhere session (timed by the session's creationDate, once per session)")
	fs.IntVar(&o.window, "window", totp.SeedScriptPolicy.Window, "accept codes `N` 30-second steps either side of the reference time")
	fs.IntVar(&o.digits, "digits", totp.DefaultDigits, "the workloads' codes have `N` digits (6, 7 or 8; an identity's \"digits\" in the seed database overrides it); a code of another length is a mismatch")
	fs.DurationVar(&o.skew, "skew", totp.SeedScriptPolicy.Lag, "reference time = event time minus `DURATION` (with --window 1, the default accepts steps k-2..k like the seed script)")
	fs.StringArrayVar(&o.identity, "identity-field", nil, "take the identity from this dot `PATH` of the record (repeatable, tried in order) instead of the built-in table")
	fs.StringArrayVar(&o.sessionName, "session-name-field", nil, "take the session name from this dot `PATH` (repeatable)")
	fs.StringArrayVar(&o.timeField, "time-field", nil, "take the session creation time from this dot `PATH` (repeatable)")
	fs.IntVar(&o.maxRecord, "max-record-bytes", audit.DefaultMaxRecordBytes, "largest record decoded, in `BYTES`; larger relevant records are reported as malformed")
	fs.BoolVar(&o.stream, "stream", false, "print each verdict as it is decided, files in input order and each file's records by time, with memory independent of the input size (replays and merges within --replay-horizon)")
	fs.DurationVar(&o.horizon, "replay-horizon", audit.DefaultReplayHorizon, "with --stream: remember codes and sessions this `DURATION` behind the newest event time")
	fs.BoolVar(&o.activity, "activity", false, "after the verdicts, list the later calls of each flagged session (actions, resources, first and last time, source IPs)")
	fs.IntVar(&o.indexSize, "replay-index-size", audit.DefaultStreamIndexSize, "with --stream: at most `N` entries per index; the least recently used is evicted (counted in --summary)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	o.paths = fs.Args()
	if err := o.validate(); err != nil {
		return err
	}

	db, warnings, err := audit.LoadDB(o.db)
	if err != nil {
		return &usageError{err: err} // exit 2; the hint comes from the error
	}
	for _, w := range warnings {
		e.log.Warn(w)
	}
	e.log.Debug("seed database loaded", "path", o.db, "identities", db.Len())

	ro := audit.Options{Jobs: o.jobs, MaxRecordBytes: o.maxRecord, Sessions: o.sessions, Compat: o.compat,
		IdentityFields: o.identity, SessionNameFields: o.sessionName, TimeFields: o.timeField, Stdin: e.stdin}
	if isTerminal(e.stderr) {
		ro.Progress = progressPrinter(e.stderr)
	}
	policy := totp.Policy{Name: "detect", Lag: o.skew, Window: o.window, MaxOffset: o.window, Digits: o.digits}
	checker := &audit.Checker{DB: db, Policy: policy}
	if o.stream {
		return detectStream(e, &o, ro, checker, db)
	}
	start := e.now()
	rs, st, readErr := audit.Detect(e.ctx, o.paths, ro, checker)
	detectRead(e, ro, st, start)
	var werr error
	switch {
	case o.compat:
		werr = audit.WriteCompat(e.stdout, rs)
	case o.summary:
		werr = writeSummary(e.stdout, o.format, audit.NewReport(audit.Summarize(rs), st, nil))
	case o.format == "json":
		werr = writeJSONLines(e.stdout, rs)
	default:
		werr = writeText(e.stdout, rs)
	}
	if werr == nil && o.activity {
		werr = detectActivity(e, &o, ro, rs)
	}
	legit := !o.compat && audit.AllLegit(rs) || o.compat && audit.CompatLegit(rs)
	return detectExit(e, st, werr, readErr, len(rs) == 0 && !o.compat, legit)
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
		return &exitError{code: 2}
	}
	if none {
		e.log.Warn("no Roles Anywhere sessions found", "files", st.Files, "records", st.Records)
	}
	if !legit {
		return &exitError{code: 1}
	}
	return nil
}

func printReadErrors(e *env, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, x := range errs {
		fmt.Fprintf(e.stderr, "%s: %v\n", progName, x)
		if h := hintOf(x); h != "" {
			fmt.Fprintf(e.stderr, "hint: %s\n", h)
		}
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
		if p.Files < 2 {
			return
		}
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Records) / s
		}
		fmt.Fprintf(w, "\r\033[Kfiles %d/%d  records %d  %.0f records/s", p.FilesDone, p.Files, p.Records, rate)
	}
}

// writeText prints one line per result (audit.TextLine).
func writeText(w io.Writer, rs []audit.Result) error {
	for _, r := range rs {
		if _, err := io.WriteString(w, audit.TextLine(r)); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONLines prints one JSON object per result (audit.JSONResult).
func writeJSONLines(w io.Writer, rs []audit.Result) error {
	enc := json.NewEncoder(w)
	for _, r := range rs {
		if err := enc.Encode(audit.NewJSONResult(r)); err != nil {
			return err
		}
	}
	return nil
}

// writeSummary prints the report of a run as a table or as one JSON object.
func writeSummary(w io.Writer, format string, rep audit.Report) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(rep)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "files %d  records %d  sessions %d\n", rep.Files, rep.Records, rep.Sessions)
	if rep.Evictions != nil {
		fmt.Fprintf(&b, "replay index evictions %d  late records %d\n", *rep.Evictions, *rep.Late)
	}
	b.WriteByte('\n')
	for _, v := range audit.Verdicts {
		fmt.Fprintf(&b, "%-17s %d\n", v, rep.ByVerdict[v])
	}
	b.WriteString("\nidentity")
	for _, v := range audit.Verdicts {
		fmt.Fprintf(&b, " %s", v)
	}
	b.WriteByte('\n')
	for _, id := range rep.ByIdentity {
		b.WriteString(audit.QuoteField(id.Identity))
		for _, v := range audit.Verdicts {
			fmt.Fprintf(&b, " %d", id.Counts[v])
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
