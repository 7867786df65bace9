//go:build purego

package audit

import "testing"

// TestPuregoIsPortable: -tags purego leaves only the portable scanMasks,
// so that `go test -tags purego` checks it on amd64 too.
func TestPuregoIsPortable(t *testing.T) {
	v := scanMaskVariants()
	if _, ok := v["generic"]; len(v) != 1 || !ok {
		t.Fatalf("got variants %v, want only generic", v)
	}
}
