package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// cacheOptions are credential-process's cache flags.
type cacheOptions struct {
	cache   bool
	noCache bool
	dir     string
	margin  time.Duration
}

const hintCacheDir = "make the cache directory private to you (chmod 700 DIR, owned by you), pass another --cache-dir, or --no-cache"

func (c *cacheOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.cache, "cache", true, "reuse credentials from the cache while more than --refresh-margin of validity is left")
	fs.BoolVar(&c.noCache, "no-cache", false, "always call CreateSession; do not read or write the cache")
	fs.StringVar(&c.dir, "cache-dir", "", "cache `DIR` (default $XDG_CACHE_HOME/acme-signing-helper or ~/.cache/acme-signing-helper)")
	fs.DurationVar(&c.margin, "refresh-margin", credentials.DefaultRefreshMargin, "get new credentials when less than `DURATION` of validity is left")
}

func (c *cacheOptions) validate(sessionSeconds int) error {
	if c.margin < 0 {
		return usageErrorf("give --refresh-margin a duration such as 5m", "--refresh-margin %s is negative", c.margin)
	}
	if sessionSeconds > 0 && c.margin >= time.Duration(sessionSeconds)*time.Second {
		return usageErrorf("make --refresh-margin shorter than --session-duration", "--refresh-margin %s is not shorter than the session (%d s)", c.margin, sessionSeconds)
	}
	return nil
}

// enabled is --cache without --no-cache.
func (c *cacheOptions) enabled() bool { return c.cache && !c.noCache }

// open returns the cache, nil when disabled.
func (c *cacheOptions) open(e *env) (*credentials.Cache, error) {
	if !c.enabled() {
		return nil, nil
	}
	dir := c.dir
	if dir == "" {
		d, err := credentials.DefaultDir(e.lookupEnv)
		if err != nil {
			// A service without a home: work, uncached.
			e.log.Debug("no credential cache: pass --cache-dir DIR (or --no-cache)", "err", err)
			return nil, nil
		}
		dir = d
	}
	return &credentials.Cache{Dir: dir, Margin: c.margin, Now: e.now}, nil
}

// credentialCacheKey hashes everything that changes CreateSession's
// answer: the leaf certificate (a renewal changes it), the ARNs, region,
// endpoint, duration and how the session name is made. A computed (TOTP)
// session name contributes its mode, not the code.
func credentialCacheKey(o *credentialProcessOptions, m *signer.Material) string {
	leaf := sha256.Sum256(m.Leaf.Raw)
	mode := "none"
	switch {
	case o.totp.enabled() || o.sessionName != nil:
		mode = "computed"
	case o.roleSessionName != "":
		mode = "fixed:" + o.roleSessionName
	}
	parts := []string{
		"leaf", hex.EncodeToString(leaf[:]),
		"trust-anchor", o.trustAnchorARN,
		"profile", o.profileARN,
		"role", o.roleARN,
		"region", o.region,
		"endpoint", o.endpoint,
		"duration", strconv.Itoa(o.sessionDuration),
		"session-name", mode,
		"no-verify-ssl", strconv.FormatBool(o.noVerifySSL),
	}
	parts = append(parts, sessionNameKeyParts(o)...)
	return credentials.Key(parts...)
}

// sessionNameKeyParts are the settings of a computed session name that
// change it (the fingerprint mode), never the code or the seed.
func sessionNameKeyParts(o *credentialProcessOptions) []string {
	if !o.totp.enabled() {
		return nil
	}
	parts := []string{"totp-digits", strconv.Itoa(o.totp.digitsOrDefault())}
	for _, f := range o.totp.fingerprints {
		parts = append(parts, "fingerprint", f)
	}
	return parts
}

// cachedCreateSession is signer.CreateSession behind the cache: at most one
// call per key across concurrent processes, none while cached credentials
// are valid for more than the margin.
func (c *cacheOptions) cachedCreateSession(e *env, o *credentialProcessOptions, m *signer.Material, cfg signer.Config) (signer.Credentials, error) {
	fetch := func() (signer.Credentials, error) { return signer.CreateSession(e.ctx, m, cfg) }
	cache, err := c.open(e)
	if err != nil {
		return signer.Credentials{}, err
	}
	if cache == nil {
		return fetch()
	}
	key := credentialCacheKey(o, m)
	cr, src, err := cache.Get(e.ctx, key, func(ctx context.Context) (signer.Credentials, error) { return signer.CreateSession(ctx, m, cfg) })
	switch {
	case err == nil:
		e.log.Debug("credentials", "source", src.String(), "access_key_id", cr.AccessKeyID, "cache", cache.Path(key))
		return cr, nil
	case errors.Is(err, credentials.ErrInsecureDir):
		// The cache holds secrets: refuse rather than use it or skip it.
		return signer.Credentials{}, withHint(fmt.Errorf("credential cache: %w", err), hintCacheDir)
	case errors.Is(err, credentials.ErrCacheUnavailable):
		fmt.Fprintf(e.stderr, "%s: warning: %v; going on without the cache (pass --cache-dir DIR or --no-cache)\n", progName, err)
		return fetch()
	case src == credentials.FromFetch && cr.AccessKeyID != "":
		// The session is good; only storing it failed.
		fmt.Fprintf(e.stderr, "%s: warning: credential cache: %v\n", progName, err)
		return cr, nil
	}
	return signer.Credentials{}, err
}
