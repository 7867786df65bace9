package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestRunGivesNowToLoad: Inputs.Now is the clock of the material checks
// (Load.Now) unless Load brings its own, so a caller sets one clock.
func TestRunGivesNowToLoad(t *testing.T) {
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	own := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		loadNow func() time.Time
		want    time.Time
	}{
		{"inputs clock", nil, fixed},
		{"load's own clock", func() time.Time { return own }, own},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := healthyInputs(t)
			in.Now = func() time.Time { return fixed }
			in.Load.Now = tt.loadNow
			var got func() time.Time
			in.Inspect = func(o signer.LoadOptions) (*signer.Material, *signer.LoadReport, error) {
				got = o.Now
				return signer.Inspect(o)
			}
			Run(context.Background(), in)
			if got == nil {
				t.Fatal("Load.Now: got nil, want a clock")
			}
			if now := got(); !now.Equal(tt.want) {
				t.Errorf("Load.Now(): got %v, want %v", now, tt.want)
			}
		})
	}
}
