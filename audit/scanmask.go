package audit

import (
	"encoding/binary"
	"math/bits"
)

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

// walkBlocksGeneric crosses, 64 bytes at a time from b[blk:], the plain
// blocks of a record and returns the index of the first block that is not
// plain or does not fit in b, for blockRecord to look at. A block is plain
// when it has no backslash, none of its strings of the marker's length
// (closing in it) is the marker unless w.marked is 1, and the depth,
// followed bracket by bracket outside strings, stays above the record's
// (w.slack, the depth above it, stays positive): the record does not end
// in it. For each plain block it updates w: the string carried into the
// next block, the block's opening quotes, the slack. blk must be at least
// 64 and b[blk] not escaped. It is the portable version of walkBlocks
// (walkBlocksAVX2) and the tests' reference.
func walkBlocksGeneric(b []byte, blk int, w *blockWalk) int {
	const n = len(`"` + markerRolesAnywhere)
	var q, bs, st [1]uint64
	for ; blk+64 <= len(b); blk += 64 {
		scanMasksGeneric(b[blk:blk+64], q[:], bs[:], st[:])
		if bs[0] != 0 {
			return blk
		}
		x := q[0]
		x ^= x << 1
		x ^= x << 2
		x ^= x << 4
		x ^= x << 8
		x ^= x << 16
		x ^= x << 32
		x ^= w.inStr
		open, closing := q[0]&x, q[0]&^x
		if w.marked == 0 {
			for m := closing & (open<<n | w.prevOpen>>(64-n)); m != 0; m &= m - 1 {
				j := blk + bits.TrailingZeros64(m)
				if string(b[j-len(markerRolesAnywhere):j]) == markerRolesAnywhere {
					return blk
				}
			}
		}
		slack := w.slack
		for m := st[0] &^ x; m != 0; m &= m - 1 {
			if c := b[blk+bits.TrailingZeros64(m)]; c == '{' || c == '[' {
				slack++
			} else if slack--; slack == 0 {
				return blk
			}
		}
		w.slack = slack
		w.inStr = uint64(int64(x) >> 63)
		w.prevOpen = open
	}
	return blk
}
