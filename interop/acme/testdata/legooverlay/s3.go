// This file replaces lego's providers/http/s3/s3.go (through go build
// -overlay): the interop test never serves HTTP-01 from S3, and the stub
// keeps the S3 SDK out of the build.

package s3

import "errors"

// HTTPProvider is a stub.
type HTTPProvider struct{}

// NewHTTPProvider always fails in the interop build of lego.
func NewHTTPProvider(_ string) (*HTTPProvider, error) {
	return nil, errors.New("s3 HTTP-01 provider not built into the interop lego")
}

// Present is never reached.
func (*HTTPProvider) Present(_, _, _ string) error { return errors.New("not built") }

// CleanUp is never reached.
func (*HTTPProvider) CleanUp(_, _, _ string) error { return errors.New("not built") }
