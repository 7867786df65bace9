package credentials

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// fakeClock is a clock that Wait advances.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRefresherKeepsLastGoodUntilExpiry(t *testing.T) {
	for _, stop := range []bool{true, false} {
		clk := &fakeClock{now: t0}
		fail := false
		calls := 0
		r := &Refresher{
			Now:          clk.Now,
			StopOnExpiry: stop,
			Jitter:       func() float64 { return 0.5 },
			Fetch: func(ctx context.Context) (signer.Credentials, error) {
				calls++
				if fail {
					return signer.Credentials{}, errors.New("endpoint down")
				}
				return creds(calls, clk.Now().Add(time.Hour)), nil
			},
		}
		exp := t0.Add(55*time.Minute + time.Hour) // the second session's expiry
		var served, refused int
		var waits []time.Duration
		ctx, cancel := context.WithCancel(context.Background())
		r.Wait = func(ctx context.Context, d time.Duration) error {
			if d < 0 {
				t.Fatalf("negative wait %v", d)
			}
			waits = append(waits, d)
			clk.Advance(d)
			if calls == 2 {
				fail = true // every refresh after the first one fails
			}
			cr, _, err := r.Current()
			switch {
			case err == nil:
				served++
				if !cr.Expiration.After(clk.Now()) || cr.SessionToken == "" {
					t.Fatalf("at %s served %v", clk.Now(), cr)
				}
			case errors.Is(err, ErrExpired):
				refused++
				if clk.Now().Before(exp) {
					t.Fatalf("at %s: expired before %s", clk.Now(), exp)
				}
			default:
				t.Fatalf("Current: %v", err)
			}
			if clk.Now().After(exp.Add(time.Hour)) {
				cancel()
				return ctx.Err()
			}
			return nil
		}
		err := r.Run(ctx)
		if stop {
			if !errors.Is(err, ErrExpired) {
				t.Errorf("StopOnExpiry: Run = %v, want ErrExpired", err)
			}
			if !clk.Now().Equal(exp) {
				t.Errorf("StopOnExpiry: gave up at %s, want exactly at expiry %s", clk.Now(), exp)
			}
		} else if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
		// First wait: refresh 5 minutes before the first session expires.
		if waits[0] != 55*time.Minute {
			t.Errorf("first wait = %v, want 55m", waits[0])
		}
		if served < 5 {
			t.Errorf("served %d times while failing, want retries with backoff", served)
		}
		if !stop && refused == 0 {
			t.Errorf("never refused after expiry")
		}
		if _, _, err := r.Current(); clk.Now().After(exp) && !errors.Is(err, ErrExpired) {
			t.Errorf("Current after expiry = %v, want ErrExpired", err)
		}
		// Backoff grows, and never beyond MaxBackoff (5 min default).
		for i, w := range waits[2:] {
			if w > 5*time.Minute {
				t.Errorf("wait %d = %v, over the 5m cap", i+2, w)
			}
		}
	}
}

func TestRefresherFirstFetchFails(t *testing.T) {
	r := &Refresher{Fetch: func(context.Context) (signer.Credentials, error) { return signer.Credentials{}, errors.New("nope") }}
	if err := r.Run(context.Background()); err == nil || err.Error() != "nope" {
		t.Errorf("Run = %v, want nope", err)
	}
	if _, _, err := r.Current(); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("Current = %v, want ErrNoCredentials", err)
	}
}

func TestRefresherRejectsBadCredentials(t *testing.T) {
	clk := &fakeClock{now: t0}
	for name, cr := range map[string]signer.Credentials{
		"empty":   {},
		"expired": creds(1, t0.Add(-time.Second)),
		"no key":  {SecretAccessKey: "s", SessionToken: "t", Expiration: t0.Add(time.Hour)},
	} {
		r := &Refresher{Now: clk.Now, Fetch: func(context.Context) (signer.Credentials, error) { return cr, nil }}
		if _, err := r.Refresh(context.Background()); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: Refresh = %v, want ErrInvalidCredentials", name, err)
		}
		if _, _, err := r.Current(); err == nil {
			t.Errorf("%s: Current returned credentials", name)
		}
	}
}

