// This file replaces lego's providers/http/memcached/memcached.go (through
// go build -overlay): the interop test never serves HTTP-01 from memcached,
// and the stub keeps the memcache client out of the build.

package memcached

import "errors"

// HTTPProvider is a stub.
type HTTPProvider struct{}

// NewMemcachedProvider always fails in the interop build of lego.
func NewMemcachedProvider(_ []string) (*HTTPProvider, error) {
	return nil, errors.New("memcached HTTP-01 provider not built into the interop lego")
}

// Present is never reached.
func (*HTTPProvider) Present(_, _, _ string) error { return errors.New("not built") }

// CleanUp is never reached.
func (*HTTPProvider) CleanUp(_, _, _ string) error { return errors.New("not built") }
