package demo

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The rules Validate applies; an *OptionError wraps the one an option
// breaks (or totp.ParseSpecs's error for Fingerprints).
var (
	ErrKeyType    = errors.New("is not supported")
	ErrNotDNSName = errors.New("is not a DNS name")
	ErrOutOfRange = errors.New("is out of range")
	// ErrExclusive: Fingerprints together with NoTOTP or RoleSessionName
	// (the session name is then the TOTP code).
	ErrExclusive = errors.New("excludes a TOTP session name")
)

// OptionError is an option Validate refuses. Option names the Options
// field in lower case with dashes, as the demo command's flags are named
// (KeyType is "key-type", DurationSeconds "session-duration",
// Fingerprints "fingerprint", NoTOTP "no-totp"); Value is its value and
// Err the rule it breaks (ErrKeyType, ...). With ErrExclusive, Option is
// the option that excludes Fingerprints.
type OptionError struct {
	Option string
	Value  any
	Err    error
}

func (e *OptionError) Error() string { return fmt.Sprintf("%s %#v: %v", e.Option, e.Value, e.Err) }

// Unwrap returns the rule the option breaks.
func (e *OptionError) Unwrap() error { return e.Err }

// Validate returns an *OptionError for the first of Domain, KeyType,
// DurationSeconds, NoTOTP, RoleSessionName and Fingerprints that Run
// cannot use, or nil.
func (o Options) Validate() error {
	if !slices.Contains(KeyTypes, o.KeyType) {
		return &OptionError{Option: "key-type", Value: string(o.KeyType), Err: ErrKeyType}
	}
	if o.Domain == "" || strings.ContainsAny(o.Domain, "/\\ ") {
		return &OptionError{Option: "domain", Value: o.Domain, Err: ErrNotDNSName}
	}
	if o.DurationSeconds < signer.MinDurationSeconds || o.DurationSeconds > signer.MaxDurationSeconds {
		return &OptionError{Option: "session-duration", Value: o.DurationSeconds, Err: ErrOutOfRange}
	}
	if len(o.Fingerprints) == 0 {
		return nil
	}
	if o.NoTOTP {
		return &OptionError{Option: "no-totp", Value: true, Err: ErrExclusive}
	}
	if o.RoleSessionName != "" {
		return &OptionError{Option: "role-session-name", Value: o.RoleSessionName, Err: ErrExclusive}
	}
	if _, err := totp.ParseSpecs(o.Fingerprints); err != nil {
		return &OptionError{Option: "fingerprint", Value: o.Fingerprints, Err: err}
	}
	return nil
}
