package emulator

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Options are the settings of a standalone emulator (the serve-emulator
// command) as plain values: files, ARNs, a pattern and fault specs, not yet
// read or parsed. Validate checks them; Config reads and parses them into
// the Config of New.
type Options struct {
	// AnchorFiles are PEM files of trust anchor certificates (required).
	AnchorFiles []string
	// Listen is the HOST:PORT to listen on; a host other than loopback
	// needs AllowRemote.
	Listen      string
	AllowRemote bool
	// TLS serves HTTPS with a throwaway certificate whose CA goes to
	// CAFile (required with TLS, refused without).
	TLS    bool
	CAFile string
	// TrustAnchorARNs, ProfileARNs, RoleARNs, Region, AccountID,
	// RequireSubject and MaxSkew are Config's fields of the same names.
	TrustAnchorARNs []string
	ProfileARNs     []string
	RoleARNs        []string
	Region          string
	AccountID       string
	RequireSubject  bool
	MaxSkew         time.Duration
	// SessionNamePattern is Config.SessionNamePattern as a Go regular
	// expression ("": none).
	SessionNamePattern string
	// NoAcceptRoleSessionName makes the profile refuse roleSessionName
	// (Config.AcceptRoleSessionName false).
	NoAcceptRoleSessionName bool
	// Faults are fault specs (ParseFault) to inject, in order.
	Faults []string
}

// The rules Validate applies; an *OptionError wraps the one an option
// breaks (or the parser's error: ARNs, the pattern, the fault specs, a
// listen address that is not HOST:PORT).
var (
	ErrRequired    = errors.New("is required")
	ErrNotLoopback = errors.New("is not a loopback address")
	// ErrCAFileRequired: TLS without CAFile; ErrCAFileWithoutTLS: CAFile
	// without TLS.
	ErrCAFileRequired   = errors.New("needs a CA file")
	ErrCAFileWithoutTLS = errors.New("is only used with TLS")
	ErrNotPositive      = errors.New("is not positive")
)

// OptionError is an option Validate refuses. Option names the Options
// field in lower case with dashes, as the serve-emulator flags are named
// (AnchorFiles is "anchor-cert", CAFile "ca-out", MaxSkew "max-skew",
// SessionNamePattern "session-name-pattern", Faults "fault"); Value is
// its value and Err the rule it breaks (ErrRequired, ...) or the parser's
// error.
type OptionError struct {
	Option string
	Value  any
	Err    error
}

func (e *OptionError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("%s %v", e.Option, e.Err)
	}
	return fmt.Sprintf("%s %#v: %v", e.Option, e.Value, e.Err)
}

// Unwrap returns the rule the option breaks, or the parser's error.
func (e *OptionError) Unwrap() error { return e.Err }

// Validate drops the empty entries of the lists (an empty environment
// variable adds nothing), then returns an *OptionError for the first
// option that cannot work, or nil.
func (o *Options) Validate() error {
	for _, l := range []*[]string{&o.AnchorFiles, &o.TrustAnchorARNs, &o.ProfileARNs, &o.RoleARNs, &o.Faults} {
		*l = slices.DeleteFunc(*l, func(s string) bool { return strings.TrimSpace(s) == "" })
	}
	if len(o.AnchorFiles) == 0 {
		return &OptionError{Option: "anchor-cert", Err: ErrRequired}
	}
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return &OptionError{Option: "listen", Value: o.Listen, Err: err}
	}
	if !o.AllowRemote && !LoopbackHost(host) {
		return &OptionError{Option: "listen", Value: o.Listen, Err: ErrNotLoopback}
	}
	if o.TLS && o.CAFile == "" {
		return &OptionError{Option: "tls", Err: ErrCAFileRequired}
	}
	if !o.TLS && o.CAFile != "" {
		return &OptionError{Option: "ca-out", Value: o.CAFile, Err: ErrCAFileWithoutTLS}
	}
	if o.MaxSkew <= 0 {
		return &OptionError{Option: "max-skew", Value: o.MaxSkew, Err: ErrNotPositive}
	}
	for _, set := range []struct {
		option string
		arns   []string
	}{{"trust-anchor-arn", o.TrustAnchorARNs}, {"profile-arn", o.ProfileARNs}, {"role-arn", o.RoleARNs}} {
		for _, a := range set.arns {
			if _, err := arn.Parse(a); err != nil {
				return &OptionError{Option: set.option, Value: a, Err: err}
			}
		}
	}
	if o.Region == "" {
		return &OptionError{Option: "region", Err: ErrRequired}
	}
	if _, err := o.sessionPattern(); err != nil {
		return err
	}
	_, err = o.faults()
	return err
}

