package totp

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidCode is returned by Verify and VerifyWithPolicy for a code that
// cannot be a TOTP code: empty, not all ASCII digits, or a length other than
// 6, 7 or 8. oathtool refuses such lengths too. A caller checking sessions
// must treat it as "not legit" (the returned Result is never Matched).
var ErrInvalidCode = errors.New("invalid code: want 6, 7 or 8 digits")

// DefaultDigits is the code length a Policy expects when it sets none: the
// seeds' setup (oathtool's default, `credential-process --totp-digits`'s
// default).
const DefaultDigits = 6

// ErrCodeLength is returned by VerifyWithPolicy (in a *CodeLengthError) for
// a well-formed code whose length is not the policy's digit count. HOTP
// truncation makes the last 6 or 7 digits of a valid 8-digit code valid 6-
// and 7-digit codes of the same step, so the digit count must come from
// configuration, never from the code: a caller checking sessions must
// treat this as "not legit".
var ErrCodeLength = errors.New("code length is not the configured digit count")

// CodeLengthError reports a code of Got digits where the policy expects
// Want.
type CodeLengthError struct {
	Got, Want int
}

func (e *CodeLengthError) Error() string {
	return fmt.Sprintf("code has %d digits, want %d: %v", e.Got, e.Want, ErrCodeLength)
}

// Unwrap returns ErrCodeLength.
func (e *CodeLengthError) Unwrap() error { return ErrCodeLength }

// MaxWindow bounds the window of Verify.
const MaxWindow = 100000

// ErrInvalidWindow is returned for a window below 0 or above MaxWindow.
var ErrInvalidWindow = errors.New("invalid window: want 0..100000")

// Result is the outcome of a verification.
type Result struct {
	// Matched reports whether the code was found in the window (and, for
	// VerifyWithPolicy, accepted by the policy).
	Matched bool
	// Offset is the absolute offset of the matched step from the reference
	// step: what oathtool prints. Zero when not Matched.
	Offset int
	// Delta is the signed offset (matched step − reference step).
	Delta int
	// Step is the matched time step (floor(unix/30)).
	Step int64
}

// Verify checks code against key around reference time ref, with oathtool's
// exact semantics (`oathtool --totp[=alg] --window W --now REF KEY CODE`):
// with c = floor(ref/30) it tries steps c, c+1, c-1, c+2, c-2, ... c+W,
// c−W in that order and returns the first match; the code's length (6, 7
// or 8) sets the digits; comparisons are constant-time. Steps before the
// epoch never match. alg "" means SHA1.
//
// A code not found gives Result{} and a nil error; a malformed code gives
// ErrInvalidCode.
func Verify(key Key, code string, ref time.Time, window int, alg Algorithm) (Result, error) {
	if window < 0 || window > MaxWindow {
		return Result{}, ErrInvalidWindow
	}
	if err := CheckCode(code); err != nil {
		return Result{}, err
	}
	opts, err := Options{Digits: len(code), Algorithm: alg}.hotp()
	if err != nil {
		return Result{}, err
	}
	if len(key) == 0 {
		return Result{}, ErrInvalidKey
	}
	secret := key.secret()
	c := Step(ref)
	try := func(d int) (Result, bool, error) {
		s := c + int64(d)
		if s < 0 {
			return Result{}, false, nil
		}
		got, err := codeAt(secret, uint64(s), opts)
		if err != nil {
			return Result{}, false, err
		}
		if !equalCode(got, code) {
			return Result{}, false, nil
		}
		off := d
		if off < 0 {
			off = -off
		}
		return Result{Matched: true, Offset: off, Delta: d, Step: s}, true, nil
	}
	for i := 0; i <= window; i++ {
		if r, ok, err := try(i); err != nil || ok {
			return r, err
		}
		if i > 0 {
			if r, ok, err := try(-i); err != nil || ok {
				return r, err
			}
		}
	}
	return Result{}, nil
}

// CheckCode returns ErrInvalidCode unless code is 6, 7 or 8 ASCII digits.
func CheckCode(code string) error {
	if len(code) < 6 || len(code) > 8 {
		return ErrInvalidCode
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return ErrInvalidCode
		}
	}
	return nil
}

// Policy is a rule for accepting a session's code given the time the
// session was created (the CloudTrail eventTime of CreateSession, or the
// session's creationDate — never the time of a later call).
type Policy struct {
	// Name identifies the policy in reports.
	Name string
	// Lag is subtracted from the event time to get the reference time.
	Lag time.Duration
	// Window is oathtool's --window.
	Window int
	// MaxOffset is the largest accepted absolute offset.
	MaxOffset int
	// Algorithm is the HMAC hash ("" means SHA1).
	Algorithm Algorithm
	// Digits is the length of the codes the workloads send (6, 7 or 8; 0
	// means DefaultDigits). A code of another length is ErrCodeLength:
	// the length is configuration, never taken from the code.
	Digits int
}

// ExpectedDigits is p.Digits, or DefaultDigits when it is 0.
func (p Policy) ExpectedDigits() int {
	if p.Digits == 0 {
		return DefaultDigits
	}
	return p.Digits
}

// SeedScriptPolicy is the seeds' mismatch-detection script: oathtool
// --window 1 at eventTime − 30 s, legit when the printed offset is at most
// 1. Net effect: legit exactly when the code belongs to step k−2, k−1 or k
// with k = floor(eventTime/30).
var SeedScriptPolicy = Policy{Name: "seed-script", Lag: 30 * time.Second, Window: 1, MaxOffset: 1}

// VerifyWithPolicy checks the code of a session created at eventTime under
// policy p. Result.Matched is the verdict (legit); Offset is what oathtool
// would print (`oathtool --digits D --window W ...`, D the policy's
// digits). A malformed or empty code gives ErrInvalidCode, a code of
// another length than p.ExpectedDigits() a *CodeLengthError
// (ErrCodeLength), and a policy digit count other than 6, 7 or 8
// ErrInvalidDigits; the Result is then not Matched.
func VerifyWithPolicy(key Key, code string, eventTime time.Time, p Policy) (Result, error) {
	if err := CheckCode(code); err != nil {
		return Result{}, err
	}
	want := p.ExpectedDigits()
	if want < 6 || want > 8 {
		return Result{}, ErrInvalidDigits
	}
	if len(code) != want {
		return Result{}, &CodeLengthError{Got: len(code), Want: want}
	}
	r, err := Verify(key, code, eventTime.Add(-p.Lag), p.Window, p.Algorithm)
	if err != nil {
		return Result{}, err
	}
	if r.Matched && r.Offset > p.MaxOffset {
		r.Matched = false
	}
	return r, nil
}
