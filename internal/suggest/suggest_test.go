package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"certificate", "private-key", "trust-anchor-arn", "profile-arn", "version"}
	for _, tc := range []struct{ in, want string }{
		{"certficate", "certificate"},
		{"certifiacte", "certificate"},
		{"trust-anchor", "trust-anchor-arn"},
		{"verison", "version"},
		{"frobnicate", ""},
		{"x", ""},
	} {
		if got := Closest(tc.in, names); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
