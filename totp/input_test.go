package totp

import (
	"strings"
	"testing"
	"time"
)

func TestReadCode(t *testing.T) {
	for in, want := range map[string]string{"123456\n": "123456", "  0042 \r\n": "0042", "": ""} {
		got, err := ReadCode(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("ReadCode(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	long := strings.Repeat("1", 2*maxCodeInput)
	got, err := ReadCode(strings.NewReader(long))
	if err != nil || len(got) != maxCodeInput {
		t.Errorf("long input: read %d bytes, %v, want %d", len(got), err, maxCodeInput)
	}
	if CheckCode(got) == nil {
		t.Error("a truncated long input passes CheckCode")
	}
}

func TestNoMatchError(t *testing.T) {
	at := time.Date(2026, 11, 21, 20, 49, 42, 0, time.FixedZone("CET", 3600))
	err := &NoMatchError{Window: 2, At: at}
	if got, want := err.Error(), "code not found within 2 steps of 30 s around 2026-11-21T19:49:42Z"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
