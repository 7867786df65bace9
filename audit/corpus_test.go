package audit

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestDetectCorpus runs Detect over a generated corpus and compares the
// verdict counts with what the generator meant.
func TestDetectCorpus(t *testing.T) {
	dir := t.TempDir()
	c, err := cloudtrailgen.Generate(dir, cloudtrailgen.Config{Seed: 7, Files: 4, RecordsPerFile: 2000, RolesAnywhereFraction: 0.02, AssumeRole: true, BadFraction: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	db, err := ParseDB(c.DB)
	if err != nil {
		t.Fatal(err)
	}
	rs, st, err := Detect(context.Background(), []string{filepath.Join(dir, "AWSLogs")}, Options{Jobs: 2}, &Checker{DB: db, Policy: totp.SeedScriptPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != c.Records || st.Bytes != c.Bytes || st.Files != len(c.Files) {
		t.Errorf("stats %+v, want %d records, %d bytes, %d files", st, c.Records, c.Bytes, len(c.Files))
	}
	got := map[string]int64{}
	for _, r := range rs {
		if r.Kind != KindCreateSession {
			t.Errorf("result of kind %s left after merging: %+v", r.Kind, r)
		}
		got[string(r.Verdict)]++
	}
	for _, v := range Verdicts {
		if got[string(v)] != c.Expected[string(v)] {
			t.Errorf("%s: got %d, want %d (all: got %v, want %v)", v, got[string(v)], c.Expected[string(v)], got, c.Expected)
		}
	}
	if c.Expected["legit"] == 0 || c.Expected["mismatch"] == 0 || c.Expected["no-session-name"] == 0 || c.Expected["unknown-identity"] == 0 {
		t.Fatalf("corpus lacks a verdict: %v", c.Expected)
	}
}
