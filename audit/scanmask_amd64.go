//go:build amd64 && !purego

package audit

import "golang.org/x/sys/cpu"

// scanMasks computes the bitmasks of '"', '\\' and {}[] of each 64-byte
// block of b (see scanMasksGeneric, its portable version and the tests'
// reference): in assembly (scanmask_amd64.s), AVX2 when the CPU and OS
// have it, SSE2 (every amd64) otherwise. Build with -tags purego for the
// portable version (scanmask_other.go).
func scanMasks(b []byte, q, bs, st []uint64) {
	if len(q) == 0 {
		return
	}
	_ = b[64*len(q)-1]
	_, _ = bs[len(q)-1], st[len(q)-1]
	if hasAVX2 {
		scanMasksAVX2(b, q, bs, st)
	} else {
		scanMasksSSE2(b, q, bs, st)
	}
}

// hasAVX2: the CPU has AVX2 and the OS saves the YMM registers, as
// golang.org/x/sys/cpu has already probed at its init (probing again here
// cost three CPUIDs and an XGETBV, each a VM exit, at every process start).
var hasAVX2 = cpu.X86.HasAVX2

// hasWalk: blockRecord crosses plain blocks with walkBlocksAVX2.
var hasWalk = hasAVX2 && cpu.X86.HasPCLMULQDQ && cpu.X86.HasPOPCNT

// walkBlocks crosses the plain blocks of a record from b[blk:] (see
// walkBlocksGeneric, its portable version and the tests' reference).
func walkBlocks(b []byte, blk int, w *blockWalk) int { return walkBlocksAVX2(b, blk, w) }

//go:noescape
func walkBlocksAVX2(b []byte, blk int, w *blockWalk) int

//go:noescape
func scanMasksSSE2(b []byte, q, bs, st []uint64)

//go:noescape
func scanMasksAVX2(b []byte, q, bs, st []uint64)

// scanMaskVariants are the implementations this CPU can run (tests).
func scanMaskVariants() map[string]func(b []byte, q, bs, st []uint64) {
	v := map[string]func(b []byte, q, bs, st []uint64){"sse2": scanMasksSSE2, "generic": scanMasksGeneric}
	if hasAVX2 {
		v["avx2"] = scanMasksAVX2
	}
	return v
}
