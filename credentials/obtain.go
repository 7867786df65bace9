package credentials

import (
	"context"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Open returns the cache in dir, or in DefaultDir(lookupEnv) when dir is
// "", with margin and the clock now. When there is no default directory
// (a service without a home) c is nil, which works uncached, and noDefault
// says why. unchecked is UncheckedModes(dir): a note for the debug log on
// platforms where the directory's modes mean nothing.
func Open(dir string, margin time.Duration, now func() time.Time, lookupEnv func(string) (string, bool)) (c *Cache, unchecked string, noDefault error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(lookupEnv); err != nil {
			return nil, "", err
		}
	}
	return &Cache{Dir: dir, Margin: margin, Now: now}, UncheckedModes(dir), nil
}

// Request is what Obtain keys on: the files (LoadOptions without a
// password suffice), the request configuration and the session-name
// settings (SessionNameKeyParts).
type Request struct {
	Load        signer.LoadOptions
	Config      signer.Config
	SessionName []string
}

// Obtained is the result of Cache.Obtain: either Hit (the fast path
// served, no material was loaded) or Session (the material was loaded and
// CreateSession called behind the cache).
type Obtained struct {
	Credentials signer.Credentials
	// Hit is the fast path's result when it served, else nil.
	Hit *FileHit
	// Session is the slow path's result when Hit is nil.
	Session Session
}

// Loader loads the material and the final request configuration on a
// miss of the fast path; miss is FileHit.Miss (why there was no fast
// path, nil when the entry was merely absent or stale).
type Loader func(miss error) (*signer.Material, signer.Config, error)

// Obtain is credential-process's whole use of the cache: a hit of the fast
// path (LookupFiles: no key read, no client built) is served as it is;
// otherwise load loads the material and signer.CreateSession runs behind
// the cache (Session), at most one call per key across processes. Errors
// are LookupFiles's, load's and Session's. A nil Cache loads and calls
// every time.
func (c *Cache) Obtain(ctx context.Context, r Request, load Loader) (Obtained, error) {
	h, err := c.LookupFiles(r.Load, r.Config, r.SessionName)
	if err != nil {
		return Obtained{}, err
	}
	if h.OK {
		return Obtained{Credentials: h.Credentials, Hit: &h}, nil
	}
	m, cfg, err := load(h.Miss)
	if err != nil {
		return Obtained{}, err
	}
	s, err := c.Session(ctx, m, cfg, r.SessionName, func(ctx context.Context) (signer.Credentials, error) { return signer.CreateSession(ctx, m, cfg) })
	if err != nil {
		return Obtained{}, err
	}
	return Obtained{Credentials: s.Credentials, Session: s}, nil
}
