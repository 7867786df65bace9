package audit

import (
	"errors"
	"fmt"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The rules Check, StreamOptions.Check and CheckPolicy apply; an
// *OptionError wraps the one a setting breaks.
var (
	ErrNegative   = errors.New("is negative")
	ErrTooSmall   = errors.New("is too small")
	ErrOutOfRange = errors.New("is out of range")
	ErrDigits     = errors.New("is not 6, 7 or 8")
)

// Limits of the settings a caller gives explicitly.
const (
	// MinRecordBytes is the smallest Options.MaxRecordBytes (CloudTrail
	// records are at most 256 KB, so a smaller bound only hides records).
	MinRecordBytes = 1024
	// MaxWindow bounds Policy.Window: 100 steps of 30 s either side.
	MaxWindow = 100
	// MaxLag bounds the absolute Policy.Lag.
	MaxLag = time.Hour
	// MinReplayHorizon and MaxReplayHorizon bound StreamOptions.Horizon.
	MinReplayHorizon = time.Minute
	MaxReplayHorizon = 7 * 24 * time.Hour
	// MinStreamIndexSize is the smallest StreamOptions.IndexSize.
	MinStreamIndexSize = 16
)

// OptionError is a setting that cannot be used. Option names it in lower
// case with dashes: "jobs", "max-record-bytes", "identity-field",
// "session-name-field", "time-field" (Options), "window", "digits",
// "skew" (a Policy's Window, Digits and Lag), "replay-horizon",
// "replay-index-size" (StreamOptions). Value is the setting's value and
// Err the rule it breaks (ErrNegative, ErrTooSmall, ErrOutOfRange,
// ErrDigits, or why a field path is not one).
type OptionError struct {
	Option string
	Value  any
	Err    error
}

// Error is "option value rule", or `option "value": cause` for a string
// value (a field path).
func (e *OptionError) Error() string {
	if s, ok := e.Value.(string); ok {
		return fmt.Sprintf("%s %q: %v", e.Option, s, e.Err)
	}
	return fmt.Sprintf("%s %v %v", e.Option, e.Value, e.Err)
}

// Unwrap returns the rule the setting breaks.
func (e *OptionError) Unwrap() error { return e.Err }

// Check returns an *OptionError for the first setting of o that Read,
// Detect and Stream cannot use as given: a negative Jobs, a MaxRecordBytes
// below MinRecordBytes (0 included: Check is for values given
// explicitly), a field path that is not a dot path.
func (o Options) Check() error {
	if o.Jobs < 0 {
		return &OptionError{Option: "jobs", Value: o.Jobs, Err: ErrNegative}
	}
	if o.MaxRecordBytes < MinRecordBytes {
		return &OptionError{Option: "max-record-bytes", Value: o.MaxRecordBytes, Err: ErrTooSmall}
	}
	for _, f := range []struct {
		name  string
		paths []string
	}{{"identity-field", o.IdentityFields}, {"session-name-field", o.SessionNameFields}, {"time-field", o.TimeFields}} {
		for _, p := range f.paths {
			if err := CheckFieldPath(p); err != nil {
				return &OptionError{Option: f.name, Value: p, Err: err}
			}
		}
	}
	return nil
}

// Check returns an *OptionError when so's Horizon is outside
// MinReplayHorizon..MaxReplayHorizon or its IndexSize below
// MinStreamIndexSize (zero values included: Check is for values given
// explicitly).
func (so StreamOptions) Check() error {
	if so.Horizon < MinReplayHorizon || so.Horizon > MaxReplayHorizon {
		return &OptionError{Option: "replay-horizon", Value: so.Horizon, Err: fmt.Errorf("%w 1m..168h", ErrOutOfRange)}
	}
	if so.IndexSize < MinStreamIndexSize {
		return &OptionError{Option: "replay-index-size", Value: so.IndexSize, Err: fmt.Errorf("%w (at least %d)", ErrTooSmall, MinStreamIndexSize)}
	}
	return nil
}

// CheckPolicy returns an *OptionError when p cannot be a Checker's
// policy: a Window outside 0..MaxWindow, Digits other than 0 (the
// default), 6, 7 or 8, a Lag beyond ±MaxLag.
func CheckPolicy(p totp.Policy) error {
	if p.Window < 0 || p.Window > MaxWindow {
		return &OptionError{Option: "window", Value: p.Window, Err: fmt.Errorf("%w 0..%d", ErrOutOfRange, MaxWindow)}
	}
	if p.Digits != 0 && (p.Digits < 6 || p.Digits > 8) {
		return &OptionError{Option: "digits", Value: p.Digits, Err: ErrDigits}
	}
	if p.Lag < -MaxLag || p.Lag > MaxLag {
		return &OptionError{Option: "skew", Value: p.Lag, Err: fmt.Errorf("%w -1h..1h", ErrOutOfRange)}
	}
	return nil
}
