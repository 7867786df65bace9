package main

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
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
		systemdunitHint,
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
	return ""
}

// ---- totp ------------------------------------------------------------------

// totpHint names the fix for an error of package totp.
func totpHint(e error) string {
	switch e := e.(type) {
	case *totp.SpecError:
		if e.Reason == totp.ReasonDuplicate {
			return "give each --fingerprint source once"
		}
		return "a fingerprint source is one of file:PATH, machine-id, dmi:FIELD (e.g. dmi:product_uuid), hostname, env:NAME"
	case *totp.SourceError:
		// The fix depends on why the source failed: e.Err is a field of
		// e (its cause as os or totp reported it), not another error of
		// the chain, so it is looked into here.
		switch {
		case errors.Is(e.Err, fs.ErrPermission):
			return "run as a user that can read the source, or choose another --fingerprint source"
		case errors.Is(e.Err, totp.ErrEmptySource):
			return "an empty source would make every machine alike: fill it or choose another --fingerprint source"
		case errors.Is(e.Err, fs.ErrNotExist):
			return "check the --fingerprint source exists on this machine, or choose another one"
		}
		return "check the --fingerprint source, or choose another one"
	case *totp.PermissionError:
		return fmt.Sprintf("seeds are secrets: chmod 600 %s", shellQuote(e.Path))
	case *totp.EnrollError:
		if e.Op == "write" {
			return "check that the directory of --db exists and is writable"
		}
	case *totp.SeedChangedError:
		return "the fingerprint of this machine changed (or another machine uses this identity); add --replace to overwrite the stored seed"
	}
	switch e {
	case totp.ErrInvalidTime:
		return "give a time as RFC 3339 (2026-11-21T19:49:42Z), @UNIX-SECONDS (@1795290582) or what 'date -R' prints (Sat, 21 Nov 2026 19:49:42 +0000)"
	case totp.ErrBeforeEpoch:
		return "give a time after 1970-01-01T00:00:00Z"
	case totp.ErrInvalidAlgorithm:
		return "use --algorithm sha1 (the default, as oathtool --totp), sha256 or sha512"
	case totp.ErrInvalidCode:
		return "a code is 6, 7 or 8 digits, leading zeros included, as 'totp code' prints it"
	case totp.ErrInvalidKey:
		return "the seed file holds one hex key, as '" + progName + " totp seed' or sha1sum prints it"
	case totp.ErrInvalidDigits:
		return "use 6 digits (the default), 7 or 8: --digits, or --totp-digits with --fingerprint"
	case totp.ErrInvalidWindow:
		return "--window is how many 30-second steps either side to accept, e.g. --window 1"
	case totp.ErrNoIdentity:
		return "enroll the workload's ACME certificate (it names the host)"
	case totp.ErrAmbiguousSeed:
		return "keep one seed per identity in the seeds database: remove the other entries, or run '" + progName + " totp enroll --db FILE --replace' on the machine"
	}
	return ""
}

// shellQuote quotes s for a command line in a hint (sh syntax).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- audit -----------------------------------------------------------------

// auditHint names the fix for an error of package audit.
func auditHint(e error) string {
	switch e := e.(type) {
	case *audit.DBError:
		switch {
		case e.Op == "open":
			return "give the seed database with --db FILE (the seed script's env-sha1sum-db.json)"
		case e.Err == audit.ErrDBWritable:
			return fmt.Sprintf("whoever can write it can add a seed and pass as legit: chmod go-w %q (0600 or 0640 is right for a file of secrets)", e.Path)
		case e.Op == "parse":
			return `write the database as the seed's env-sha1sum-db.json, [{"CN=host.example.com":"<hex seed>"}, ...], or as one object {"host.example.com":"<hex seed>", ...}; 'acme-signing-helper totp seed' prints a seed`
		}
	case *audit.FileError:
		// As for totp.SourceError, the fix depends on the cause, e.Err.
		switch {
		case errors.Is(e.Err, audit.ErrTruncated), errors.Is(e.Err, gzip.ErrChecksum), errors.Is(e.Err, gzip.ErrHeader):
			return "the file is truncated or corrupt: fetch it again (aws s3 cp); the other files were checked"
		case errors.Is(e.Err, audit.ErrNotJSON):
			return "give CloudTrail log files ({\"Records\":[...]}, gzip or not), single events or JSON lines"
		case errors.Is(e.Err, fs.ErrNotExist):
			return "check the path"
		}
	}
	return ""
}

// ---- systemdunit ----------------------------------------------------------

// systemdunitHint names the fix for an error of package systemdunit (the
// systemd command's options).
func systemdunitHint(e error) string {
	switch e {
	case systemdunit.ErrUnknownMode:
		return "run 'acme-signing-helper systemd --help' for the flags"
	case systemdunit.ErrNotDNSName:
		return "pass the certificate's DNS name, e.g. --domain host.example.com"
	case systemdunit.ErrNotEmail:
		return "pass the ACME account e-mail address, e.g. --email ops@example.com"
	case systemdunit.ErrNotUserName:
		return "user and group names are lower case letters, digits, '_' and '-'"
	case systemdunit.ErrNotProvider:
		return "pass lego's DNS provider name, e.g. --dns route53"
	case systemdunit.ErrNotAbsolutePath:
		return "systemd needs absolute paths; avoid spaces, quotes, '%', '$' and ';' in them"
	case systemdunit.ErrNotCalendar:
		return "see systemd.time(7), e.g. --on-calendar weekly or daily for 6-day certificates"
	case systemdunit.ErrOutOfRange:
		return "give seconds between 0 and 604800"
	case systemdunit.ErrNotProfile:
		return "use letters, digits and _.@+- in --profile"
	case systemdunit.ErrSpecialCharacters:
		return "values must not contain spaces, quotes, '%', '$', ';' or backslashes"
	}
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
