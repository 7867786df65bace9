package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TestTPMHints: every tpm sentinel gets a hint through hintOf, also when
// wrapped in the package's error types.
func TestTPMHints(t *testing.T) {
	for _, e := range []error{
		tpm.ErrUnsupportedPlatform, tpm.ErrNoTPM, tpm.ErrInvalidDevice, tpm.ErrNotTSS2Key, tpm.ErrInvalidHandle,
		tpm.ErrNoObject, tpm.ErrKeyPasswordRequired, tpm.ErrKeyPassword, tpm.ErrLockout, tpm.ErrForeignKey,
		tpm.ErrUnsupportedKey, tpm.ErrKeyMismatch, tpm.ErrUnsupportedSignature,
	} {
		for _, wrapped := range []error{
			e,
			&tpm.KeyError{Key: "k.pem", Err: fmt.Errorf("%w (load: rc)", e)},
			&tpm.DeviceError{Device: "unix:/x", Op: "open", Err: e},
		} {
			if h := hintOf(wrapped); h == "" {
				t.Errorf("hintOf(%v) is empty", wrapped)
			}
		}
	}
	if h := hintOf(errors.New("other")); h != "" {
		t.Errorf("hint of an unknown error: %q", h)
	}
}
