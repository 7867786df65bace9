//go:build !amd64

package audit

func scanMasks(b []byte, q, bs, st []uint64) { scanMasksGeneric(b, q, bs, st) }

// scanMaskVariants are the implementations this CPU can run (tests).
func scanMaskVariants() map[string]func(b []byte, q, bs, st []uint64) {
	return map[string]func(b []byte, q, bs, st []uint64){"generic": scanMasksGeneric}
}
