package audit

import "encoding/binary"

// scanMasksGeneric computes, for each 64-byte block k of b (len(q)
// blocks), the bitmasks of its '"' (q[k]), '\\' (bs[k]) and {}[] bytes
// (st[k]): bit i stands for b[64k+i]. It is the portable version of
// scanMasks.
func scanMasksGeneric(b []byte, q, bs, st []uint64) {
	if len(q) == 0 {
		return
	}
	_ = b[64*len(q)-1]
	_, _ = bs[len(q)-1], st[len(q)-1]
	for k := range q {
		var mq, mb, ms uint64
		for w := 0; w < 8; w++ {
			x := binary.LittleEndian.Uint64(b[64*k+8*w:])
			t := x | swarLo*0x20 // '[' -> '{', ']' -> '}'
			mq |= highBits(eqMask(x, '"')) << (8 * w)
			mb |= highBits(eqMask(x, '\\')) << (8 * w)
			ms |= highBits(eqMask(t, '{')|eqMask(t, '}')) << (8 * w)
		}
		q[k], bs[k], st[k] = mq, mb, ms
	}
}

// eqMask sets the high bit of each byte of x equal to c, exactly.
func eqMask(x uint64, c byte) uint64 {
	x ^= swarLo * uint64(c)
	return ^((x&^swarHi + swarLo*0x7f) | x) & swarHi
}

// highBits gathers the high bits of the 8 bytes of z into 8 bits.
func highBits(z uint64) uint64 { return z >> 7 * 0x0102040810204080 >> 56 }
