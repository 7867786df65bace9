package credentials

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Fetcher makes a new session: signer.CreateSession in the binary, a fake in
// tests.
type Fetcher func(ctx context.Context) (signer.Credentials, error)

// DefaultRefreshMargin is how long before expiry cached credentials stop
// being handed out (and the updater and server refresh), for sessions of
// an hour or more; RefreshMarginFor gives the margin of shorter ones.
//
// It covers the refresh windows of the SDKs that run credential_process:
// botocore and the AWS CLI v2 re-run the process once fewer than 15
// minutes are left (advisory refresh; 10 minutes: mandatory), the
// JavaScript SDK v3 5 minutes before expiry, the Go SDK v2 at expiry. A
// smaller margin would hand such an SDK the same credentials again, still
// inside its window, so every read would start this program anew.
const DefaultRefreshMargin = 15 * time.Minute

// RefreshMarginFor is the default refresh margin for sessions of the given
// lifetime: DefaultRefreshMargin, at most a quarter of the lifetime, so a
// cached credential is still served for three quarters of its life (a
// 15-minute session: 3m45s). A lifetime of zero or less gives
// DefaultRefreshMargin.
func RefreshMarginFor(lifetime time.Duration) time.Duration {
	if lifetime > 0 && lifetime/4 < DefaultRefreshMargin {
		return lifetime / 4
	}
	return DefaultRefreshMargin
}

// cacheFormat is the Version of a cache entry; entries of another version
// are ignored. Version 2 added the certificate's validity.
const cacheFormat = 2

// ErrInsecureDir is returned (wrapped) when the cache directory is owned by
// another user or writable by group or others.
var ErrInsecureDir = errors.New("insecure cache directory")

// ErrCacheUnavailable is returned (wrapped) when the cache directory or its
// lock cannot be used (other than ErrInsecureDir): the caller may go on
// without the cache.
var ErrCacheUnavailable = errors.New("credential cache unavailable")

// ErrInvalidCredentials is returned (wrapped) when a Fetcher returns
// credentials with an empty field or no expiry.
var ErrInvalidCredentials = errors.New("invalid credentials")

// Source says where Cache.Get found the credentials.
type Source int

// The sources of Cache.Get.
const (
	// FromCache: a valid entry was on disk.
	FromCache Source = iota
	// FromPeer: another process held the lock, made the session and wrote
	// the entry while this one waited.
	FromPeer
	// FromFetch: this process called the Fetcher.
	FromFetch
)

