package credentials

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// ErrExpired is returned (wrapped) when the last good credentials have
// expired and no refresh succeeded.
var ErrExpired = errors.New("credentials expired and refresh failed")

// ErrNoCredentials is returned by Refresher.Current before the first
// successful fetch.
var ErrNoCredentials = errors.New("no credentials yet")

// Refresher keeps a set of credentials fresh: it refreshes Margin before
// expiry and, when a refresh fails, retries with exponential backoff and
// full jitter while the last good credentials stay in use. It never hands
// out expired credentials.
type Refresher struct {
	// Fetch makes a new session.
	Fetch Fetcher
	// Margin: refresh this long before expiry (5 minutes if zero; the
	// commands pass RefreshMarginFor of the session, which also covers the
	// SDKs' refresh windows). For sessions shorter than twice the margin,
	// refresh at half their lifetime.
	Margin time.Duration
	// MinBackoff and MaxBackoff bound the retry delay (defaults 1 s and
	// 5 min).
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Wait blocks for d or until ctx is done (a real timer if nil). Tests
	// inject one that advances a fake clock.
	Wait func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0,1) (math/rand if nil).
	Jitter func() float64
	// OnUpdate, when set, runs after every successful fetch, before the
	// new credentials become current; an error from it counts as a failed
	// refresh (the updater writes the credentials file here).
	OnUpdate func(ctx context.Context, cr signer.Credentials) error
	// StopOnExpiry makes Run return ErrExpired when the credentials expire
	// (the updater); otherwise Run keeps retrying with backoff (at most
	// MaxBackoff apart) past their expiry, without credentials to hand
	// out, and carries on as before once a refresh succeeds (the server,
	// and the updater with the official helper's --retry-errors).
	StopOnExpiry bool
	// Log receives one line per refresh and failure (never secrets).
	Log *slog.Logger

	mu      sync.Mutex
	cur     signer.Credentials
	have    bool
	lastErr error
	updated time.Time
}

func (r *Refresher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Refresher) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Refresher) wait(ctx context.Context, d time.Duration) error {
	if r.Wait != nil {
		return r.Wait(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Current returns the credentials to hand out: the last good ones while
// they are not expired; otherwise an error wrapping ErrExpired (with the
// last refresh error) or ErrNoCredentials. It also returns when they were
// obtained.
func (r *Refresher) Current() (signer.Credentials, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.have {
		if r.lastErr != nil {
			return signer.Credentials{}, time.Time{}, fmt.Errorf("%w: %w", ErrNoCredentials, r.lastErr)
		}
		return signer.Credentials{}, time.Time{}, ErrNoCredentials
	}
	if !r.cur.Expiration.After(r.now()) {
		if r.lastErr != nil {
			return signer.Credentials{}, time.Time{}, fmt.Errorf("%w at %s: %w", ErrExpired, r.cur.Expiration.UTC().Format(time.RFC3339), r.lastErr)
		}
		return signer.Credentials{}, time.Time{}, fmt.Errorf("%w at %s", ErrExpired, r.cur.Expiration.UTC().Format(time.RFC3339))
	}
	return r.cur, r.updated, nil
}

// Refresh fetches once and, on success, makes the result current.
func (r *Refresher) Refresh(ctx context.Context) (signer.Credentials, error) {
	cr, err := r.Fetch(ctx)
	if err == nil {
		err = Validate(cr)
	}
	if err == nil && !cr.Expiration.After(r.now()) {
		err = fmt.Errorf("%w: %s already expired", ErrInvalidCredentials, cr.AccessKeyID)
	}
	if err == nil && r.OnUpdate != nil {
		err = r.OnUpdate(ctx, cr)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.lastErr = err
		return signer.Credentials{}, err
	}
	r.cur, r.have, r.lastErr, r.updated = cr, true, nil, r.now()
	return cr, nil
}

// zeroRefresherMargin is the Margin of a Refresher that sets none.
const zeroRefresherMargin = 5 * time.Minute

// refreshAt is when credentials expiring at exp, obtained at got, should be
// replaced.
func (r *Refresher) refreshAt(got, exp time.Time) time.Time {
	m := r.Margin
	if m <= 0 {
		m = zeroRefresherMargin
	}
	if life := exp.Sub(got); life < 2*m {
		return got.Add(life / 2)
	}
	return exp.Add(-m)
}

// backoff is the delay before retry n (0-based): full jitter over an
// exponentially growing cap.
func (r *Refresher) backoff(n int) time.Duration {
	lo, hi := r.MinBackoff, r.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	c := lo
	for i := 0; i < n && c < hi; i++ {
		c *= 2
	}
	c = min(c, hi)
	j := r.Jitter
	if j == nil {
		j = rand.Float64
	}
	// Never less than half the minimum, so failures cannot spin.
	return lo/2 + time.Duration(j()*float64(c-lo/2))
}

// Run keeps the credentials fresh until ctx is done (returning ctx.Err()) or,
// with StopOnExpiry, until they expire without a successful refresh
// (returning an error wrapping ErrExpired). The first fetch must succeed:
// when it fails, Run returns its error at once, as there is nothing to
// keep serving.
func (r *Refresher) Run(ctx context.Context) error {
	if _, _, err := r.Current(); err != nil {
		if _, err := r.Refresh(ctx); err != nil {
			return err
		}
	}
	for {
		cur, got, err := r.Current()
		if err != nil {
			return err
		}
		r.log().Info("credentials ready", "access_key_id", cur.AccessKeyID, "expiration", cur.Expiration.UTC().Format(time.RFC3339))
		if err := r.wait(ctx, r.refreshAt(got, cur.Expiration).Sub(r.now())); err != nil {
			return err
		}
		for attempt := 0; ; attempt++ {
			_, err := r.Refresh(ctx)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			left := cur.Expiration.Sub(r.now())
			if left <= 0 {
				if r.StopOnExpiry {
					return fmt.Errorf("%w at %s: %w", ErrExpired, cur.Expiration.UTC().Format(time.RFC3339), err)
				}
				r.log().Error("credentials expired; refresh keeps failing", "access_key_id", cur.AccessKeyID, "err", err)
			} else {
				r.log().Warn("refresh failed; keeping the last good credentials", "access_key_id", cur.AccessKeyID, "left", left.Round(time.Second).String(), "err", err)
			}
			d := r.backoff(attempt)
			if left > 0 && d > left {
				// Try once more right at expiry, then give up (or keep
				// retrying without credentials).
				d = left
			}
			if err := r.wait(ctx, d); err != nil {
				return err
			}
		}
	}
}
