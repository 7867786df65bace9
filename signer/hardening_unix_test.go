//go:build unix

package signer

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestFIFOHardening: a FIFO nobody writes as the certificate, the key or
// AWS_CA_BUNDLE fails at once instead of hanging in open (issue 13,
// point 3).
func TestFIFOHardening(t *testing.T) {
	f := writePlain(t, newPKI(t, testpki.Options{}))
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"certificate", func() error {
			_, err := Load(LoadOptions{Certificate: fifo, PrivateKey: f.Key})
			return err
		}},
		{"key", func() error {
			_, err := Load(LoadOptions{Certificate: f.Certificate, PrivateKey: fifo})
			return err
		}},
		{"certificate hash", func() error {
			_, err := CertificateFileSHA256(fifo)
			return err
		}},
		{"CA bundle", func() error {
			cfg := testConfig("https://127.0.0.1:1")
			cfg.CABundle = fifo
			_, err := cfg.NewHTTPClient()
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- tc.call() }()
			select {
			case err := <-done:
				if !errors.Is(err, rawfile.ErrNotRegular) || !isPackageError(err) {
					t.Fatalf("got %v, want a package error wrapping rawfile.ErrNotRegular", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still blocked after 5s")
			}
		})
	}
}
