// Package totpkey chooses and loads the TOTP key of a command: the key
// derived from fingerprint sources (package totp), the hex key of a seed
// file, or a seed the TPM holds (a lone tpm-hmac:PATH source, package tpm).
// It is the one place where that choice is made, for the totp commands and
// for the TOTP role session name of credential-process; it also holds the
// checks of those settings (Source.Check, Session.Check, CheckDigits,
// CheckWindow), which return fact errors that internal/hints words in the
// command line's flags.
//
// Security considerations: keys, seeds and codes are secrets. Nothing here
// logs or returns them in an error: the logger given in Source.Logger gets
// the number of sources and the derivation, the seed file's path and the
// blob's path, never a value read from a source, a key or a code. A seed
// file that group or others may write is refused (totp.ReadKeyFile); one
// they may read is accepted with a warning, and where file modes do not
// say who may read a file (totp.ModeChecked false, Windows) the warning
// says that it was not checked.
package totpkey

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// ErrBothSources is Source.Check's error for fingerprint sources and a
// seed file together.
var ErrBothSources = errors.New("fingerprint sources and a seed file exclude each other")

// ErrNoSource is Source.Check's error for neither fingerprint sources nor
// a seed file, where a seed file may be given.
var ErrNoSource = errors.New("no key: fingerprint sources or a seed file are required")

// ErrNoFingerprint is Source.Check's error for no fingerprint source,
// where a seed file may not be given.
var ErrNoFingerprint = errors.New("no fingerprint source")

// Source says where a TOTP key comes from.
type Source struct {
	// Fingerprints are fingerprint source specs (totp.ParseSpec); a lone
	// tpm-hmac:PATH names a seed held by the TPM (Seed).
	Fingerprints []string
	// SeedFile is a file holding the hex key instead ("" for none).
	SeedFile string
	// TPMDevice is the TPM of a tpm-hmac:PATH source (tpm.Open's spec;
	// "" is the default device).
	TPMDevice string
	// LookupEnv reads the env:NAME sources (nil: os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Logger gets the warnings (a seed file others may read) and, at
	// debug level, how the key was found; nil discards them.
	Logger *slog.Logger
}

// Check checks s without I/O. seedFile says whether the command takes a
// seed file. The errors are ErrBothSources, ErrNoSource (seedFile),
// ErrNoFingerprint (not seedFile) and totp.ParseSpecs's *totp.SpecError.
func (s *Source) Check(seedFile bool) error {
	switch {
	case seedFile && len(s.Fingerprints) > 0 && s.SeedFile != "":
		return ErrBothSources
	case len(s.Fingerprints) == 0 && (!seedFile || s.SeedFile == ""):
		if seedFile {
			return ErrNoSource
		}
		return ErrNoFingerprint
	}
	_, err := totp.ParseSpecs(s.Fingerprints)
	return err
}

func (s *Source) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// SeedFileError is a seed file (Source.SeedFile) that cannot be used: Err
// is totp.ReadKeyFile's error, whose text it has.
type SeedFileError struct {
	Path string
	Err  error
}

func (e *SeedFileError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *SeedFileError) Unwrap() error { return e.Err }

// Key returns the key of s: the hex key of SeedFile when set (a
// *SeedFileError when it cannot be read), else the key derived from
// Fingerprints (totp.DeriveKeyFromSpecs).
func (s *Source) Key() (totp.Key, error) {
	log := s.log()
	if s.SeedFile == "" {
		k, err := totp.DeriveKeyFromSpecs(&totp.System{LookupEnv: s.LookupEnv}, s.Fingerprints)
		if err != nil {
			return nil, err
		}
		sp, _ := totp.ParseSpecs(s.Fingerprints) // DeriveKeyFromSpecs parsed them
		log.Debug("derived totp key", "sources", len(s.Fingerprints), "derivation", totp.Derivation(sp))
		return k, nil
	}
	key, loose, err := totp.ReadKeyFile(s.SeedFile)
	if err != nil {
		return nil, &SeedFileError{Path: s.SeedFile, Err: err}
	}
	if loose {
		log.Warn("seed file is readable by group or others; seeds are secrets: chmod 600 it", "file", s.SeedFile)
	}
	WarnModeUnchecked(log, "seed file", s.SeedFile)
	return key, nil
}

// WarnModeUnchecked warns that the mode of the file of seeds at path
// (what: "seed file", "seeds database") was not checked, where file modes
// do not say who may read it (totp.ModeChecked false).
func WarnModeUnchecked(log *slog.Logger, what, path string) {
	if !totp.ModeChecked {
		log.Warn(what+" permissions are not checked on this platform; seeds are secrets: make sure only you can read it", "file", path)
	}
}

// DeviceSeedError is a TPM-held seed (a tpm-hmac:PATH source) that
// cannot be used: Spec is the source, Err tpm.ReadHMACKey's error, whose
// text it has.
type DeviceSeedError struct {
	Spec totp.Spec
	Err  error
}

func (e *DeviceSeedError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *DeviceSeedError) Unwrap() error { return e.Err }

