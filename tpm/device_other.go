//go:build !linux

package tpm

import (
	"fmt"
	"runtime"

	"github.com/google/go-tpm/tpm2/transport"
)

// openDevice fails: TPM character devices are a Linux interface (Windows
// has TBS, macOS no TPM); simulators (unix:, mssim:) still work.
func openDevice(path string) (transport.TPMCloser, error) {
	_ = noDevice
	return nil, fmt.Errorf("%w (%s)", ErrUnsupportedPlatform, runtime.GOOS)
}
