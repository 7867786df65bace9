package doctor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestClockCheckUncertainty: against a local endpoint the offset is
// rounded by the measurement's own uncertainty (half the round trip, and
// the Date header's whole seconds) before it is called ahead or behind: a
// clock 600 ms past the header's second agrees with it.
func TestClockCheckUncertainty(t *testing.T) {
	date := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", date.Format(http.TimeFormat))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		local  time.Duration // local clock minus the header's time
		status Status
		want   string
	}{
		{600 * time.Millisecond, Pass, "agrees with the endpoint's Date header"},
		{200 * time.Millisecond, Pass, "agrees with the endpoint's Date header"},
		{7 * time.Minute, Fail, "ahead of the endpoint's Date header by 7m0s"},
		{-2*time.Minute + 500*time.Millisecond, Warn, "behind the endpoint's Date header by 2m0s"},
	} {
		now := date.Add(tc.local)
		in := Inputs{Config: signer.Config{Endpoint: srv.URL}, Now: func() time.Time { return now }, MaxSkew: 5 * time.Minute}
		c := clockCheck(context.Background(), in)
		if c.Status != tc.status || !strings.Contains(c.Detail, tc.want) {
			t.Errorf("local %s: %s %q, want %s with %q", tc.local, c.Status, c.Detail, tc.status, tc.want)
		}
	}
}

// TestChainDetailWording: no "0 intermediate(s) in order []".
func TestChainDetailWording(t *testing.T) {
	for n, want := range map[int]string{0: "no intermediates", 1: "1 intermediate (Test Intermediate 1)", 2: "2 intermediates, leaf's issuer first (Test Intermediate 2 <- Test Intermediate 1)"} {
		opts := testpki.Options{Intermediates: n}
		if n == 0 {
			opts.Intermediates = -1
		}
		h, err := testpki.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		m := &signer.Material{Leaf: h.Leaf.Cert}
		for _, c := range h.Intermediates {
			m.Chain = append(m.Chain, c.Cert)
		}
		c := chainCheck(nil, m, nil)
		if !strings.Contains(c.Detail, want) || strings.Contains(c.Detail, "(s)") || strings.Contains(c.Detail, "[]") {
			t.Errorf("%d intermediates: %q, want %q", n, c.Detail, want)
		}
	}
}
