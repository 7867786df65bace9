package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestRunOptionsCheck: each rule between a detect run's settings refuses
// what it should, first rule first, with the fact error callers match.
func TestRunOptionsCheck(t *testing.T) {
	ok := func() audit.RunOptions {
		return audit.RunOptions{DB: "db.json", Format: "text", Policy: totp.SeedScriptPolicy,
			Options: audit.Options{MaxRecordBytes: audit.DefaultMaxRecordBytes}, Paths: []string{"x"},
			StreamOptions: audit.StreamOptions{Horizon: time.Hour, IndexSize: 16}}
	}
	for _, tt := range []struct {
		name   string
		mutate func(*audit.RunOptions)
		want   error  // matched with errors.Is, or by type when a pointer type
		text   string // "" means valid
	}{
		{"ok", func(*audit.RunOptions) {}, nil, ""},
		{"json stream", func(o *audit.RunOptions) { o.Format, o.Stream, o.Summary = "json", true, true }, nil, ""},
		{"activity files", func(o *audit.RunOptions) { o.Activity, o.Sessions = true, true }, nil, ""},
		{"one stdin", func(o *audit.RunOptions) { o.Paths = []string{"a", "-"} }, nil, ""},
		{"format", func(o *audit.RunOptions) { o.Format = "xml" }, &audit.FormatError{}, `format "xml" is not text or json`},
		{"format first", func(o *audit.RunOptions) { o.Format, o.Paths, o.DB = "", nil, "" }, &audit.FormatError{}, `format "" is not text or json`},
		{"no paths", func(o *audit.RunOptions) { o.Paths, o.DB = nil, "" }, audit.ErrNoPaths, "no input paths"},
		{"no db", func(o *audit.RunOptions) { o.DB = "" }, audit.ErrNoDB, "no seed database"},
		{"policy", func(o *audit.RunOptions) { o.Policy.Digits, o.Jobs = 5, -1 }, audit.ErrDigits, "digits 5 is not 6, 7 or 8"},
		{"options", func(o *audit.RunOptions) { o.Jobs = -1 }, audit.ErrNegative, "jobs -1 is negative"},
		{"stream compat", func(o *audit.RunOptions) { o.Stream, o.Compat, o.StreamOptions = true, true, audit.StreamOptions{} }, &audit.ConflictError{}, "stream cannot be combined with compat"},
		{"stream options", func(o *audit.RunOptions) { o.Stream, o.StreamOptions.IndexSize = true, 1 }, audit.ErrTooSmall, "replay-index-size 1 is too small (at least 16)"},
		{"stream options unused", func(o *audit.RunOptions) { o.StreamOptions = audit.StreamOptions{} }, nil, ""},
		{"compat summary", func(o *audit.RunOptions) { o.Compat, o.Summary = true, true }, &audit.ConflictError{}, "compat cannot be combined with summary or format json"},
		{"compat json", func(o *audit.RunOptions) { o.Compat, o.Format = true, "json" }, &audit.ConflictError{}, "compat cannot be combined with summary or format json"},
		{"stdin twice", func(o *audit.RunOptions) { o.Paths = []string{"-", "a", "-"} }, &audit.StdinError{}, "standard input (-) given 2 times"},
		{"activity stream", func(o *audit.RunOptions) { o.Activity, o.Stream = true, true }, &audit.ConflictError{}, "activity cannot be combined with stream or compat"},
		{"activity compat", func(o *audit.RunOptions) { o.Activity, o.Compat = true, true }, &audit.ConflictError{}, "activity cannot be combined with stream or compat"},
		{"activity stdin", func(o *audit.RunOptions) { o.Activity, o.Paths = true, []string{"a", "-"} }, audit.ErrRereadStdin, "standard input cannot be read a second time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mutate(&o)
			err := o.Check()
			if tt.text == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.text {
				t.Fatalf("got %v, want %q", err, tt.text)
			}
			var matched bool
			switch tt.want.(type) {
			case *audit.FormatError:
				var fe *audit.FormatError
				matched = errors.As(err, &fe)
			case *audit.ConflictError:
				var ce *audit.ConflictError
				matched = errors.As(err, &ce)
			case *audit.StdinError:
				var se *audit.StdinError
				matched = errors.As(err, &se) && se.Count == 2
			default:
				matched = errors.Is(err, tt.want)
			}
			if !matched {
				t.Errorf("%v (%T) does not match %T %v", err, err, tt.want, tt.want)
			}
		})
	}
}

// TestRunOptionsOutputAndChecker: the output and the checker follow the
// settings (Compat selects the seed script's lines; the checker's policy
// accepts every offset of its window).
func TestRunOptionsOutputAndChecker(t *testing.T) {
	o := audit.RunOptions{Format: "json", Summary: true, Options: audit.Options{Compat: true},
		Policy: totp.Policy{Name: "detect", Window: 3, Lag: time.Minute, Digits: 8}}
	if got, want := o.Output(), (audit.Output{JSON: true, Summary: true, Compat: true}); got != want {
		t.Errorf("Output() = %+v, want %+v", got, want)
	}
	if o.Format = "text"; o.Output().JSON {
		t.Error("text format gives JSON output")
	}
	db, err := audit.ParseDB([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	c := o.Checker(db)
	want := totp.Policy{Name: "detect", Window: 3, MaxOffset: 3, Lag: time.Minute, Digits: 8}
	if c.DB != db || c.Policy != want {
		t.Errorf("Checker() = %+v, want DB %p and policy %+v", c, db, want)
	}
	if o.Policy.MaxOffset != 0 {
		t.Error("Checker changed the settings' policy")
	}
}
