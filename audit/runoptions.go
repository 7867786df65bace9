package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The rules of RunOptions.Check between settings, and the run's inputs.
var (
	// ErrNoPaths is a run without inputs (no file, directory or "-").
	ErrNoPaths = errors.New("no input paths")
	// ErrNoDB is a run without a seed database path.
	ErrNoDB = errors.New("no seed database")
	// ErrRereadStdin is Activity with standard input among the inputs:
	// the activity is read in a second pass, and standard input can be
	// read only once.
	ErrRereadStdin = errors.New("standard input cannot be read a second time")
)

// FormatError is an output format that is neither "text" nor "json".
type FormatError struct{ Format string }

func (e *FormatError) Error() string { return fmt.Sprintf("format %q is not text or json", e.Format) }

// ConflictError is a setting of a RunOptions (Option) that cannot go
// with the others named in With, both in lower case with dashes like an
// *OptionError's ("format json" is Format "json").
type ConflictError struct {
	Option string
	With   []string
}

func (e *ConflictError) Error() string {
	return e.Option + " cannot be combined with " + strings.Join(e.With, " or ")
}

// StdinError is standard input ("-") given Count times among the inputs.
type StdinError struct{ Count int }

func (e *StdinError) Error() string { return fmt.Sprintf("standard input (-) given %d times", e.Count) }

// RunOptions are the settings of one detect run: what is read (Options,
// whose Compat also selects the seed script's output), the seed database
// (DB), the check's Policy (its Window is also its MaxOffset), the output
// (Format, Summary), whether results are streamed (Stream, bounded by
// StreamOptions) and whether the later calls of flagged sessions follow
// the verdicts (Activity, read in a second pass over Paths).
type RunOptions struct {
	Options
	DB            string
	Policy        totp.Policy
	Format        string // "text" or "json"
	Summary       bool
	Stream        bool
	StreamOptions StreamOptions
	Activity      bool
	Paths         []string
}

// Check returns the first rule the settings break, in this order: a
// *FormatError, ErrNoPaths, ErrNoDB, CheckPolicy's and Options.Check's
// *OptionError, a *ConflictError for Stream with Compat, StreamOptions'
// *OptionError (when streaming), a *ConflictError for Compat with Summary
// or the JSON format, a *StdinError for "-" given twice, a
// *ConflictError for Activity with Stream or Compat, and ErrRereadStdin.
func (r RunOptions) Check() error {
	if r.Format != "text" && r.Format != "json" {
		return &FormatError{Format: r.Format}
	}
	if len(r.Paths) == 0 {
		return ErrNoPaths
	}
	if r.DB == "" {
		return ErrNoDB
	}
	if err := CheckPolicy(r.Policy); err != nil {
		return err
	}
	if err := r.Options.Check(); err != nil {
		return err
	}
	if r.Stream && r.Compat {
		return &ConflictError{Option: "stream", With: []string{"compat"}}
	}
	if r.Stream {
		if err := r.StreamOptions.Check(); err != nil {
			return err
		}
	}
	if r.Compat && (r.Summary || r.Format != "text") {
		return &ConflictError{Option: "compat", With: []string{"summary", "format json"}}
	}
	stdin := 0
	for _, p := range r.Paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return &StdinError{Count: stdin}
	}
	// Activity reads the inputs a second time, after the verdicts.
	if r.Activity && (r.Stream || r.Compat) {
		return &ConflictError{Option: "activity", With: []string{"stream", "compat"}}
	}
	if r.Activity && stdin > 0 {
		return ErrRereadStdin
	}
	return nil
}

// Output is how the run's results are written.
func (r RunOptions) Output() Output {
	return Output{JSON: r.Format == "json", Summary: r.Summary, Compat: r.Compat}
}

// Checker is the run's checker of db's seeds: Policy with a MaxOffset of
// Window (every code the window finds is accepted).
func (r RunOptions) Checker(db *DB) *Checker {
	p := r.Policy
	p.MaxOffset = p.Window
	return &Checker{DB: db, Policy: p}
}
