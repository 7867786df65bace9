package totp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidTime is returned (wrapped) by ParseTime.
var ErrInvalidTime = errors.New("invalid time")

// timeLayouts are the accepted layouts besides @UNIX; every one carries a
// zone, so no time is silently read in the local zone.
var timeLayouts = []string{
	time.RFC3339Nano,            // 2026-11-21T19:49:42Z, with fraction or offset
	"2006-01-02 15:04:05Z07:00", // RFC 3339 with a space
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05 -0700", // date --rfc-3339 style offsets, git
	"2006-01-02 15:04:05 -07:00",
	time.RFC1123Z,                    // date -R: Sat, 21 Nov 2026 19:49:42 +0000
	"Mon, 2 Jan 2006 15:04:05 -0700", // single-digit day
	"Mon, 02 Jan 2006 15:04:05 -0700 (MST)",
}

// utcLayouts take a literal UTC or GMT zone name (Go would accept any
// abbreviation and invent a zero offset for unknown ones, so only these two
// are allowed).
var utcLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05 MST", // RFC 1123 / HTTP date, GMT
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2006-01-02 15:04:05 MST",
	"2006-01-02T15:04:05 MST",
	"Mon Jan _2 15:04:05 MST 2006", // date(1) default output in UTC
}

// ParseTime parses a time for --at (oathtool's --now): RFC 3339,
// "@UNIX-SECONDS", and what `date -R`, `date -u` and `date --rfc-3339=seconds`
// print. A time without a zone is refused rather than guessed. Errors quote
// the input (a time is not a secret).
func ParseTime(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("%w %q: %s", ErrInvalidTime, s, why)
	}
	if in == "" {
		return bad("empty")
	}
	if rest, ok := strings.CutPrefix(in, "@"); ok {
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || rest == "" || rest[0] == '+' {
			return bad("want @ followed by whole seconds since 1970-01-01T00:00:00Z")
		}
		if n < -62135596800 || n > 253402300799 {
			return bad("out of range")
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, in); err == nil {
			return t, nil
		}
	}
	for _, l := range utcLayouts {
		if t, err := time.Parse(l, in); err == nil {
			if z, off := t.Zone(); (z == "UTC" || z == "GMT") && off == 0 {
				return t.UTC(), nil
			}
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05", in); err == nil {
		return bad("no time zone: add Z or an offset like +02:00")
	}
	if _, err := time.Parse("2006-01-02 15:04:05", in); err == nil {
		return bad("no time zone: add Z or an offset like +02:00")
	}
	return bad("unknown format")
}
