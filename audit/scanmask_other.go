//go:build !amd64 || purego

package audit

// scanMasks is scanMasksGeneric: on CPUs without assembly here, and
// everywhere with -tags purego (which forces the portable path).
func scanMasks(b []byte, q, bs, st []uint64) { scanMasksGeneric(b, q, bs, st) }

// hasWalk is false: blockRecord's own loop is faster here than
// walkBlocksGeneric, which needs the masks computed in Go.
const hasWalk = false

func walkBlocks(b []byte, blk int, w *blockWalk) int { return walkBlocksGeneric(b, blk, w) }

// scanMaskVariants are the implementations this CPU can run (tests).
func scanMaskVariants() map[string]func(b []byte, q, bs, st []uint64) {
	return map[string]func(b []byte, q, bs, st []uint64){"generic": scanMasksGeneric}
}
