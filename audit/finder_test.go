package audit

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestFinder holds finder.in to bytes.Contains on random haystacks and
// needles over a small alphabet (so that partial matches are frequent),
// including RoleMarker's shape.
func TestFinder(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const alpha = `:/aA"_b-0`
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return b
	}
	for n := 0; n < 20000; n++ {
		needle := rnd(r.IntN(6))
		hay := rnd(r.IntN(40))
		if r.IntN(3) == 0 && len(hay) >= len(needle) {
			copy(hay[r.IntN(len(hay)-len(needle)+1):], needle)
		}
		if got, want := newFinder(needle).in(hay), bytes.Contains(hay, needle); got != want {
			t.Fatalf("needle %q in %q: %v, want %v", needle, hay, got, want)
		}
	}
	m := []byte(RoleMarker("workload-host000."))
	f := newFinder(m)
	if f.k != len(":assumed-role") {
		t.Errorf("anchor of %q at %d, want the first '/'", m, f.k)
	}
	for _, s := range []string{`"arn":"arn:aws:sts::1:assumed-role/workload-host000./i-1"`, `"arn":"arn:aws:sts::1:assumed-role/workload-host000/i-1"`, `assumed-role/workload-host000./`, `:assumed-role/workload-host000./`} {
		if got, want := f.in([]byte(s)), bytes.Contains([]byte(s), m); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

// FuzzFinder: finder.in is bytes.Contains.
func FuzzFinder(f *testing.F) {
	f.Add([]byte(":assumed-role/r/"), []byte(`{"arn":"arn:aws:sts::1:assumed-role/r/s"}`))
	f.Add([]byte(""), []byte("x"))
	f.Add([]byte("ab/"), []byte("a/ab/"))
	f.Fuzz(func(t *testing.T, needle, hay []byte) {
		if got, want := newFinder(needle).in(hay), bytes.Contains(hay, needle); got != want {
			t.Fatalf("needle %q in %q: %v, want %v", needle, hay, got, want)
		}
	})
}
