package hints

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/totpenroll"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TestTOTPKeyEnrollErrorsHaveHints: every exported error of
// internal/totpkey and internal/totpenroll, as the package returns it,
// gets a hint from For, also wrapped. A new sentinel or error type in one
// of them fails here until it has an entry (and a hint in totp_cli.go).
func TestTOTPKeyEnrollErrorsHaveHints(t *testing.T) {
	notExist := &fs.PathError{Op: "open", Path: "/etc/seed.hex", Err: fs.ErrNotExist}
	noTPM := &tpm.DeviceError{Device: "unix:/run/swtpm.sock", Op: "open", Err: tpm.ErrNoTPM}
	blob := totp.Spec{Kind: totp.KindTPMHMAC, Arg: "/etc/seed.tpm"}
	cases := map[string][]error{
		"totpkey.ErrBothSources":         {totpkey.ErrBothSources},
		"totpkey.ErrNoSource":            {totpkey.ErrNoSource},
		"totpkey.ErrNoFingerprint":       {totpkey.ErrNoFingerprint},
		"totpkey.ErrFixedName":           {totpkey.ErrFixedName},
		"totpkey.ErrDigitsWithoutSource": {totpkey.ErrDigitsWithoutSource},
		"totpkey.SeedFileError": {
			&totpkey.SeedFileError{Path: "/etc/seed.hex", Err: fmt.Errorf("read seed file: %w", notExist)},
			&totpkey.SeedFileError{Path: "/etc/seed.hex", Err: fmt.Errorf("seed file: %w", &totp.PermissionError{Path: "/etc/seed.hex", Mode: 0o666})},
			&totpkey.SeedFileError{Path: "/etc/seed.hex", Err: fmt.Errorf("seed file %q: %w", "/etc/seed.hex", totp.ErrInvalidKey)},
			&totpkey.SeedFileError{Path: "/etc/seed.hex", Err: errors.New(`seed file: "/etc/seed.hex" is a directory, want a file`)},
		},
		"totpkey.DeviceSeedError": {
			&totpkey.DeviceSeedError{Spec: blob, Err: &tpm.ReadError{What: tpm.WhatSeedBlob, Path: blob.Arg, Err: notExist}},
			&totpkey.DeviceSeedError{Spec: blob, Err: noTPM},
			&totpkey.DeviceSeedError{Spec: blob, Err: fmt.Errorf("load: %w", tpm.ErrForeignKey)},
		},
		"totpkey.DigitsError": {&totpkey.DigitsError{Digits: 9}, &totpkey.DigitsError{Digits: 0}},
		"totpkey.WindowError": {&totpkey.WindowError{Window: -1}, &totpkey.WindowError{Window: totp.MaxWindow + 1}},

		"totpenroll.ErrTPMNeedsOut":          {totpenroll.ErrTPMNeedsOut},
		"totpenroll.ErrOutNeedsTPM":          {totpenroll.ErrOutNeedsTPM},
		"totpenroll.ErrTPMFingerprint":       {totpenroll.ErrTPMFingerprint},
		"totpenroll.ErrDeviceNeedsTPM":       {totpenroll.ErrDeviceNeedsTPM},
		"totpenroll.ErrCertificateAndLayout": {totpenroll.ErrCertificateAndLayout},
		"totpenroll.ErrNoCertificate":        {totpenroll.ErrNoCertificate},
		"totpenroll.ErrLayoutIncomplete":     {totpenroll.ErrLayoutIncomplete},
		"totpenroll.ErrReplaceNeedsDB":       {totpenroll.ErrReplaceNeedsDB},
		"totpenroll.CertificateError": {
			&totpenroll.CertificateError{Path: "c.pem", Err: &signer.FileError{What: "certificate", Path: "c.pem", Err: notExist}},
			&totpenroll.CertificateError{Path: "c.pem", Err: &signer.FileError{What: "certificate", Path: "c.pem", Err: errors.New("not a regular file")}},
			&totpenroll.CertificateError{Path: "c.pem", Err: totp.ErrNoIdentity},
		},
		"totpenroll.DeviceError": {
			&totpenroll.DeviceError{Err: &fs.PathError{Op: "write", Path: "/etc/seed.tpm", Err: fs.ErrExist}},
			&totpenroll.DeviceError{Err: noTPM},
			&totpenroll.DeviceError{Err: &totp.EnrollError{Op: "write", Path: "db.json", Err: errors.New("disk full")}},
		},
	}
	names := append(exportedErrors(t, filepath.Join("..", "totpkey"), "totpkey"), exportedErrors(t, filepath.Join("..", "totpenroll"), "totpenroll")...)
	if len(names) < 15 {
		t.Fatalf("found only %v: is the package source where the test looks?", names)
	}
	for _, n := range names {
		errs, ok := cases[n]
		if !ok {
			t.Errorf("%s has no entry here: give it a hint in totpCLIHint (totp_cli.go) and add it", n)
			continue
		}
		for _, err := range errs {
			if h := For(err); h == "" {
				t.Errorf("%s: %v has no hint", n, err)
			}
			if h := For(fmt.Errorf("totp enroll: %w", err)); h == "" {
				t.Errorf("%s: wrapped %v has no hint", n, err)
			}
		}
	}
	for n := range cases {
		found := false
		for _, m := range names {
			found = found || m == n
		}
		if !found {
			t.Errorf("cases lists %s, which the packages do not export", n)
		}
	}
}

