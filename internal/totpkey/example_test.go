package totpkey_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// A command that takes --fingerprint or --seed-file checks the choice
// without I/O first, then loads the key and computes a code at the time
// of --at (or now). The seed file here holds RFC 6238's SHA-1 test key.
func ExampleSource_Key() {
	dir, err := os.MkdirTemp("", "totpkey-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	seedFile := filepath.Join(dir, "seed.hex")
	if err := os.WriteFile(seedFile, []byte("3132333435363738393031323334353637383930\n"), 0o600); err != nil {
		fmt.Println(err)
		return
	}

	src := totpkey.Source{SeedFile: seedFile}
	if err := src.Check(true); err != nil {
		fmt.Println(err)
		return
	}
	alg, at, err := totpkey.ParseAlgorithmAt("sha1", "@59", time.Now)
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := src.Key()
	if err != nil {
		fmt.Println(err)
		return
	}
	code, err := totp.Code(key, at, totp.Options{Algorithm: alg, Digits: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key:", key) // a totp.Key prints redacted
	fmt.Println("code:", code)

	// Fingerprint sources and a seed file exclude each other.
	src.Fingerprints = []string{"machine-id"}
	fmt.Println(errors.Is(src.Check(true), totpkey.ErrBothSources))
	// Output:
	// key: [redacted]
	// code: 94287082
	// true
}

// credential-process checks its TOTP session name settings, then loads
// the seed before any network call and computes the session name at the
// signing time. Here the fingerprint is one file: the key is its SHA-1
// (oathtool --totp -d 8 -N "2026-12-04 03:00:00 UTC" "$(sha1sum FILE)"
// gives the same code).
func ExampleSession_Name() {
	dir, err := os.MkdirTemp("", "totpkey-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	monkey := filepath.Join(dir, "monkey.jpg")
	if err := os.WriteFile(monkey, []byte("not really a picture"), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	s := totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"file:" + monkey}}, Digits: 8, DigitsSet: true}
	if err := s.Check(); err != nil {
		fmt.Println(err)
		return
	}
	name, err := s.Name()
	if err != nil {
		fmt.Println(err)
		return
	}
	sessionName, err := name(time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sessionName)

	// With a fixed role session name too, the check fails.
	s.FixedName = true
	fmt.Println(s.Check())
	// Output:
	// 83065019
	// a TOTP session name and a fixed role session name exclude each other
}

// The checks of --digits and --window return typed errors that carry the
// value given.
func ExampleCheckDigits() {
	err := totpkey.CheckDigits(9)
	var de *totpkey.DigitsError
	if errors.As(err, &de) {
		fmt.Println("digits:", de.Digits, errors.Is(err, totp.ErrInvalidDigits))
	}
	var we *totpkey.WindowError
	if errors.As(totpkey.CheckWindow(-1), &we) {
		fmt.Println("window:", we.Window)
	}
	fmt.Println(totpkey.CheckDigits(6), totpkey.CheckWindow(1))
	// Output:
	// digits: 9 true
	// window: -1
	// <nil> <nil>
}
