package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"errors"
	"testing"
	"time"
)

// softHash is a KeyedHash in memory, standing in for a device.
type softHash []byte

func (k softHash) HMACSHA1(msg []byte) ([]byte, error) {
	m := hmac.New(sha1.New, k)
	m.Write(msg)
	return m.Sum(nil), nil
}

// TestSeedKeyAndDeviceAgree: a seed held as a Key and the same seed held
// by a device give the same codes and session names.
func TestSeedKeyAndDeviceAgree(t *testing.T) {
	key := Key("12345678901234567890") // RFC 6238's SHA-1 test seed
	soft, dev := Seed{Key: key}, Seed{Device: softHash(key)}
	at := time.Unix(59, 0)
	for _, digits := range []int{6, 8} {
		a, err := soft.Code(at, Options{Digits: digits})
		if err != nil {
			t.Fatal(err)
		}
		b, err := dev.Code(at, Options{Digits: digits})
		if err != nil || a != b {
			t.Errorf("%d digits: key %q, device %q, %v", digits, a, b, err)
		}
		n, err := dev.SessionName(at, digits)
		if err != nil || n != a {
			t.Errorf("%d digits: device session name %q, %v, want %q", digits, n, err, a)
		}
	}
	if got, _ := soft.Code(at, Options{Digits: 8}); got != "94287082" {
		t.Errorf("RFC 6238 vector: got %s, want 94287082", got)
	}
	if _, err := dev.Code(at, Options{Algorithm: SHA256}); !errors.Is(err, ErrInvalidAlgorithm) {
		t.Errorf("device with SHA-256: got %v, want ErrInvalidAlgorithm", err)
	}
}
