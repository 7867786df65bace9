//go:build linux

package tpm_test

import "github.com/acme-signing-helper/acme-signing-helper/tpm"

func noDeviceErr() error { return tpm.ErrNoTPM }
