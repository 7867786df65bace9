package totp

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// maxCodeInput bounds what ReadCode reads: a code is 8 digits at most, so
// anything longer is an error the caller reports, never a reason to read on.
const maxCodeInput = 1024

// ReadCode reads a code given on a stream (a pipe, stdin): at most 1 KiB,
// with surrounding white space removed. It does not check the code; pass
// it to CheckCode or Verify.
func ReadCode(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxCodeInput))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// NoMatchError reports a well-formed code that Verify did not find within
// Window steps around At (Verify's Result{} as an error, for callers that
// fail on it).
type NoMatchError struct {
	Window int       // the steps of Period seconds either side that were tried
	At     time.Time // the reference time
}

func (e *NoMatchError) Error() string {
	return fmt.Sprintf("code not found within %d steps of 30 s around %s", e.Window, e.At.UTC().Format(time.RFC3339))
}
