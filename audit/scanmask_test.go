package audit

import (
	"math/rand/v2"
	"testing"
)

// TestScanMasks compares every scanMasks implementation (SSE2 and AVX2
// assembly on amd64, the portable one) with a byte loop, on random bytes biased to the special ones.
func TestScanMasks(t *testing.T) {
	for name := range scanMaskVariants() {
		t.Logf("variant %s", name)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	special := []byte(`"\{}[]` + "\x00\x7f\x80\xff\x22\x02;{[y_Y")
	for n := 0; n < 200; n++ {
		blocks := 1 + rng.IntN(5)
		b := make([]byte, 64*blocks+rng.IntN(64))
		for i := range b {
			if rng.IntN(3) == 0 {
				b[i] = special[rng.IntN(len(special))]
			} else {
				b[i] = byte(rng.Uint32())
			}
		}
		for name, f := range scanMaskVariants() {
			q, bs, st := make([]uint64, blocks), make([]uint64, blocks), make([]uint64, blocks)
			f(b, q, bs, st)
			for k := 0; k < blocks; k++ {
				var wq, wbs, wst uint64
				for i := 0; i < 64; i++ {
					switch b[64*k+i] {
					case '"':
						wq |= 1 << i
					case '\\':
						wbs |= 1 << i
					case '{', '}', '[', ']':
						wst |= 1 << i
					}
				}
				if q[k] != wq || bs[k] != wbs || st[k] != wst {
					t.Fatalf("%s: block %d of %q: %x %x %x, want %x %x %x", name, k, b[64*k:64*k+64], q[k], bs[k], st[k], wq, wbs, wst)
				}
			}
		}
	}
}