// TestTOTPKeyEnrollCheckHints: the errors the option checks return, made
// by the checks themselves, reach a hint.
func TestTOTPKeyEnrollCheckHints(t *testing.T) {
	fp := totpkey.Source{Fingerprints: []string{"machine-id"}}
	for _, err := range []error{
		(&totpkey.Source{}).Check(true), (&totpkey.Source{}).Check(false),
		(&totpkey.Source{Fingerprints: []string{"machine-id"}, SeedFile: "s.hex"}).Check(true),
		(&totpkey.Source{Fingerprints: []string{"bogus:x"}}).Check(false),
		(&totpkey.Session{Source: fp, FixedName: true}).Check(),
		(&totpkey.Session{Digits: 8, DigitsSet: true}).Check(),
		(&totpkey.Session{Source: fp, DigitsSet: true}).Check(),
		(&totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"tpm-hmac:/s.tpm", "machine-id"}}}).Check(),
		totpkey.CheckDigits(5), totpkey.CheckWindow(-1),
		(&totpenroll.Options{TPM: true}).Check(),
		(&totpenroll.Options{Key: fp, Out: "o"}).Check(),
		(&totpenroll.Options{Key: fp, TPM: true, Out: "o"}).Check(),
		(&totpenroll.Options{Key: totpkey.Source{Fingerprints: []string{"machine-id"}, TPMDevice: "d"}}).Check(),
		(&totpenroll.Options{Key: fp, Certificate: "c", Domain: "d"}).Check(),
		(&totpenroll.Options{Key: fp}).Check(),
		(&totpenroll.Options{Key: fp, Domain: "d"}).Check(),
		(&totpenroll.Options{Key: fp, Certificate: "c", Replace: true}).Check(),
		(&totpenroll.Options{Key: fp, ACMEDir: "a", Domain: "../x"}).Check(),
	} {
		if err == nil {
			t.Errorf("a check returned nil")
			continue
		}
		if h := For(err); h == "" {
			t.Errorf("%v: no hint", err)
		}
	}
	_, _, err := totpkey.ParseAlgorithmAt("md5", "", nil)
	if For(err) == "" {
		t.Errorf("%v: no hint", err)
	}
	if _, _, err = totpkey.ParseAlgorithmAt("sha1", "yesterday", nil); For(err) == "" {
		t.Errorf("%v: no hint", err)
	}
}
