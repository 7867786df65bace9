package credentials

import (
	"testing"
	"time"
)

// TestRefreshMarginFor: the default margin covers botocore's 15-minute
// refresh window (the longest of the SDKs') and is capped at a quarter of
// short sessions.
func TestRefreshMarginFor(t *testing.T) {
	for _, tc := range []struct {
		life, want time.Duration
	}{
		{0, 15 * time.Minute},
		{time.Hour, 15 * time.Minute},
		{12 * time.Hour, 15 * time.Minute},
		{30 * time.Minute, 7*time.Minute + 30*time.Second},
		{15 * time.Minute, 3*time.Minute + 45*time.Second},
	} {
		if got := RefreshMarginFor(tc.life); got != tc.want {
			t.Errorf("RefreshMarginFor(%s) = %s, want %s", tc.life, got, tc.want)
		}
	}
	// botocore re-runs credential_process once less than 15 minutes are
	// left: an hour's credential must not be served inside that window.
	const botocoreAdvisory = 15 * time.Minute
	if DefaultRefreshMargin < botocoreAdvisory {
		t.Errorf("DefaultRefreshMargin %s is inside botocore's refresh window (%s)", DefaultRefreshMargin, botocoreAdvisory)
	}
}

// TestCheckMargin: negative margins and margins as long as the session
// are refused; a session of unknown length checks the sign only.
func TestCheckMargin(t *testing.T) {
	for _, tc := range []struct {
		margin, session time.Duration
		bad             bool
	}{
		{15 * time.Minute, time.Hour, false},
		{0, time.Hour, false},
		{time.Hour, 0, false},
		{-time.Second, time.Hour, true},
		{-time.Second, 0, true},
		{time.Hour, time.Hour, true},
		{2 * time.Hour, time.Hour, true},
	} {
		err := CheckMargin(tc.margin, tc.session)
		if me, ok := err.(*MarginError); ok != tc.bad || (ok && (me.Margin != tc.margin || me.Session != tc.session)) {
			t.Errorf("CheckMargin(%s, %s) = %v, want a *MarginError: %v", tc.margin, tc.session, err, tc.bad)
		}
	}
}
