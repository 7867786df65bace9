package credentials

import (
	"context"
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// FileHit is the result of Cache.LookupFiles.
type FileHit struct {
	// OK is true on a hit: Credentials are then valid for more than the
	// margin, inside the recorded validity of the certificate.
	OK          bool
	Credentials signer.Credentials
	// Key is the cache key (Cache.Path(Key) the entry); "" when the files
	// could not be located.
	Key string
	// Path is the entry's file (Cache.Path(Key)).
	Path  string
	Files signer.Files
	// Certificate is the validity the entry recorded.
	Certificate CertValidity
	// Warnings are those signer.Load would give about the same files
	// (the key file's mode, the certificate's lifetime left).
	Warnings []string
	// Miss, on a miss before the entry was read, says why there is no
	// fast path (the files could not be located or hashed); the caller
	// loads the material, and signer.Load reports the problem properly.
	Miss error
}

// LookupFiles is the fast path of a credential-process cache hit, before
// anything is parsed: it reads no private key and builds no client. It
// resolves the files of lo (a few stats), hashes the certificate file,
// stats the key file and reads the entry of CacheKey(cfg, inputs,
// sessionName). It serves only entries that recorded their certificate's
// validity, inside it. Its only error wraps ErrInsecureDir ("credential cache: ..."); any other
// problem is a miss (the slow path reports it). A nil Cache always misses.
func (c *Cache) LookupFiles(lo signer.LoadOptions, cfg signer.Config, sessionName []string) (FileHit, error) {
	if c == nil {
		return FileHit{}, nil
	}
	in, err := LocateKeyInputs(lo)
	if err != nil {
		return FileHit{Miss: err}, nil
	}
	key := CacheKey(cfg, in, sessionName)
	h := FileHit{Key: key, Path: c.Path(key), Files: in.Files}
	ent, ok, err := c.Lookup(h.Key)
	switch {
	case errors.Is(err, ErrInsecureDir):
		return h, fmt.Errorf("credential cache: %w", err)
	case err != nil || !ok || ent.Certificate.NotAfter.IsZero():
		// Unavailable: the slow path warns and goes on without it.
		return h, nil
	}
	h.OK, h.Credentials, h.Certificate = true, ent.Credentials, ent.Certificate
	if w := signer.KeyFileWarning(in.Files.PrivateKey, in.KeyMode); w != "" {
		h.Warnings = append(h.Warnings, w)
	}
	if w := signer.LifetimeWarning(ent.Certificate.NotBefore, ent.Certificate.NotAfter, c.now()); w != "" {
		h.Warnings = append(h.Warnings, w)
	}
	return h, nil
}

// Session is the result of Cache.Session.
type Session struct {
	Credentials signer.Credentials
	Source      Source
	// Key is the cache key, "" when the cache was not used; Path is its
	// entry's file.
	Key, Path string
	// Uncached is true when the cache could not be used and fetch was
	// called without it: Warning then says why (wrapping
	// ErrCacheUnavailable when the directory or lock failed, else
	// "credential cache: " and the private key file's error).
	Uncached bool
	// Warning, when not nil, is a problem that did not stop the session:
	// the cache was skipped (Uncached), or only storing the new entry
	// failed ("credential cache: " and the write error).
	Warning error
}

// Session is a CreateSession (fetch) behind the cache, keyed by CacheKey
// of the material's files, cfg and sessionName, recording the leaf's
// validity: at most one call per key across concurrent processes, none
// while cached credentials are valid for more than the margin. Problems of
// the cache alone become Session.Warning; an error wraps ErrInsecureDir
// ("credential cache: ..."; the cache holds secrets: refuse rather than use it or skip it) or is
// fetch's. A nil Cache calls fetch.
func (c *Cache) Session(ctx context.Context, m *signer.Material, cfg signer.Config, sessionName []string, fetch Fetcher) (Session, error) {
	uncached := func(warning error) (Session, error) {
		cr, err := fetch(ctx)
		if err != nil {
			return Session{}, err
		}
		return Session{Credentials: cr, Source: FromFetch, Uncached: warning != nil, Warning: warning}, nil
	}
	if c == nil {
		return uncached(nil)
	}
	in, err := MaterialKeyInputs(m)
	if err != nil {
		// The key file went away after Load read it: no entry to key.
		return uncached(fmt.Errorf("credential cache: %w", err))
	}
	key := CacheKey(cfg, in, sessionName)
	// The wait for another process's lock counts against cfg.Timeout as
	// much as the call itself: the whole command honours --timeout.
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = signer.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	validity := CertValidity{NotBefore: m.Leaf.NotBefore, NotAfter: m.Leaf.NotAfter}
	cr, src, err := c.GetFor(ctx, key, validity, fetch)
	switch {
	case err == nil:
		return Session{Credentials: cr, Source: src, Key: key, Path: c.Path(key)}, nil
	case errors.Is(err, ErrInsecureDir):
		return Session{}, fmt.Errorf("credential cache: %w", err)
	case errors.Is(err, ErrCacheUnavailable):
		return uncached(err)
	case src == FromFetch && cr.AccessKeyID != "":
		// The session is good; only storing it failed.
		return Session{Credentials: cr, Source: src, Key: key, Path: c.Path(key), Warning: fmt.Errorf("credential cache: %w", err)}, nil
	}
	return Session{}, err
}
