package totp

import (
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Period is the TOTP time step: 30 seconds from the Unix epoch, as oathtool
// and the seeds use.
const Period = 30

// Algorithm is the HMAC hash of the codes.
type Algorithm string

// The supported algorithms (oathtool's --totp=sha1|sha256|sha512).
const (
	SHA1   Algorithm = "sha1"
	SHA256 Algorithm = "sha256"
	SHA512 Algorithm = "sha512"
)

// ParseAlgorithm accepts sha1, sha256, sha512 in either case, with or
// without a dash (SHA-256).
func ParseAlgorithm(s string) (Algorithm, error) {
	switch a := Algorithm(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "")); a {
	case SHA1, SHA256, SHA512:
		return a, nil
	}
	return "", fmt.Errorf("%w %q: want sha1, sha256 or sha512", ErrInvalidAlgorithm, s)
}

// ErrInvalidAlgorithm is returned for an algorithm other than SHA1, SHA256
// and SHA512.
var ErrInvalidAlgorithm = errors.New("invalid algorithm")

// ErrInvalidDigits is returned for a digit count other than 6, 7 or 8.
var ErrInvalidDigits = errors.New("invalid number of digits: want 6, 7 or 8")

// ErrBeforeEpoch is returned for a time before 1970-01-01T00:00:00Z.
var ErrBeforeEpoch = errors.New("time is before the Unix epoch")

func (a Algorithm) otp() (otp.Algorithm, error) {
	switch a {
	case "", SHA1:
		return otp.AlgorithmSHA1, nil
	case SHA256:
		return otp.AlgorithmSHA256, nil
	case SHA512:
		return otp.AlgorithmSHA512, nil
	}
	return 0, fmt.Errorf("%w %q: want sha1, sha256 or sha512", ErrInvalidAlgorithm, string(a))
}

// Options are the code parameters. The zero value is oathtool's default:
// 6 digits, HMAC-SHA1.
type Options struct {
	Digits    int       // 6, 7 or 8; 0 means 6
	Algorithm Algorithm // "" means SHA1
}

func (o Options) hotp() (hotp.ValidateOpts, error) {
	d := o.Digits
	if d == 0 {
		d = 6
	}
	if d < 6 || d > 8 {
		return hotp.ValidateOpts{}, ErrInvalidDigits
	}
	a, err := o.Algorithm.otp()
	if err != nil {
		return hotp.ValidateOpts{}, err
	}
	return hotp.ValidateOpts{Digits: otp.Digits(d), Algorithm: a}, nil
}

// Step returns the time step of t: floor(unix seconds / 30). It is negative
// before the epoch.
func Step(t time.Time) int64 {
	s := t.Unix()
	q := s / Period
	if s%Period < 0 {
		q--
	}
	return q
}

// secret is the key as pquerna/otp takes it: padded standard base32, which
// it decodes back to exactly these bytes.
func (k Key) secret() string { return base32.StdEncoding.EncodeToString(k) }

// Code returns the TOTP code of key at time t (now injected by the caller):
// the HOTP code of step floor(t/30), leading zeros kept.
func Code(key Key, t time.Time, o Options) (string, error) {
	if t.Unix() < 0 {
		return "", ErrBeforeEpoch
	}
	return CodeAtStep(key, Step(t), o)
}

// CodeAtStep returns the code of a given time step (>= 0).
func CodeAtStep(key Key, step int64, o Options) (string, error) {
	opts, err := o.hotp()
	if err != nil {
		return "", err
	}
	if len(key) == 0 {
		return "", ErrInvalidKey
	}
	if step < 0 {
		return "", ErrBeforeEpoch
	}
	return codeAt(key.secret(), uint64(step), opts)
}

func codeAt(secret string, counter uint64, opts hotp.ValidateOpts) (string, error) {
	c, err := hotp.GenerateCodeCustom(secret, counter, opts)
	if err != nil {
		return "", fmt.Errorf("compute totp code: %w", err)
	}
	return c, nil
}

// equalCode compares codes in constant time.
func equalCode(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
