package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// BenchmarkRead reads the corpus in $AUDIT_BENCH_DIR (see bench/detect.sh);
// it is skipped when the variable is unset.
func BenchmarkRead(b *testing.B) {
	dir := os.Getenv("AUDIT_BENCH_DIR")
	if dir == "" {
		b.Skip("AUDIT_BENCH_DIR not set")
	}
	for b.Loop() {
		st, err := Read(context.Background(), []string{dir}, Options{}, func(Event) {})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Bytes)
	}
}

// BenchmarkDetect is Detect over the corpus in $AUDIT_BENCH_DIR with the
// seed database next to it (bench/detect.sh's layout) and the CLI's
// default policy: everything `detect` does but flag parsing and output.
func BenchmarkDetect(b *testing.B) {
	dir := os.Getenv("AUDIT_BENCH_DIR")
	if dir == "" {
		b.Skip("AUDIT_BENCH_DIR not set")
	}
	db, _, err := LoadDB(filepath.Join(filepath.Dir(filepath.Clean(dir)), "env-sha1sum-db.json"))
	if err != nil {
		b.Fatal(err)
	}
	p := totp.SeedScriptPolicy
	p.MaxOffset, p.Digits = p.Window, totp.DefaultDigits
	c := &Checker{DB: db, Policy: p}
	for b.Loop() {
		_, st, err := Detect(context.Background(), []string{dir}, Options{}, c)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Bytes)
	}
}