func TestRefresherOnUpdateFailureKeepsOld(t *testing.T) {
	clk := &fakeClock{now: t0}
	n := 0
	r := &Refresher{Now: clk.Now, Fetch: func(context.Context) (signer.Credentials, error) { n++; return creds(n, t0.Add(time.Hour)), nil }}
	if _, err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.OnUpdate = func(context.Context, signer.Credentials) error { return errors.New("disk full") }
	if _, err := r.Refresh(context.Background()); err == nil {
		t.Fatal("OnUpdate error ignored")
	}
	if cr, _, err := r.Current(); err != nil || cr.AccessKeyID != creds(1, t0).AccessKeyID {
		t.Errorf("Current = %v, %v; want the first credentials", cr, err)
	}
}

func TestRefreshAtAndBackoff(t *testing.T) {
	r := &Refresher{Jitter: func() float64 { return 0.999999 }}
	for _, tc := range []struct {
		life, want time.Duration
	}{
		{time.Hour, 55 * time.Minute},
		{15 * time.Minute, 10 * time.Minute},
		{8 * time.Minute, 4 * time.Minute},
		{time.Minute, 30 * time.Second},
	} {
		if got := r.refreshAt(t0, t0.Add(tc.life)).Sub(t0); got != tc.want {
			t.Errorf("life %v: refresh after %v, want %v", tc.life, got, tc.want)
		}
	}
	prev := time.Duration(0)
	for n := 0; n < 20; n++ {
		d := r.backoff(n)
		if d < prev || d > 5*time.Minute || d < 500*time.Millisecond {
			t.Errorf("backoff(%d) = %v (previous %v)", n, d, prev)
		}
		prev = d
	}
	r.Jitter = func() float64 { return 0 }
	if d := r.backoff(10); d != 500*time.Millisecond {
		t.Errorf("backoff with zero jitter = %v, want 500ms", d)
	}
}

// TestRefresherRetriesPastExpiry: without StopOnExpiry (update
// --retry-errors, serve) the refresher keeps retrying with capped backoff
// after the last good credentials expired and, when the endpoint answers
// again, writes and serves new ones.
func TestRefresherRetriesPastExpiry(t *testing.T) {
	clk := &fakeClock{now: t0}
	const outage = 3 * time.Hour // longer than the session
	calls := 0
	var updates []signer.Credentials
	r := &Refresher{
		Now:        clk.Now,
		Jitter:     func() float64 { return 0.99 },
		MaxBackoff: 10 * time.Minute,
		Fetch: func(ctx context.Context) (signer.Credentials, error) {
			calls++
			if calls > 1 && clk.Now().Before(t0.Add(55*time.Minute+outage)) {
				return signer.Credentials{}, errors.New("endpoint down")
			}
			return creds(calls, clk.Now().Add(time.Hour)), nil
		},
		OnUpdate: func(ctx context.Context, cr signer.Credentials) error {
			updates = append(updates, cr)
			return nil
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	var expiredSeen bool
	r.Wait = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		clk.Advance(d)
		if _, _, err := r.Current(); errors.Is(err, ErrExpired) {
			expiredSeen = true
		}
		if len(updates) == 2 {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	if err := r.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled (no exit at expiry)", err)
	}
	if !expiredSeen {
		t.Errorf("the outage never outlived the credentials: the test proves nothing")
	}
	if len(updates) != 2 || updates[1].AccessKeyID != creds(calls, time.Time{}).AccessKeyID {
		t.Fatalf("updates %v, want the first session and the one after the outage", updates)
	}
	cur, _, err := r.Current()
	if err != nil || cur.AccessKeyID != updates[1].AccessKeyID {
		t.Errorf("Current = %v, %v, want the new credentials", cur.AccessKeyID, err)
	}
	// About outage/MaxBackoff retries: backoff capped, not a spin.
	if calls < 15 || calls > 60 {
		t.Errorf("%d fetches over a %v outage with a 10m cap", calls, outage)
	}
	// The first and last waits are until the refresh time (55m); those
	// between are the retries.
	for i, w := range waits[1 : len(waits)-1] {
		if w > 10*time.Minute {
			t.Errorf("retry wait %d = %v, over MaxBackoff", i, w)
		}
	}
}
