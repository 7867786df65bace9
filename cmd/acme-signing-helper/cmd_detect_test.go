package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

func TestDetectOptionsValidate(t *testing.T) {
	ok := func() detectOptions {
		return detectOptions{db: "db.json", format: "text", window: 1, skew: 30 * time.Second, maxRecord: audit.DefaultMaxRecordBytes, paths: []string{"x"}}
	}
	tests := []struct {
		name   string
		mutate func(*detectOptions)
		hint   string // "" means valid
	}{
		{"defaults", func(o *detectOptions) {}, ""},
		{"json", func(o *detectOptions) { o.format = "json" }, ""},
		{"bad format", func(o *detectOptions) { o.format = "yaml" }, "--format text or --format json"},
		{"no paths", func(o *detectOptions) { o.paths = nil }, "give CloudTrail files"},
		{"empty db", func(o *detectOptions) { o.db = "" }, "--db FILE"},
		{"negative window", func(o *detectOptions) { o.window = -1 }, "--window counts"},
		{"huge window", func(o *detectOptions) { o.window = 101 }, "--window counts"},
		{"huge skew", func(o *detectOptions) { o.skew = 2 * time.Hour }, "--skew"},
		{"negative skew", func(o *detectOptions) { o.skew = -time.Minute }, ""},
		{"negative jobs", func(o *detectOptions) { o.jobs = -2 }, "--jobs 0"},
		{"tiny records", func(o *detectOptions) { o.maxRecord = 10 }, "--max-record-bytes"},
		{"compat summary", func(o *detectOptions) { o.compat, o.summary = true, true }, "--compat prints only"},
		{"compat json", func(o *detectOptions) { o.compat, o.format = true, "json" }, "--compat prints only"},
		{"bad field path", func(o *detectOptions) { o.timeField = []string{"a", ".b"} }, "--time-field as a dot path"},
		{"good field paths", func(o *detectOptions) { o.identity = []string{"responseElements.credentialSet.0.sourceIdentity"} }, ""},
		{"stdin twice", func(o *detectOptions) { o.paths = []string{"-", "a", "-"} }, "give - once"},
		{"stream", func(o *detectOptions) { o.stream, o.horizon, o.indexSize = true, time.Hour, 16 }, ""},
		{"stream compat", func(o *detectOptions) { o.stream, o.horizon, o.indexSize, o.compat = true, time.Hour, 16, true }, "drop --stream"},
		{"stream short horizon", func(o *detectOptions) { o.stream, o.horizon, o.indexSize = true, 59*time.Second, 16 }, "--replay-horizon is how far"},
		{"stream long horizon", func(o *detectOptions) { o.stream, o.horizon, o.indexSize = true, 169*time.Hour, 16 }, "--replay-horizon is how far"},
		{"stream tiny index", func(o *detectOptions) { o.stream, o.horizon, o.indexSize = true, time.Hour, 15 }, "--replay-index-size caps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mutate(&o)
			err := o.validate()
			if tt.hint == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Hint(), tt.hint) {
				t.Fatalf("got %v (hint %q), want a usage error with hint %q", err, hintOf(err), tt.hint)
			}
		})
	}
}

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
