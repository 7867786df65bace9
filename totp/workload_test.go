package totp

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCertificateIdentity(t *testing.T) {
	for _, tt := range []struct {
		c    *x509.Certificate
		want string
		err  error
	}{
		{&x509.Certificate{Subject: pkix.Name{CommonName: "host.example.com"}, DNSNames: []string{"alt.example.com"}}, "CN=host.example.com", nil},
		{&x509.Certificate{DNSNames: []string{"short.example.com", "alt.example.com"}}, "short.example.com", nil},
		{&x509.Certificate{}, "", ErrNoIdentity},
	} {
		got, err := CertificateIdentity(tt.c)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
		}
	}
}

func TestSessionName(t *testing.T) {
	k, _ := ParseHexKey("3132333435363738393031323334353637383930") // RFC 6238's SHA-1 key
	at := time.Unix(59, 0)
	for digits, want := range map[int]string{0: "287082", 6: "287082", 8: "94287082"} {
		if got, err := SessionName(k, at, digits); err != nil || got != want {
			t.Errorf("digits %d: got %q, %v; want %s", digits, got, err, want)
		}
	}
	if _, err := SessionName(k, at, 9); !errors.Is(err, ErrInvalidDigits) || !strings.HasPrefix(err.Error(), "totp session name: ") {
		t.Errorf("9 digits: got %v", err)
	}
}

func TestDerivation(t *testing.T) {
	for specs, want := range map[string]string{"file:/opt/monkey.jpg": "sha1 of file", "machine-id": "v1", "file:a file:b": "v1", "hostname file:a": "v1"} {
		sp, err := ParseSpecs(strings.Fields(specs))
		if err != nil {
			t.Fatal(err)
		}
		if got := Derivation(sp); got != want {
			t.Errorf("%s: got %s, want %s", specs, got, want)
		}
	}
}

func TestEnroll(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "db.json")
	k1, _ := ParseHexKey(seedA)
	k2, _ := ParseHexKey("00ff")
	res, err := Enroll(p, "CN=a", k1, false)
	if err != nil || !res.Created || !res.Changed {
		t.Fatalf("new database: %+v, %v", res, err)
	}
	if res, err = Enroll(p, "CN=a", k1, false); err != nil || res.Created || res.Changed {
		t.Errorf("same seed again: %+v, %v", res, err)
	}
	var ee *EnrollError
	res, err = Enroll(p, "CN=a", k2, false)
	if !errors.As(err, &ee) || ee.Op != "merge" || !errors.Is(err, ErrSeedChanged) || res.Changed {
		t.Errorf("other seed: %+v, %v", res, err)
	}
	if res, err = Enroll(p, "CN=a", k2, true); err != nil || !res.Changed {
		t.Errorf("--replace: %+v, %v", res, err)
	}
	if fi, err := os.Stat(p); err != nil || ModeChecked && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v, %v", fi, err)
	}
	db, _, err := LoadSeedDB(p)
	if err != nil || len(db.Entries) != 1 || db.Entries[0].Seed != "00ff" {
		t.Errorf("database: %v, %v", db, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Enroll(bad, "CN=a", k1, false); !errors.As(err, &ee) || ee.Op != "load" || ee.Path != bad {
		t.Errorf("bad database: %v", err)
	}
	if _, err := Enroll(filepath.Join(dir, "missing-dir", "db.json"), "CN=a", k1, false); !errors.As(err, &ee) || ee.Op != "write" {
		t.Errorf("unwritable: %v", err)
	}
	b, err := EntryJSON("CN=a", k2)
	if err != nil || string(b) != "[\n  {\"CN=a\": \"00ff\"}\n]" {
		t.Errorf("EntryJSON: %s, %v", b, err)
	}
}