// Seed returns the seed of s: the TPM's for a lone tpm-hmac:PATH source
// (a *DeviceSeedError when the TPM cannot load it), else Key's. A
// tpm-hmac source with other sources is totp.DeviceSpec's *totp.SpecError.
func (s *Source) Seed() (totp.Seed, error) {
	sp, err := totp.ParseSpecs(s.Fingerprints)
	if err != nil {
		return totp.Seed{}, err
	}
	dev, ok, err := totp.DeviceSpec(sp)
	if err != nil {
		return totp.Seed{}, err
	}
	if !ok {
		k, err := s.Key()
		return totp.Seed{Key: k}, err
	}
	h, err := tpm.ReadHMACKey(dev.Arg, s.TPMDevice)
	if err != nil {
		return totp.Seed{}, &DeviceSeedError{Spec: dev, Err: err}
	}
	s.log().Debug("totp seed held by the TPM", "blob", dev.Arg)
	return totp.Seed{Device: h}, nil
}

// DigitsError is a code length other than 6, 7 or 8. It unwraps to
// totp.ErrInvalidDigits.
type DigitsError struct{ Digits int }

func (e *DigitsError) Error() string {
	return fmt.Sprintf("%d digits: %v", e.Digits, totp.ErrInvalidDigits)
}

// Unwrap returns totp.ErrInvalidDigits.
func (e *DigitsError) Unwrap() error { return totp.ErrInvalidDigits }

// CheckDigits checks a code length: 6, 7 or 8, else a *DigitsError.
func CheckDigits(digits int) error {
	if digits < 6 || digits > 8 {
		return &DigitsError{Digits: digits}
	}
	return nil
}

// WindowError is a verification window outside 0..totp.MaxWindow. It
// unwraps to totp.ErrInvalidWindow.
type WindowError struct{ Window int }

func (e *WindowError) Error() string {
	return fmt.Sprintf("window %d: %v", e.Window, totp.ErrInvalidWindow)
}

// Unwrap returns totp.ErrInvalidWindow.
func (e *WindowError) Unwrap() error { return totp.ErrInvalidWindow }

// CheckWindow checks a verification window (steps either side):
// 0..totp.MaxWindow, else a *WindowError.
func CheckWindow(window int) error {
	if window < 0 || window > totp.MaxWindow {
		return &WindowError{Window: window}
	}
	return nil
}

// ParseAlgorithmAt parses a hash name (totp.ParseAlgorithm) and a time
// (totp.ParseTime; "" is now()). Their errors are totp's
// (totp.ErrInvalidAlgorithm, totp.ErrInvalidTime).
func ParseAlgorithmAt(algorithm, at string, now func() time.Time) (totp.Algorithm, time.Time, error) {
	alg, err := totp.ParseAlgorithm(algorithm)
	if err != nil {
		return "", time.Time{}, err
	}
	if at == "" {
		return alg, now(), nil
	}
	t, err := totp.ParseTime(at)
	if err != nil {
		return "", time.Time{}, err
	}
	return alg, t, nil
}

// ErrFixedName is Session.Check's error for fingerprint sources together
// with a fixed role session name: the TOTP code is the session name.
var ErrFixedName = errors.New("a TOTP session name and a fixed role session name exclude each other")

// ErrDigitsWithoutSource is Session.Check's error for a code length given
// without fingerprint sources.
var ErrDigitsWithoutSource = errors.New("a TOTP session name length needs fingerprint sources")

// Session is the TOTP role session name of credential-process (and of the
// commands that share its settings): with fingerprint sources the session
// name is the TOTP code of the signing time, as the seeds' gen-creds.sh
// makes it with oathtool.
type Session struct {
	// Source holds the fingerprint sources (or a lone tpm-hmac:PATH);
	// no sources: no TOTP session name. SeedFile is not used.
	Source
	// Digits is the code length; 0 is 6 unless DigitsSet.
	Digits int
	// DigitsSet says that Digits was given (a 0 given is an error).
	DigitsSet bool
	// FixedName says that a fixed role session name is given too.
	FixedName bool
}

// Enabled reports whether the session name is a TOTP code (there are
// fingerprint sources).
func (s *Session) Enabled() bool { return len(s.Fingerprints) > 0 }

// DigitsOrDefault is Digits, 6 for 0.
func (s *Session) DigitsOrDefault() int {
	if s.Digits == 0 {
		return 6
	}
	return s.Digits
}

// Check checks s without I/O: ErrFixedName, ErrDigitsWithoutSource, a
// *DigitsError, or the *totp.SpecError of a source (a tpm-hmac source must
// be alone).
func (s *Session) Check() error {
	switch {
	case s.Enabled() && s.FixedName:
		return ErrFixedName
	case s.DigitsSet && !s.Enabled():
		return ErrDigitsWithoutSource
	case s.DigitsSet && s.Digits == 0:
		return &DigitsError{Digits: 0}
	}
	if err := CheckDigits(s.DigitsOrDefault()); err != nil {
		return err
	}
	sp, err := totp.ParseSpecs(s.Fingerprints)
	if err == nil {
		_, _, err = totp.DeviceSpec(sp)
	}
	return err
}

// Name loads the seed now (Source.Seed, so that a missing source fails
// before any network call) and returns the function that computes the
// session name at the signing time; nil without fingerprint sources. The
// seed and the codes are never logged.
func (s *Session) Name() (func(signingTime time.Time) (string, error), error) {
	if !s.Enabled() {
		return nil, nil
	}
	seed, err := s.Seed()
	if err != nil {
		return nil, err
	}
	digits, log := s.DigitsOrDefault(), s.log()
	return func(signingTime time.Time) (string, error) {
		name, err := seed.SessionName(signingTime, digits)
		if err == nil && seed.Device == nil {
			log.Debug("role session name is the totp code of the signing time", "step", totp.Step(signingTime), "digits", digits)
		}
		return name, err
	}, nil
}
