package main

import (
	"errors"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

// This file is the one place where package errors meet the CLI's words.
//
// The convention, for every package of this module: an error carries facts
// (the file, field, value and cause) as an exported sentinel
// (var ErrX = errors.New(...)) or an exported type with fields and Unwrap,
// so that callers match it with errors.Is/As. No package error text, and no
// method of one, names a flag, an environment variable of this CLI or a
// fix. The fix, in the CLI's words (flags, env vars, commands), is added
// here: hintOf walks the error chain, outermost first, and asks each
// package's hint function about each error of the chain in turn.
//
// The only errors that carry their own hint are main's: usageError (exit
// code 2) and withHint, made at the edge where the flag is known.

// hinter is implemented by main's edge errors (usageError, hintedError).
type hinter interface{ Hint() string }

// hintOf returns the fix for err, or "" when none is known.
func hintOf(err error) string {
	for err != nil {
		if h := hintAt(err); h != "" {
			return h
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if h := hintOf(e); h != "" {
					return h
				}
			}
			return ""
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// hintAt is the hint of e itself, not of the errors it wraps. The package
// functions below look at e alone: they compare with == and type-assert,
// never errors.Is/As (hintOf does the walking).
func hintAt(e error) string {
	if h, ok := e.(hinter); ok && h.Hint() != "" {
		return h.Hint()
	}
	for _, f := range []func(error) string{
		signerHint,
		credentialsHint,
		totpHint,
		auditHint,
		trustpolicyHint,
		emulatorHint,
	} {
		if h := f(e); h != "" {
			return h
		}
	}
	return ""
}

// ---- signer ----------------------------------------------------------------

// signerHint names the fix for an error of package signer.
func signerHint(e error) string {
	return ""
}

// ---- credentials -----------------------------------------------------------

// credentialsHint names the fix for an error of package credentials.
func credentialsHint(e error) string {
	switch e {
	case credentials.ErrInsecureDir:
		return "make the cache directory private to you (chmod 700 DIR, owned by you), pass another --cache-dir, or --no-cache"
	case credentials.ErrCacheUnavailable:
		return "pass --cache-dir DIR or --no-cache"
	case credentials.ErrExpired:
		return "the last credentials in the file have expired; fix the error above (run 'acme-signing-helper doctor' with the same flags) and restart"
	case credentials.ErrNoCredentials:
		return "wait for the first session, or fix the error logged by the refresh (run 'acme-signing-helper doctor' with the same flags)"
	case credentials.ErrInvalidCredentials:
		return "the endpoint answered without complete credentials: check --endpoint (run 'acme-signing-helper doctor' with the same flags)"
	case credentials.ErrTokenExposed:
		return "chmod o-rwx the token file: whoever reads it gets the credentials"
	case credentials.ErrTokenFormat:
		return "point --auth-token-file at a file holding the token (or at a path where serve may create one)"
	}
	switch e := e.(type) {
	case *credentials.NoDefaultPathError:
		if e.What == credentials.WhatCacheDir {
			return "pass --cache-dir DIR (or --no-cache)"
		}
		return "pass --credentials-file FILE"
	case *credentials.TokenFileError:
		switch {
		case e.Err == credentials.ErrTokenExposed:
			return "chmod o-rwx the token file: whoever reads it gets the credentials"
		case e.Op == credentials.TokenRead, e.Op == credentials.TokenMkdir, e.Op == credentials.TokenCreate:
			return "point --auth-token-file at a file holding the token (or at a path where serve may create one)"
		}
	}
	return ""
}

// ---- totp ------------------------------------------------------------------

// totpHint names the fix for an error of package totp.
func totpHint(e error) string {
	return ""
}

// ---- audit -----------------------------------------------------------------

// auditHint names the fix for an error of package audit.
func auditHint(e error) string {
	return ""
}

// ---- trustpolicy -----------------------------------------------------------

// trustpolicyHint names the fix for an error of package trustpolicy.
func trustpolicyHint(e error) string {
	return ""
}

// ---- emulator --------------------------------------------------------------

// emulatorHint names the fix for an error of package emulator.
func emulatorHint(e error) string {
	return ""
}
