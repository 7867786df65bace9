package hints

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TestTPMHints: every exported error of the tpm package gets a hint
// through For, bare and wrapped in the package's error types; a new
// sentinel without an entry here fails.
func TestTPMHints(t *testing.T) {
	sentinels := map[string]error{
		"tpm.ErrUnsupportedPlatform": tpm.ErrUnsupportedPlatform, "tpm.ErrNoTPM": tpm.ErrNoTPM,
		"tpm.ErrInvalidDevice": tpm.ErrInvalidDevice, "tpm.ErrNotTSS2Key": tpm.ErrNotTSS2Key,
		"tpm.ErrInvalidHandle": tpm.ErrInvalidHandle, "tpm.ErrNoObject": tpm.ErrNoObject,
		"tpm.ErrKeyPasswordRequired": tpm.ErrKeyPasswordRequired, "tpm.ErrKeyPassword": tpm.ErrKeyPassword,
		"tpm.ErrLockout": tpm.ErrLockout, "tpm.ErrForeignKey": tpm.ErrForeignKey,
		"tpm.ErrUnsupportedKey": tpm.ErrUnsupportedKey, "tpm.ErrNotHMACKey": tpm.ErrNotHMACKey,
		"tpm.ErrKeyMismatch": tpm.ErrKeyMismatch, "tpm.ErrUnsupportedSignature": tpm.ErrUnsupportedSignature,
	}
	types := map[string]bool{"tpm.DeviceError": true, "tpm.KeyError": true, "tpm.ReadError": true}
	for _, n := range exportedErrors(t, filepath.Join("..", "..", "tpm"), "tpm") {
		if sentinels[n] == nil && !types[n] {
			t.Errorf("%s has no entry here: give it a hint in tpmHint (hints.go) and add it", n)
		}
	}
	for n, e := range sentinels {
		for _, wrapped := range []error{
			e,
			&tpm.KeyError{Key: "k.pem", Err: fmt.Errorf("%w (load: rc)", e)},
			&tpm.DeviceError{Device: "unix:/x", Op: "open", Err: e},
		} {
			if h := For(wrapped); h == "" {
				t.Errorf("%s: For(%v) is empty", n, wrapped)
			}
		}
	}
	for _, e := range []error{&tpm.ReadError{What: tpm.WhatKeyFile, Path: "k.pem", Err: errors.New("x")}, &tpm.ReadError{What: tpm.WhatSeedBlob, Path: "s.tpm", Err: errors.New("x")}} {
		if h := For(fmt.Errorf("wrapped: %w", e)); h == "" {
			t.Errorf("For(%v) is empty", e)
		}
	}
	if h := For(errors.New("other")); h != "" {
		t.Errorf("hint of an unknown error: %q", h)
	}
}
