package audit

import (
	"math/rand/v2"
	"testing"
)

// TestScanMasks compares scanMasks (assembly on amd64) with the portable
// version and with a byte loop, on random bytes biased to the special ones.
func TestScanMasks(t *testing.T) {
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
		q, bs, st := make([]uint64, blocks), make([]uint64, blocks), make([]uint64, blocks)
		gq, gbs, gst := make([]uint64, blocks), make([]uint64, blocks), make([]uint64, blocks)
		scanMasks(b, q, bs, st)
		scanMasksGeneric(b, gq, gbs, gst)
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
				t.Fatalf("block %d of %q: scanMasks %x %x %x, want %x %x %x", k, b[64*k:64*k+64], q[k], bs[k], st[k], wq, wbs, wst)
			}
			if gq[k] != wq || gbs[k] != wbs || gst[k] != wst {
				t.Fatalf("block %d of %q: scanMasksGeneric %x %x %x, want %x %x %x", k, b[64*k:64*k+64], gq[k], gbs[k], gst[k], wq, wbs, wst)
			}
		}
	}
}
