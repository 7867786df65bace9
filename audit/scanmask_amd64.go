package audit

// scanMasks is in scanmask_amd64.s (SSE2); scanMasksGeneric is the same
// in Go, for other architectures and as the test's reference.
//
//go:noescape
func scanMasks(b []byte, q, bs, st []uint64)