func (s Source) String() string {
	switch s {
	case FromCache:
		return "cache"
	case FromPeer:
		return "peer"
	case FromFetch:
		return "fetch"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Key derives a cache key from every input that changes the answer
// (certificate fingerprint, ARNs, duration, region, endpoint, session-name
// mode...). Each part is length-prefixed, so ("ab","c") and ("a","bc")
// differ. The key is a hex SHA-256 and reveals none of the parts.
func Key(parts ...string) string {
	h := sha256.New()
	h.Write([]byte("acme-signing-helper cache key v1\x00"))
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Cache is a directory of credential files, one per key, shared by every
// process of the same user. Concurrent Gets for the same key, in any number
// of processes, make at most one session between them: they wait on a lock
// file and the first writes the entry the others then read.
type Cache struct {
	// Dir holds the entries. It is created 0700 if missing; an existing
	// directory must belong to the current user and not be writable by
	// group or others.
	Dir string
	// Margin: an entry is used only while more than Margin of validity is
	// left. Zero means DefaultRefreshMargin.
	Margin time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// CertValidity is the validity of the certificate that obtained an entry's
// credentials. GetFor records it; Get and Lookup never return an entry
// outside it, so cached credentials stop being handed out once their
// certificate has expired, without parsing the certificate again.
type CertValidity struct {
	NotBefore time.Time
	NotAfter  time.Time
}

// covers reports whether t is inside v; a zero bound is no bound.
func (v CertValidity) covers(t time.Time) bool {
	if !v.NotAfter.IsZero() && !t.Before(v.NotAfter) {
		return false
	}
	return v.NotBefore.IsZero() || !t.Before(v.NotBefore)
}

// Entry is a valid cache entry as Lookup returns it.
type Entry struct {
	Credentials signer.Credentials
	// Certificate is what GetFor recorded (zero from Get).
	Certificate CertValidity
}

// entry is what a cache file holds.
type entry struct {
	Version         int       `json:"Version"`
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken"`
	Expiration      time.Time `json:"Expiration"`
	// CertNotBefore and CertNotAfter are the certificate's validity
	// (omitted when unknown).
	CertNotBefore *time.Time `json:"CertNotBefore,omitempty"`
	CertNotAfter  *time.Time `json:"CertNotAfter,omitempty"`
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) margin() time.Duration {
	if c.Margin > 0 {
		return c.Margin
	}
	return DefaultRefreshMargin
}

// Path is the file of key's entry.
func (c *Cache) Path(key string) string { return filepath.Join(c.Dir, key+".json") }

func (c *Cache) lockPath(key string) string { return filepath.Join(c.Dir, key+".lock") }

// Get returns credentials for key: from the cache while more than Margin of
// validity is left, else from fetch, which it then stores. Unreadable,
// corrupt, truncated or expiring entries are ignored and replaced.
func (c *Cache) Get(ctx context.Context, key string, fetch Fetcher) (signer.Credentials, Source, error) {
	return c.GetFor(ctx, key, CertValidity{}, fetch)
}

// Lookup is the read-only fast path of Get: key's entry when the directory
// is private, the entry parses, more than Margin of its credentials'
// validity is left and the recorded certificate validity covers now. It
// takes no lock and writes nothing; ok is false on any miss, an
// untrusted entry too (a symbolic link, not the user's, not 0600: GetFor
// reports it). Its errors
// are Get's (ErrInsecureDir, ErrCacheUnavailable) and mean the same.
func (c *Cache) Lookup(key string) (e Entry, ok bool, err error) {
	if err := c.prepareDir(); err != nil {
		return Entry{}, false, dirError(err)
	}
	e, ok, _ = c.read(key)
	return e, ok, nil
}

func dirError(err error) error {
	if errors.Is(err, ErrInsecureDir) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCacheUnavailable, err)
}

// GetFor is Get for credentials obtained with a certificate valid for cert:
// the entry it writes records cert, and no entry is returned outside the
// validity it records.
func (c *Cache) GetFor(ctx context.Context, key string, cert CertValidity, fetch Fetcher) (signer.Credentials, Source, error) {
	if err := c.prepareDir(); err != nil {
		return signer.Credentials{}, 0, dirError(err)
	}
	e, ok, untrusted := c.read(key)
	if ok {
		return e.Credentials, FromCache, nil
	}
	unlock, err := lockFile(ctx, c.lockPath(key))
	if err != nil {
		if ctx.Err() != nil {
			return signer.Credentials{}, 0, err
		}
		return signer.Credentials{}, 0, fmt.Errorf("%w: %w", ErrCacheUnavailable, err)
	}
	defer unlock()
	removeStaleTemps(c.Path(key))
	if e, ok, _ := c.read(key); ok {
		return e.Credentials, FromPeer, nil
	}
	cr, err := fetch(ctx)
	if err != nil {
		return signer.Credentials{}, 0, err
	}
	if err := Validate(cr); err != nil {
		return signer.Credentials{}, 0, err
	}
	// The session is good; only the cache failed (an entry not used, one
	// not stored). The caller decides whether to warn.
	return cr, FromFetch, errors.Join(untrusted, c.write(key, cr, cert))
}

// Validate checks that credentials have every field set.
func Validate(cr signer.Credentials) error {
	switch {
	case cr.AccessKeyID == "":
		return fmt.Errorf("%w: empty access key id", ErrInvalidCredentials)
	case cr.SecretAccessKey == "":
		return fmt.Errorf("%w: empty secret access key for %s", ErrInvalidCredentials, cr.AccessKeyID)
	case cr.SessionToken == "":
		return fmt.Errorf("%w: empty session token for %s", ErrInvalidCredentials, cr.AccessKeyID)
	case cr.Expiration.IsZero():
		return fmt.Errorf("%w: no expiration for %s", ErrInvalidCredentials, cr.AccessKeyID)
	}
	return nil
}

// Remove deletes key's entry, if any.
func (c *Cache) Remove(key string) error {
	if err := os.Remove(c.Path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove cache entry %q: %w", c.Path(key), err)
	}
	return nil
}

// read returns key's entry when it parses, is valid for more than the
// margin and its certificate's recorded validity covers now. untrusted is
// an *UntrustedEntryError when an entry was there but not used for who
// made it or what it is (readEntryFile).
func (c *Cache) read(key string) (_ Entry, ok bool, untrusted error) {
	b, err := readEntryFile(c.Path(key), maxEntrySize)
	var ue *UntrustedEntryError
	if errors.As(err, &ue) {
		return Entry{}, false, ue
	}
	if err != nil {
		return Entry{}, false, nil
	}
	e, ok := decodeEntry(b)
	if !ok || e.Version != cacheFormat {
		return Entry{}, false, nil
	}
	out := Entry{Credentials: signer.Credentials{AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey, SessionToken: e.SessionToken, Expiration: e.Expiration}}
	if e.CertNotBefore != nil {
		out.Certificate.NotBefore = *e.CertNotBefore
	}
	if e.CertNotAfter != nil {
		out.Certificate.NotAfter = *e.CertNotAfter
	}
	now := c.now()
	if Validate(out.Credentials) != nil || !out.Credentials.Expiration.After(now.Add(c.margin())) || !out.Certificate.covers(now) {
		return Entry{}, false, nil
	}
	return out, true, nil
}

func (c *Cache) write(key string, cr signer.Credentials, cert CertValidity) error {
	e := entry{Version: cacheFormat, AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken, Expiration: cr.Expiration.UTC()}
	if !cert.NotBefore.IsZero() {
		t := cert.NotBefore.UTC()
		e.CertNotBefore = &t
	}
	if !cert.NotAfter.IsZero() {
		t := cert.NotAfter.UTC()
		e.CertNotAfter = &t
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode cache entry: %w", err)
	}
	return writeAtomic(c.Path(key), b, nil)
}

// prepareDir creates the directory 0700 or checks an existing one.
func (c *Cache) prepareDir() error {
	if c.Dir == "" {
		return errors.New("cache directory not set")
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("create cache directory %q: %w", c.Dir, err)
	}
	return CheckPrivateDir(c.Dir)
}
