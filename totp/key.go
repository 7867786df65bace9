package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DerivationV1Label starts the input of key derivation v1 (domain
// separation; see the package documentation).
const DerivationV1Label = "acme-signing-helper totp fingerprint v1\n"

// ErrInvalidKey is returned for a seed that is not a non-empty hex string of
// whole bytes.
var ErrInvalidKey = errors.New("invalid seed: want hex digits (an even number of them), as sha1sum or 'totp seed' prints")

// Key is a TOTP key (the HMAC key; oathtool's KEY in hex). It is a secret:
// it prints as "[redacted]" with %v, %s and %#v; use Hex to get the seed.
type Key []byte

// Hex returns the key as lower-case hex, the form oathtool and the seeds
// database use.
func (k Key) Hex() string { return hex.EncodeToString(k) }

// String hides the key.
func (k Key) String() string { return "[redacted]" }

// GoString hides the key.
func (k Key) GoString() string { return "totp.Key{[redacted]}" }

// ParseHexKey parses a seed: hex digits (either case), an even number of
// them, surrounding whitespace ignored. Errors never contain the input.
func ParseHexKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s)%2 != 0 {
		return nil, ErrInvalidKey
	}
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, ErrInvalidKey
	}
	return Key(k), nil
}

// DeriveKey reads the sources from sys (nil: the real machine) and derives
// the key: SHA-1 of the file's bytes when specs is exactly one file source,
// otherwise derivation v1 over the sources in sorted order (see the package
// documentation). Duplicate specs are an error. Errors name the failing
// source, never its content.
func DeriveKey(sys *System, specs []Spec) (Key, error) {
	if len(specs) == 0 {
		return nil, &SpecError{Spec: "", Reason: "no fingerprint source given"}
	}
	if sha1OfFile(specs) {
		h := sha1.New()
		if _, err := sys.digest(specs[0], h); err != nil {
			return nil, err
		}
		return Key(h.Sum(nil)), nil
	}
	sorted := append([]Spec(nil), specs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].String() < sorted[j].String() })
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, &SpecError{Spec: sorted[i].String(), Reason: ReasonDuplicate}
		}
	}
	out := sha1.New()
	out.Write([]byte(DerivationV1Label))
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(sorted)))
	out.Write(n[:])
	for _, sp := range sorted {
		h := sha256.New()
		if _, err := sys.digest(sp, h); err != nil {
			return nil, err
		}
		name := sp.String()
		binary.BigEndian.PutUint32(n[:], uint32(len(name)))
		out.Write(n[:])
		out.Write([]byte(name))
		out.Write(h.Sum(nil))
	}
	return Key(out.Sum(nil)), nil
}

// sha1OfFile reports whether DeriveKey takes the SHA-1 of one file.
func sha1OfFile(specs []Spec) bool { return len(specs) == 1 && specs[0].Kind == KindFile }

// Derivation names the derivation DeriveKey uses for specs, "sha1 of
// file" or "v1", for logs (it names no source and no value).
func Derivation(specs []Spec) string {
	if sha1OfFile(specs) {
		return "sha1 of file"
	}
	return "v1"
}

// DeriveKeyFromSpecs parses spec strings and calls DeriveKey.
func DeriveKeyFromSpecs(sys *System, specs []string) (Key, error) {
	sp, err := ParseSpecs(specs)
	if err != nil {
		return nil, err
	}
	k, err := DeriveKey(sys, sp)
	if err != nil {
		return nil, fmt.Errorf("derive totp key: %w", err)
	}
	return k, nil
}
