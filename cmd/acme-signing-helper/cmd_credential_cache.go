package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
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

// cacheKeyInputs are the certificate side of the cache key, all cheap to
// get: the files signer.Load reads (the --acme-dir layout resolved by a few
// stats), the SHA-256 of the certificate file's bytes (a renewal changes
// them) and the identity of the private key file (device, inode, size,
// modification and change times: a replaced key changes it, without its
// bytes being read).
type cacheKeyInputs struct {
	files   signer.Files
	certSum [32]byte
	keyID   string
	keyMode fs.FileMode
}

// locateCacheKeyInputs gets the inputs without parsing anything. Its
// errors only mean "no fast path": Load reports the problem properly.
func (o *credentialProcessOptions) locateCacheKeyInputs() (cacheKeyInputs, error) {
	lo := signer.LoadOptions{Certificate: o.certificate, PrivateKey: o.privateKey, AcmeDir: o.acmeDir, Domain: o.domain}
	if o.intermediates != "" {
		lo.Intermediates = []string{o.intermediates}
	}
	files, err := signer.Locate(lo)
	if err != nil {
		return cacheKeyInputs{}, err
	}
	sum, err := signer.CertificateFileSHA256(files.Certificate)
	if err != nil {
		return cacheKeyInputs{}, err
	}
	return keyFileInputs(files, sum)
}

// materialCacheKeyInputs are the inputs of loaded material: the files and
// certificate bytes Load actually read.
func materialCacheKeyInputs(m *signer.Material) (cacheKeyInputs, error) {
	files := signer.Files{Layout: m.Layout, Certificate: m.CertificatePath, PrivateKey: m.PrivateKeyPath, Intermediates: m.IntermediatePaths}
	return keyFileInputs(files, m.CertificateFileSHA256)
}

func keyFileInputs(files signer.Files, certSum [32]byte) (cacheKeyInputs, error) {
	if signer.IsTPMHandle(files.PrivateKey) {
		// A TPM persistent handle is no file; the certificate pins its key.
		return cacheKeyInputs{files: files, certSum: certSum, keyID: files.PrivateKey}, nil
	}
	fi, err := os.Stat(files.PrivateKey)
	if err != nil {
		return cacheKeyInputs{}, fmt.Errorf("private key %q: %w", files.PrivateKey, err)
	}
	if !fi.Mode().IsRegular() {
		return cacheKeyInputs{}, fmt.Errorf("private key %q: not a regular file", files.PrivateKey)
	}
	return cacheKeyInputs{files: files, certSum: certSum, keyID: fileIdentity(fi), keyMode: fi.Mode()}, nil
}

// fileIdentity changes when the file is replaced or rewritten.
func fileIdentity(fi fs.FileInfo) string {
	id := strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id += fmt.Sprintf(":%d:%d:%d.%d", uint64(st.Dev), uint64(st.Ino), int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
	}
	return id
}

// credentialCacheKey hashes everything that changes CreateSession's
// answer: the certificate files (a renewal changes the certificate file's
// bytes; a replaced key its identity), the ARNs, region, endpoint,
// duration and how the session name is made. A computed (TOTP) session
// name contributes its mode, not the code.
func credentialCacheKey(o *credentialProcessOptions, in cacheKeyInputs) string {
	mode := "none"
	switch {
	case o.totp.enabled() || o.sessionName != nil:
		mode = "computed"
	case o.roleSessionName != "":
		mode = "fixed:" + o.roleSessionName
	}
	parts := []string{
		"certificate-file", in.files.Certificate,
		"certificate-sha256", hex.EncodeToString(in.certSum[:]),
		"private-key-file", in.files.PrivateKey,
		"private-key-identity", in.keyID,
	}
	for _, p := range in.files.Intermediates {
		parts = append(parts, "intermediates-file", p)
	}
	parts = append(parts,
		"trust-anchor", o.trustAnchorARN,
		"profile", o.profileARN,
		"role", o.roleARN,
		"region", o.region,
		"endpoint", o.endpoint,
		"duration", strconv.Itoa(o.sessionDuration),
		"session-name", mode,
		"no-verify-ssl", strconv.FormatBool(o.noVerifySSL),
	)
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

// cachedCredentials is the fast path of a cache hit, before anything is
// parsed: it reads no private key and builds no client. It resolves the
// files (a few stats), hashes the certificate file, stats the key file and
// reads the entry; ok is false on any miss, and the caller then loads and
// checks the material and calls cachedCreateSession. It serves only
// entries that recorded their certificate's validity, inside it, and
// prints the warnings Load would (key file mode, lifetime left).
func (c *cacheOptions) cachedCredentials(e *env, o *credentialProcessOptions) (cr signer.Credentials, ok bool, err error) {
	cache, err := c.open(e)
	if cache == nil || err != nil {
		return signer.Credentials{}, false, err
	}
	in, err := o.locateCacheKeyInputs()
	if err != nil {
		e.log.Debug("credential cache: no fast path; loading the certificate material", "err", err)
		return signer.Credentials{}, false, nil
	}
	key := credentialCacheKey(o, in)
	ent, ok, err := cache.Lookup(key)
	switch {
	case errors.Is(err, credentials.ErrInsecureDir):
		return signer.Credentials{}, false, withHint(fmt.Errorf("credential cache: %w", err), hintCacheDir)
	case err != nil:
		// Unavailable: the slow path warns and goes on without it.
		return signer.Credentials{}, false, nil
	case !ok || ent.Certificate.NotAfter.IsZero():
		return signer.Credentials{}, false, nil
	}
	if w := signer.KeyFileWarning(in.files.PrivateKey, in.keyMode); w != "" {
		fmt.Fprintf(e.stderr, "%s: warning: %s\n", progName, w)
	}
	if w := signer.LifetimeWarning(ent.Certificate.NotBefore, ent.Certificate.NotAfter, e.now()); w != "" {
		fmt.Fprintf(e.stderr, "%s: warning: %s\n", progName, w)
	}
	if o.noVerifySSL {
		fmt.Fprint(e.stderr, noVerifySSLWarning)
	}
	e.log.Debug("credentials", "source", credentials.FromCache.String(), "access_key_id", ent.Credentials.AccessKeyID, "cache", cache.Path(key),
		"certificate", in.files.Certificate, "certificate_not_after", ent.Certificate.NotAfter.UTC().Format(time.RFC3339))
	return ent.Credentials, true, nil
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
	in, err := materialCacheKeyInputs(m)
	if err != nil {
		// The key file went away after Load read it: no entry to key.
		fmt.Fprintf(e.stderr, "%s: warning: credential cache: %v; going on without the cache\n", progName, err)
		return fetch()
	}
	key := credentialCacheKey(o, in)
	validity := credentials.CertValidity{NotBefore: m.Leaf.NotBefore, NotAfter: m.Leaf.NotAfter}
	cr, src, err := cache.GetFor(e.ctx, key, validity, func(ctx context.Context) (signer.Credentials, error) { return signer.CreateSession(ctx, m, cfg) })
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
