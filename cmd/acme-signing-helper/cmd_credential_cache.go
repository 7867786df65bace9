package main

import (
	"errors"
	"fmt"
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
	fs      *pflag.FlagSet // to tell a set --refresh-margin from the default
}

func (c *cacheOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.cache, "cache", true, "reuse credentials from the cache while more than --refresh-margin of validity is left")
	fs.BoolVar(&c.noCache, "no-cache", false, "always call CreateSession; do not read or write the cache")
	fs.StringVar(&c.dir, "cache-dir", "", "cache `DIR` (default "+credentials.DefaultDirDescription+")")
	fs.DurationVar(&c.margin, "refresh-margin", credentials.DefaultRefreshMargin, marginUsage)
	c.fs = fs
	setGroup(fs, "cache", "cache", "no-cache", "cache-dir", "refresh-margin")
}

// marginUsage is the --refresh-margin of credential-process, update and serve.
const marginUsage = "renew when less than `DURATION` of validity is left (unless set: at most a quarter of --session-duration)"

// defaultMargin is margin when --refresh-margin was set (flag, environment
// or config file), else the session's credentials.RefreshMarginFor.
func defaultMargin(fs *pflag.FlagSet, margin time.Duration, sessionSeconds int) time.Duration {
	if fs == nil || fs.Changed("refresh-margin") {
		return margin
	}
	return credentials.RefreshMarginFor(time.Duration(sessionSeconds) * time.Second)
}

func (c *cacheOptions) validate(sessionSeconds int) error {
	c.margin = defaultMargin(c.fs, c.margin, sessionSeconds)
	me, ok := credentials.CheckMargin(c.margin, time.Duration(sessionSeconds)*time.Second).(*credentials.MarginError)
	switch {
	case !ok:
		return nil
	case me.Margin < 0:
		return usageErrorf(hintOf(me), "--refresh-margin %s is negative", c.margin)
	}
	return usageErrorf(hintOf(me), "--refresh-margin %s is not shorter than the session (%d s)", c.margin, sessionSeconds)
}

// enabled is --cache without --no-cache.
func (c *cacheOptions) enabled() bool { return c.cache && !c.noCache }

// open returns the cache, nil when disabled or when there is no default
// directory (a service without a home: it works, uncached).
func (c *cacheOptions) open(e *env) *credentials.Cache {
	if !c.enabled() {
		return nil
	}
	cache, unchecked, err := credentials.Open(c.dir, c.margin, e.now, e.lookupEnv)
	if err != nil {
		e.log.Debug("no credential cache: pass --cache-dir DIR (or --no-cache)", "err", err)
		return nil
	}
	if unchecked != "" {
		e.log.Debug("credential cache: " + unchecked)
	}
	return cache
}

// obtain is credential-process's credentials (credentials.Cache.Obtain):
// the fast path of a hit, else o.signerInputs and CreateSession behind the
// cache, printing the warnings of either.
func (c *cacheOptions) obtain(e *env, o *credentialProcessOptions) (signer.Credentials, error) {
	r := credentials.Request{Load: o.loadOptions(), Config: o.signerConfig(), SessionName: o.sessionNameKeyParts()}
	got, err := c.open(e).Obtain(e.ctx, r, func(miss error) (*signer.Material, signer.Config, error) {
		if miss != nil {
			e.log.Debug("credential cache: no fast path; loading the certificate material", "err", miss)
		}
		return o.signerInputs(e)
	})
	if err != nil {
		return signer.Credentials{}, err
	}
	if h := got.Hit; h != nil {
		for _, w := range h.Warnings {
			e.warnf("%s", w)
		}
		if o.noVerifySSL {
			fmt.Fprint(e.stderr, noVerifySSLWarning)
		}
		e.log.Debug("credentials", "source", credentials.FromCache.String(), "access_key_id", h.Credentials.AccessKeyID, "cache", h.Path,
			"certificate", h.Files.Certificate, "certificate_not_after", h.Certificate.NotAfter.UTC().Format(time.RFC3339))
		return got.Credentials, nil
	}
	switch s := got.Session; {
	case s.Uncached && errors.Is(s.Warning, credentials.ErrCacheUnavailable):
		e.warnf("%v; going on without the cache (pass --cache-dir DIR or --no-cache)", s.Warning)
	case s.Uncached:
		e.warnf("%v; going on without the cache", s.Warning)
	case s.Warning != nil:
		e.warnf("%v", s.Warning)
	case s.Key != "":
		e.log.Debug("credentials", "source", s.Source.String(), "access_key_id", s.Credentials.AccessKeyID, "cache", s.Path)
	}
	return got.Credentials, nil
}
