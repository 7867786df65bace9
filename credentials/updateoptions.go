package credentials

import (
	"errors"
	"fmt"
	"time"
)

// UpdateOptions are the settings of keeping a profile of the shared
// credentials file fresh (the update command) as plain values. Check
// validates them.
type UpdateOptions struct {
	// Profile is the profile SharedFile writes (ValidProfileName).
	Profile string
	// Once writes once and stops; RetryErrors keeps the Refresher going
	// past an expiry (no StopOnExpiry). They exclude each other.
	Once, RetryErrors bool
	// RefreshMargin is the Refresher's Margin: positive and shorter than
	// Session, the session's lifetime (zero when not known).
	RefreshMargin time.Duration
	Session       time.Duration
}

// The rules UpdateOptions.Check applies beside ErrNotPositive; an
// *UpdateOptionError wraps the one an option breaks.
var (
	// ErrProfileName: a profile name that ValidProfileName refuses.
	ErrProfileName = errors.New("is not a profile name")
	// ErrOnceAndRetry: Once and RetryErrors together.
	ErrOnceAndRetry = errors.New("writing once excludes retrying past expiry")
)

// UpdateOptionError is an option of UpdateOptions that Check refuses.
// Option names the field in lower case with dashes, as the update
// command's flags are named ("profile", "once", "refresh-margin"); Value
// is its value, Err the rule it breaks: ErrProfileName, ErrOnceAndRetry,
// ErrNotPositive, or a *MarginError for a margin not shorter than the
// session.
type UpdateOptionError struct {
	Option string
	Value  any
	Err    error
}

func (e *UpdateOptionError) Error() string {
	return fmt.Sprintf("%s %#v: %v", e.Option, e.Value, e.Err)
}

// Unwrap returns the rule the option breaks.
func (e *UpdateOptionError) Unwrap() error { return e.Err }

// Check returns an *UpdateOptionError for the first option that cannot
// work (Profile, then Once with RetryErrors, then RefreshMargin), or nil.
func (o UpdateOptions) Check() error {
	switch {
	case !ValidProfileName(o.Profile):
		return &UpdateOptionError{Option: "profile", Value: o.Profile, Err: ErrProfileName}
	case o.Once && o.RetryErrors:
		return &UpdateOptionError{Option: "once", Value: true, Err: ErrOnceAndRetry}
	case o.RefreshMargin <= 0:
		return &UpdateOptionError{Option: "refresh-margin", Value: o.RefreshMargin, Err: ErrNotPositive}
	}
	if err := CheckMargin(o.RefreshMargin, o.Session); err != nil {
		return &UpdateOptionError{Option: "refresh-margin", Value: o.RefreshMargin, Err: err}
	}
	return nil
}
