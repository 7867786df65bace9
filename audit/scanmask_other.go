//go:build !amd64

package audit

func scanMasks(b []byte, q, bs, st []uint64) { scanMasksGeneric(b, q, bs, st) }
