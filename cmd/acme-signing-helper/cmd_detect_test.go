package main

import (
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

func TestDetectProgress(t *testing.T) {
	var b strings.Builder
	p := progressPrinter(&b)
	p(audit.Progress{FilesDone: 1, Files: 1, Records: 10, Elapsed: time.Second})
	if b.Len() != 0 {
		t.Errorf("progress for a single file: %q", b.String())
	}
	p(audit.Progress{FilesDone: 3, Files: 40, Records: 120000, Elapsed: 2 * time.Second})
	if got, want := b.String(), "\r\033[Kfiles 3/40  records 120000  60000 records/s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if isTerminal(&b) {
		t.Error("a strings.Builder is a terminal")
	}
}
