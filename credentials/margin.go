package credentials

import (
	"fmt"
	"time"
)

// MarginError: a refresh margin that cannot work: negative, or not shorter
// than the session's lifetime (then every cached credential would be
// renewed at once).
type MarginError struct {
	Margin time.Duration
	// Session is the session's lifetime; zero when it is not known.
	Session time.Duration
}

func (e *MarginError) Error() string {
	if e.Margin < 0 {
		return fmt.Sprintf("refresh margin %s is negative", e.Margin)
	}
	return fmt.Sprintf("refresh margin %s is not shorter than the session (%s)", e.Margin, e.Session)
}

// CheckMargin checks a refresh margin against the session's lifetime
// (zero: not known, only the sign is checked): a *MarginError, or nil.
func CheckMargin(margin, session time.Duration) error {
	if margin < 0 || (session > 0 && margin >= session) {
		return &MarginError{Margin: margin, Session: session}
	}
	return nil
}
