//go:build linux

package tpm

import (
	"os"

	"github.com/google/go-tpm/tpm2/transport"
)

// openDevice opens a TPM character device: path, or the first of
// DefaultDevices that exists.
func openDevice(path string) (transport.TPMCloser, error) {
	if path == "" {
		path = DefaultDevices[len(DefaultDevices)-1]
		for _, p := range DefaultDevices {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, noDevice(path, err)
	}
	return transport.FromReadWriteCloser(f), nil
}
