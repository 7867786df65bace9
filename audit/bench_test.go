package audit

import (
	"context"
	"os"
	"testing"
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