func (o *Options) sessionPattern() (*regexp.Regexp, error) {
	if o.SessionNamePattern == "" {
		return nil, nil
	}
	re, err := regexp.Compile(o.SessionNamePattern)
	if err != nil {
		return nil, &OptionError{Option: "session-name-pattern", Err: err}
	}
	return re, nil
}

func (o *Options) faults() ([]Fault, error) {
	var faults []Fault
	for _, spec := range o.Faults {
		f, err := ParseFault(spec)
		if err != nil {
			return nil, &OptionError{Option: "fault", Err: err}
		}
		faults = append(faults, f)
	}
	return faults, nil
}

// Config reads the anchor files (ReadAnchorFile) and returns the Config of
// o, and the faults to inject into the Server (InjectFault), in order.
// The caller adds what is not a plain value: Now, Logger, CloudTrail and
// Authorize. Call Validate first: Config returns its errors too.
func (o *Options) Config() (Config, []Fault, error) {
	cfg := Config{
		TrustAnchorARNs: o.TrustAnchorARNs,
		ProfileARNs:     o.ProfileARNs,
		RoleARNs:        o.RoleARNs,
		Region:          o.Region,
		AccountID:       o.AccountID,
		MaxSkew:         o.MaxSkew,
		RequireSubject:  o.RequireSubject,
	}
	if o.NoAcceptRoleSessionName {
		f := false
		cfg.AcceptRoleSessionName = &f
	}
	re, err := o.sessionPattern()
	if err != nil {
		return Config{}, nil, err
	}
	cfg.SessionNamePattern = re
	for _, f := range o.AnchorFiles {
		certs, err := ReadAnchorFile(f)
		if err != nil {
			return Config{}, nil, err
		}
		cfg.AnchorCerts = append(cfg.AnchorCerts, certs...)
	}
	faults, err := o.faults()
	if err != nil {
		return Config{}, nil, err
	}
	return cfg, faults, nil
}

// Banner is the start banner of a Server made from o, listening at url
// (WriteBanner).
func (o *Options) Banner(url string) Banner {
	return Banner{URL: url, SessionPattern: o.SessionNamePattern, NoAcceptName: o.NoAcceptRoleSessionName, Faults: o.Faults, CAFile: o.CAFile}
}

// AnchorFileError is a trust anchor file ReadAnchorFile cannot use: Err
// is signer.ReadCertificateFile's error (a *signer.FileError or
// *signer.CertificateError) or CheckAnchor's (*NotCAError).
type AnchorFileError struct {
	Path string
	Err  error
}

func (e *AnchorFileError) Error() string {
	return fmt.Sprintf("anchor certificate file %q: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *AnchorFileError) Unwrap() error { return e.Err }

// ReadAnchorFile reads every CERTIFICATE block of the PEM file at path
// (signer.ReadCertificateFile: the reader and limits of the certificate
// files) and checks that each is a trust anchor (CheckAnchor). Its errors
// are *AnchorFileError.
func ReadAnchorFile(path string) ([]*x509.Certificate, error) {
	certs, err := signer.ReadCertificateFile(path)
	if err != nil {
		return nil, &AnchorFileError{Path: path, Err: err}
	}
	for _, c := range certs {
		if err := CheckAnchor(c); err != nil {
			return nil, &AnchorFileError{Path: path, Err: err}
		}
	}
	return certs, nil
}
