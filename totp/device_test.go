package totp_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// softHMAC is a KeyedHash in memory, to check the truncation against Code.
type softHMAC []byte

func (k softHMAC) HMACSHA1(msg []byte) ([]byte, error) {
	m := hmac.New(sha1.New, k)
	m.Write(msg)
	return m.Sum(nil), nil
}

func TestCodeKeyedHashEqualsCode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		key := make(totp.Key, 1+r.IntN(40))
		for j := range key {
			key[j] = byte(r.Uint32())
		}
		at := time.Unix(r.Int64N(1<<34), 0)
		digits := 6 + r.IntN(3)
		want, err := totp.Code(key, at, totp.Options{Digits: digits})
		if err != nil {
			t.Fatal(err)
		}
		got, err := totp.CodeKeyedHash(softHMAC(key), at, totp.Options{Digits: digits})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("at %v, %d digits: got %s, want %s", at.Unix(), digits, got, want)
		}
	}
	if _, err := totp.CodeKeyedHash(softHMAC("k"), time.Now(), totp.Options{Algorithm: totp.SHA256}); !errors.Is(err, totp.ErrInvalidAlgorithm) {
		t.Errorf("SHA-256: got %v, want ErrInvalidAlgorithm", err)
	}
}

func TestDeviceSpec(t *testing.T) {
	one, err := totp.ParseSpecs([]string{"tpm-hmac:./seed.tpm"})
	if err != nil {
		t.Fatal(err)
	}
	sp, ok, err := totp.DeviceSpec(one)
	if err != nil || !ok || sp.Arg != "seed.tpm" {
		t.Fatalf("got %v %v %v, want tpm-hmac:seed.tpm", sp, ok, err)
	}
	two, _ := totp.ParseSpecs([]string{"tpm-hmac:seed.tpm", "machine-id"})
	if _, _, err := totp.DeviceSpec(two); !errors.Is(err, totp.ErrInvalidSpec) {
		t.Fatalf("with another source: got %v, want ErrInvalidSpec", err)
	}
	var se *totp.SourceError
	if _, err := totp.DeriveKey(nil, one); !errors.As(err, &se) || se.Spec.Kind != totp.KindTPMHMAC {
		t.Fatalf("DeriveKey: got %v, want a *SourceError of the tpm-hmac spec", err)
	}
	if _, err := totp.ParseSpec("tpm-hmac:"); !errors.Is(err, totp.ErrInvalidSpec) {
		t.Fatalf("empty path: got %v", err)
	}
}

// wrapper stands in for a TPM: its "blob" is the seed XORed with a pad, so
// the test can check that the blob does not hold the seed.
type wrapper struct{ seen []byte }

func (w *wrapper) ImportHMACSHA1(seed []byte) ([]byte, error) {
	w.seen = append([]byte(nil), seed...)
	b := make([]byte, len(seed))
	for i := range seed {
		b[i] = seed[i] ^ 0xa5
	}
	return b, nil
}

func TestEnrollDevice(t *testing.T) {
	dir := t.TempDir()
	w := &wrapper{}
	o := totp.DeviceEnrollOptions{BlobPath: filepath.Join(dir, "seed.tpm"), DBPath: filepath.Join(dir, "db.json"), Identity: "CN=host.example.com"}
	res, err := totp.EnrollDevice(w, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || len(w.seen) != totp.SeedBytes {
		t.Fatalf("result %+v, seed of %d bytes", res, len(w.seen))
	}
	db, _, err := totp.LoadSeedDB(o.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	k, ok, err := db.Lookup(o.Identity)
	if err != nil || !ok || !bytes.Equal(k, w.seen) {
		t.Fatalf("database entry: ok %v err %v, equal %v", ok, err, bytes.Equal(k, w.seen))
	}
	st, err := os.Stat(o.BlobPath)
	if err != nil {
		t.Fatal(err)
	}
	if totp.ModeChecked && st.Mode().Perm() != 0o600 {
		t.Errorf("blob mode %v, want 0600", st.Mode().Perm())
	}
	// A second enrollment does not overwrite the blob.
	if _, err := totp.EnrollDevice(w, o); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second enroll: got %v, want fs.ErrExist", err)
	}
	// Without a database the entry comes back; a failing database write
	// removes the blob again.
	o2 := o
	o2.BlobPath, o2.DBPath = filepath.Join(dir, "seed2.tpm"), ""
	res, err = totp.EnrollDevice(w, o2)
	if err != nil || !bytes.Contains(res.Entry, []byte(`"CN=host.example.com"`)) {
		t.Fatalf("entry %q, err %v", res.Entry, err)
	}
	o3 := o
	o3.BlobPath, o3.DBPath = filepath.Join(dir, "seed3.tpm"), filepath.Join(dir, "no-such-dir", "db.json")
	if _, err := totp.EnrollDevice(w, o3); err == nil {
		t.Fatal("enroll into a missing directory succeeded")
	}
	if _, err := os.Stat(o3.BlobPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("blob left behind after a failed database write: %v", err)
	}
}
