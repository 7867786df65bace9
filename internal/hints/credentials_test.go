package hints

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

// TestCredentialsHints: every sentinel and error type of package
// credentials gets a fix from For, also wrapped as the commands wrap
// them; a new one without a hint in credentialsHint fails here.
func TestCredentialsHints(t *testing.T) {
	for _, err := range []error{
		credentials.ErrInsecureDir,
		credentials.ErrCacheUnavailable,
		credentials.ErrExpired,
		credentials.ErrNoCredentials,
		credentials.ErrInvalidCredentials,
		credentials.ErrTokenFormat,
		credentials.ErrTokenExposed,
		&credentials.NoDefaultPathError{What: credentials.WhatCacheDir, Vars: []string{"HOME"}},
		&credentials.NoDefaultPathError{What: credentials.WhatCredentialsFile, Vars: []string{"HOME"}},
		&credentials.TokenFileError{Op: credentials.TokenRead, Path: "t", Err: credentials.ErrTokenFormat},
		&credentials.TokenFileError{Op: credentials.TokenRead, Path: "t", Err: credentials.ErrTokenExposed},
		&credentials.TokenFileError{Op: credentials.TokenCreate, Path: "t", Err: errors.New("denied")},
		&credentials.UntrustedEntryError{Path: "/c/k.json", Err: credentials.ErrEntryNotPrivate},
		&credentials.MarginError{Margin: -time.Second},
		&credentials.MarginError{Margin: time.Hour, Session: time.Hour},
		&credentials.ReadyError{Err: errors.New("no such directory")},
	} {
		if h := For(fmt.Errorf("cmd: %w", err)); h == "" {
			t.Errorf("%T %v: no hint", err, err)
		}
	}
	// The texts the scripts and users know, word for word.
	for err, want := range map[error]string{
		credentials.ErrInsecureDir: "make the cache directory private to you (chmod 700 DIR, owned by you), pass another --cache-dir, or --no-cache",
		credentials.ErrExpired:     "the last credentials in the file have expired; fix the error above (run 'acme-signing-helper doctor' with the same flags) and restart",
		&credentials.NoDefaultPathError{What: credentials.WhatCredentialsFile}:                   "pass --credentials-file FILE",
		&credentials.TokenFileError{Op: credentials.TokenRead, Err: credentials.ErrTokenExposed}: "chmod o-rwx the token file: whoever reads it gets the credentials",
	} {
		if got := For(err); got != want {
			t.Errorf("For(%v) = %q, want %q", err, got, want)
		}
	}
}
