package totpkey_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// rfcKey is RFC 6238's SHA-1 test key, "12345678901234567890", in hex.
const rfcKey = "3132333435363738393031323334353637383930"

// fingerprint is the content of the file fingerprint source of the tests:
// a secret, like the key it gives.
const fingerprint = "monkey.jpg bytes: fingerprint-secret-7f3a"

// writeFile writes data to name in a new temporary directory with mode
// perm (chmod, so that the umask does not change it) and returns its path.
func writeFile(t *testing.T, name, data string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// sha1Key is the key of a lone file source: the SHA-1 of the file, as
// sha1sum prints it (computed here, not by totp).
func sha1Key(data string) totp.Key {
	s := sha1.Sum([]byte(data))
	return totp.Key(s[:])
}

// logger returns a logger at debug level that writes to the returned
// buffer.
func logger() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// noSecret fails when text contains one of the secrets (style point 6).
func noSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s %q contains the secret %q", what, text, s)
		}
	}
}

func TestSourceCheck(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      totpkey.Source
		seedFile bool
		want     error  // a sentinel, or nil
		wantSpec string // the Spec of a *totp.SpecError
		reason   string // its Reason ("" any)
	}{
		{name: "fingerprint", src: totpkey.Source{Fingerprints: []string{"machine-id"}}, seedFile: true},
		{name: "fingerprint, no seed file taken", src: totpkey.Source{Fingerprints: []string{"hostname", "env:HOST_KEY"}}},
		{name: "seed file", src: totpkey.Source{SeedFile: "seed.hex"}, seedFile: true},
		{name: "both", src: totpkey.Source{Fingerprints: []string{"machine-id"}, SeedFile: "seed.hex"}, seedFile: true, want: totpkey.ErrBothSources},
		{name: "seed file not taken is ignored", src: totpkey.Source{Fingerprints: []string{"machine-id"}, SeedFile: "seed.hex"}},
		{name: "none", seedFile: true, want: totpkey.ErrNoSource},
		{name: "none, no seed file taken", want: totpkey.ErrNoFingerprint},
		{name: "seed file not taken", src: totpkey.Source{SeedFile: "seed.hex"}, want: totpkey.ErrNoFingerprint},
		{name: "no I/O: a missing file is fine", src: totpkey.Source{Fingerprints: []string{"file:/nonexistent/monkey.jpg"}}},
		{name: "bad kind", src: totpkey.Source{Fingerprints: []string{"bogus:x"}}, seedFile: true, wantSpec: "bogus:x"},
		{name: "duplicate", src: totpkey.Source{Fingerprints: []string{"hostname", "hostname"}}, wantSpec: "hostname", reason: totp.ReasonDuplicate},
		// A tpm-hmac source with others is Seed's and Session.Check's
		// error, not Source.Check's.
		{name: "tpm-hmac with others", src: totpkey.Source{Fingerprints: []string{"tpm-hmac:seed.tpm", "hostname"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.src.Check(tc.seedFile)
			if tc.wantSpec != "" {
				var se *totp.SpecError
				if !errors.As(err, &se) || !errors.Is(err, totp.ErrInvalidSpec) {
					t.Fatalf("got %v, want a *totp.SpecError", err)
				}
				if se.Spec != tc.wantSpec || (tc.reason != "" && se.Reason != tc.reason) {
					t.Errorf("got spec %q reason %q, want %q %q", se.Spec, se.Reason, tc.wantSpec, tc.reason)
				}
				return
			}
			if err != tc.want {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSourceKeySeedFile(t *testing.T) {
	want, err := totp.ParseHexKey(rfcKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data string
		perm       os.FileMode
		missing    bool
		wantErr    func(error) bool // nil: no error
		wantWarn   string           // in the log ("" none, unless !totp.ModeChecked)
		modeOnly   bool             // needs file modes (totp.ModeChecked)
	}{
		{name: "0600", data: rfcKey + "\n", perm: 0o600},
		{name: "upper case, spaces", data: "  " + strings.ToUpper(rfcKey) + "  \n", perm: 0o600},
		{name: "others may read", data: rfcKey, perm: 0o644, wantWarn: "seed file is readable by group or others", modeOnly: true},
		{name: "others may write", data: rfcKey, perm: 0o666, modeOnly: true,
			wantErr: func(err error) bool {
				var pe *totp.PermissionError
				return errors.As(err, &pe) && errors.Is(err, totp.ErrLoosePermissions)
			}},
		{name: "missing", missing: true, wantErr: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{name: "not hex", data: "seed-secret-not-hex", perm: 0o600, wantErr: func(err error) bool { return errors.Is(err, totp.ErrInvalidKey) }},
		{name: "odd length", data: rfcKey[1:], perm: 0o600, wantErr: func(err error) bool { return errors.Is(err, totp.ErrInvalidKey) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.modeOnly && !totp.ModeChecked {
				t.Skip("file modes are not checked on this platform")
			}
			path := filepath.Join(t.TempDir(), "absent.hex")
			if !tc.missing {
				path = writeFile(t, "seed.hex", tc.data, tc.perm)
			}
			log, buf := logger()
			src := totpkey.Source{SeedFile: path, Logger: log}
			k, err := src.Key()
			if tc.wantErr != nil {
				var sf *totpkey.SeedFileError
				if !errors.As(err, &sf) {
					t.Fatalf("got %v, want a *totpkey.SeedFileError", err)
				}
				if sf.Path != path {
					t.Errorf("got path %q, want %q", sf.Path, path)
				}
				if !tc.wantErr(err) {
					t.Errorf("got %v (%#v), not the cause wanted", err, sf.Err)
				}
				if err.Error() != sf.Err.Error() || errors.Unwrap(err) != sf.Err {
					t.Errorf("got text %q, unwrap %v, want the cause's %q", err, errors.Unwrap(err), sf.Err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file %q", err, path)
				}
				if k != nil {
					t.Errorf("got key with error")
				}
				noSecret(t, "error", err.Error(), tc.data, rfcKey, "seed-secret")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, want) {
				t.Errorf("got key %x, want %x", []byte(k), []byte(want))
			}
			logged := buf.String()
			switch {
			case tc.wantWarn != "":
				if !strings.Contains(logged, tc.wantWarn) || !strings.Contains(logged, path) {
					t.Errorf("log %q: want %q naming %q", logged, tc.wantWarn, path)
				}
			case totp.ModeChecked && logged != "":
				t.Errorf("got log %q, want none", logged)
			case !totp.ModeChecked && !strings.Contains(logged, "seed file permissions are not checked"):
				t.Errorf("log %q: want the unchecked-mode warning", logged)
			}
			noSecret(t, "log", logged, rfcKey, strings.ToUpper(rfcKey))
		})
	}
}

func TestSourceKeyFingerprints(t *testing.T) {
	file := writeFile(t, "monkey.jpg", fingerprint, 0o644)
	env := map[string]string{"HOST_KEY": "env-secret-value-91c2"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	v1, err := totp.DeriveKeyFromSpecs(&totp.System{LookupEnv: lookup}, []string{"file:" + file, "env:HOST_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		specs      []string
		want       totp.Key
		derivation string
		wantErr    func(error) bool
	}{
		{name: "sha1 of file", specs: []string{"file:" + file}, want: sha1Key(fingerprint), derivation: "sha1 of file"},
		{name: "v1", specs: []string{"file:" + file, "env:HOST_KEY"}, want: v1, derivation: "v1"},
		{name: "missing file", specs: []string{"file:" + file + ".absent"}, wantErr: func(err error) bool {
			var se *totp.SourceError
			return errors.As(err, &se) && se.Spec.Arg == file+".absent" && errors.Is(err, fs.ErrNotExist)
		}},
		{name: "unset env", specs: []string{"env:UNSET_KEY"}, wantErr: func(err error) bool {
			var se *totp.SourceError
			return errors.As(err, &se) && se.Spec == totp.Spec{Kind: totp.KindEnv, Arg: "UNSET_KEY"}
		}},
		{name: "bad spec", specs: []string{"bogus:x"}, wantErr: func(err error) bool {
			var se *totp.SpecError
			return errors.As(err, &se) && se.Spec == "bogus:x"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := logger()
			k, err := (&totpkey.Source{Fingerprints: tc.specs, LookupEnv: lookup, Logger: log}).Key()
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("got %v, not the error wanted", err)
				}
				noSecret(t, "error", err.Error(), fingerprint, env["HOST_KEY"])
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, tc.want) {
				t.Errorf("got key %x, want %x", []byte(k), []byte(tc.want))
			}
			logged := buf.String()
			for _, w := range []string{"derived totp key", "sources=" + strconv.Itoa(len(tc.specs)), tc.derivation} {
				if !strings.Contains(logged, w) {
					t.Errorf("debug log %q: want %q", logged, w)
				}
			}
			noSecret(t, "log", logged, fingerprint, env["HOST_KEY"], k.Hex())
		})
	}
}

// TestSourceKeyNilLogger: no Logger discards the warnings.
func TestSourceKeyNilLogger(t *testing.T) {
	path := writeFile(t, "seed.hex", rfcKey, 0o644)
	if _, err := (&totpkey.Source{SeedFile: path}).Key(); err != nil {
		t.Fatal(err)
	}
	totpkey.WarnModeUnchecked(slog.New(slog.DiscardHandler), "seed file", path)
}

func TestWarnModeUnchecked(t *testing.T) {
	for _, what := range []string{"seed file", "seeds database"} {
		t.Run(what, func(t *testing.T) {
			log, buf := logger()
			totpkey.WarnModeUnchecked(log, what, "/srv/seeds.json")
			got := buf.String()
			if totp.ModeChecked {
				if got != "" {
					t.Errorf("got %q, want no warning where modes are checked", got)
				}
				return
			}
			if !strings.Contains(got, what+" permissions are not checked") || !strings.Contains(got, "/srv/seeds.json") || !strings.Contains(got, "level=WARN") {
				t.Errorf("got %q, want a warning naming %s and the file", got, what)
			}
		})
	}
}

func TestSeedNoDevice(t *testing.T) {
	file := writeFile(t, "monkey.jpg", fingerprint, 0o644)
	seed, err := (&totpkey.Source{Fingerprints: []string{"file:" + file}}).Seed()
	if err != nil {
		t.Fatal(err)
	}
	if seed.Device != nil || !bytes.Equal(seed.Key, sha1Key(fingerprint)) {
		t.Errorf("got seed %v device %v, want the key of the file", seed.Key, seed.Device)
	}
	// A seed file when there are no fingerprint sources: Key's.
	sf := writeFile(t, "seed.hex", rfcKey, 0o600)
	seed, err = (&totpkey.Source{SeedFile: sf}).Seed()
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(seed.Key) != rfcKey {
		t.Errorf("got key %x, want %s", []byte(seed.Key), rfcKey)
	}
}

func TestSeedErrors(t *testing.T) {
	dir := t.TempDir()
	blob := filepath.Join(dir, "absent.tpm")
	for _, tc := range []struct {
		name string
		src  totpkey.Source
		ok   func(*testing.T, error)
	}{
		{name: "bad spec", src: totpkey.Source{Fingerprints: []string{"tpm-hmac:"}}, ok: func(t *testing.T, err error) {
			var se *totp.SpecError
			if !errors.As(err, &se) {
				t.Errorf("got %v, want a *totp.SpecError", err)
			}
		}},
		{name: "tpm-hmac with others", src: totpkey.Source{Fingerprints: []string{"hostname", "tpm-hmac:" + blob}}, ok: func(t *testing.T, err error) {
			var se *totp.SpecError
			if !errors.As(err, &se) || se.Reason != totp.ReasonDeviceAlone || se.Spec != "tpm-hmac:"+blob {
				t.Errorf("got %v, want the *totp.SpecError of %q, %q", err, "tpm-hmac:"+blob, totp.ReasonDeviceAlone)
			}
		}},
		{name: "missing blob", src: totpkey.Source{Fingerprints: []string{"tpm-hmac:" + blob}}, ok: func(t *testing.T, err error) {
			var ds *totpkey.DeviceSeedError
			if !errors.As(err, &ds) {
				t.Fatalf("got %v, want a *totpkey.DeviceSeedError", err)
			}
			if want := (totp.Spec{Kind: totp.KindTPMHMAC, Arg: blob}); ds.Spec != want {
				t.Errorf("got spec %v, want %v", ds.Spec, want)
			}
			var re *tpm.ReadError
			if !errors.As(err, &re) || re.Path != blob || re.What != tpm.WhatSeedBlob || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("got %v, want tpm's *ReadError of %q, fs.ErrNotExist", err, blob)
			}
			if err.Error() != ds.Err.Error() || errors.Unwrap(err) != ds.Err {
				t.Errorf("got text %q, want the cause's %q", err, ds.Err)
			}
		}},
		{name: "missing seed file", src: totpkey.Source{SeedFile: filepath.Join(dir, "absent.hex")}, ok: func(t *testing.T, err error) {
			var sf *totpkey.SeedFileError
			if !errors.As(err, &sf) || sf.Path != filepath.Join(dir, "absent.hex") {
				t.Errorf("got %v, want the *totpkey.SeedFileError of the file", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed, err := tc.src.Seed()
			if err == nil {
				t.Fatal("got no error")
			}
			if seed.Device != nil || seed.Key != nil {
				t.Errorf("got a seed with the error")
			}
			tc.ok(t, err)
		})
	}
}

// TestSeedDevice: a lone tpm-hmac source loads the TPM's seed, whose
// codes are those of the seed given to the TPM; another TPM cannot load
// it (a *DeviceSeedError). Needs swtpm.
func TestSeedDevice(t *testing.T) {
	sim := swtpmtest.Start(t)
	secret := sha1Key("seed given to the TPM")
	blob, err := tpm.ImportHMACKey(sim.Device(), secret)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "seed.tpm", string(blob), 0o600)
	log, buf := logger()
	src := totpkey.Source{Fingerprints: []string{"tpm-hmac:" + path}, TPMDevice: sim.Device(), Logger: log}
	seed, err := src.Seed()
	if err != nil {
		t.Fatal(err)
	}
	if seed.Device == nil || seed.Key != nil {
		t.Fatalf("got key %v device %v, want the TPM's", seed.Key, seed.Device)
	}
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	got, err := seed.Code(at, totp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := totp.Code(secret, at, totp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got code %s, want %s", got, want)
	}
	if l := buf.String(); !strings.Contains(l, "totp seed held by the TPM") || !strings.Contains(l, path) {
		t.Errorf("debug log %q: want the blob's path", l)
	}

	// The session name at the signing time is the same code.
	sess := totpkey.Session{Source: src}
	name, err := sess.Name()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := name(at); err != nil || n != want {
		t.Errorf("got session name %q, %v, want %q", n, err, want)
	}
	noSecret(t, "log", buf.String(), want, secret.Hex())

	other := swtpmtest.Start(t)
	src.TPMDevice = other.Device()
	_, err = src.Seed()
	var ds *totpkey.DeviceSeedError
	if !errors.As(err, &ds) || ds.Spec.Arg != path || !errors.Is(err, tpm.ErrForeignKey) {
		t.Errorf("other TPM: got %v, want a *totpkey.DeviceSeedError of %q wrapping tpm.ErrForeignKey", err, path)
	}
}

func TestCheckDigits(t *testing.T) {
	for _, tc := range []struct {
		digits int
		ok     bool
	}{{-1, false}, {0, false}, {5, false}, {6, true}, {7, true}, {8, true}, {9, false}, {10, false}} {
		t.Run(strconv.Itoa(tc.digits), func(t *testing.T) {
			err := totpkey.CheckDigits(tc.digits)
			if tc.ok {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			var de *totpkey.DigitsError
			if !errors.As(err, &de) || de.Digits != tc.digits {
				t.Fatalf("got %v, want a *totpkey.DigitsError of %d", err, tc.digits)
			}
			if !errors.Is(err, totp.ErrInvalidDigits) {
				t.Errorf("got %v, want it to wrap totp.ErrInvalidDigits", err)
			}
			if want := strconv.Itoa(tc.digits) + " digits: " + totp.ErrInvalidDigits.Error(); err.Error() != want {
				t.Errorf("got %q, want %q", err, want)
			}
		})
	}
}

func TestCheckWindow(t *testing.T) {
	for _, tc := range []struct {
		window int
		ok     bool
	}{{-1, false}, {0, true}, {1, true}, {totp.MaxWindow, true}, {totp.MaxWindow + 1, false}} {
		t.Run(strconv.Itoa(tc.window), func(t *testing.T) {
			err := totpkey.CheckWindow(tc.window)
			if tc.ok {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			var we *totpkey.WindowError
			if !errors.As(err, &we) || we.Window != tc.window {
				t.Fatalf("got %v, want a *totpkey.WindowError of %d", err, tc.window)
			}
			if !errors.Is(err, totp.ErrInvalidWindow) {
				t.Errorf("got %v, want it to wrap totp.ErrInvalidWindow", err)
			}
			if want := "window " + strconv.Itoa(tc.window) + ": " + totp.ErrInvalidWindow.Error(); err.Error() != want {
				t.Errorf("got %q, want %q", err, want)
			}
		})
	}
}

func TestParseAlgorithmAt(t *testing.T) {
	now := time.Date(2026, 12, 4, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, alg, at string
		wantAlg       totp.Algorithm
		wantTime      time.Time
		wantNow       bool // now() called
		wantErr       error
	}{
		{name: "now", alg: "sha1", wantAlg: totp.SHA1, wantTime: now, wantNow: true},
		{name: "at unix", alg: "SHA-256", at: "@59", wantAlg: totp.SHA256, wantTime: time.Unix(59, 0).UTC()},
		{name: "at rfc3339", alg: "sha512", at: "2026-01-02T03:04:05Z", wantAlg: totp.SHA512, wantTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{name: "bad algorithm", alg: "md5", at: "@59", wantErr: totp.ErrInvalidAlgorithm},
		{name: "no algorithm", alg: "", wantErr: totp.ErrInvalidAlgorithm},
		{name: "bad time", alg: "sha1", at: "yesterday", wantErr: totp.ErrInvalidTime},
		{name: "time without zone", alg: "sha1", at: "2026-01-02T03:04:05", wantErr: totp.ErrInvalidTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			alg, at, err := totpkey.ParseAlgorithmAt(tc.alg, tc.at, func() time.Time { called = true; return now })
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				if alg != "" || !at.IsZero() {
					t.Errorf("got %q %v with the error, want zero values", alg, at)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if alg != tc.wantAlg || !at.Equal(tc.wantTime) || called != tc.wantNow {
				t.Errorf("got %q %v now called %v, want %q %v %v", alg, at, called, tc.wantAlg, tc.wantTime, tc.wantNow)
			}
		})
	}
}

func TestSessionEnabledDigits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       totpkey.Session
		enabled bool
		digits  int
	}{
		{name: "zero", digits: 6},
		{name: "fingerprint", s: totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"machine-id"}}}, enabled: true, digits: 6},
		{name: "8 digits", s: totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"machine-id"}}, Digits: 8, DigitsSet: true}, enabled: true, digits: 8},
		{name: "seed file is not a source", s: totpkey.Session{Source: totpkey.Source{SeedFile: "seed.hex"}, Digits: 7}, digits: 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Enabled(); got != tc.enabled {
				t.Errorf("Enabled: got %v, want %v", got, tc.enabled)
			}
			if got := tc.s.DigitsOrDefault(); got != tc.digits {
				t.Errorf("DigitsOrDefault: got %v, want %v", got, tc.digits)
			}
		})
	}
}

func TestSessionCheck(t *testing.T) {
	fp := func(specs ...string) totpkey.Source { return totpkey.Source{Fingerprints: specs} }
	for _, tc := range []struct {
		name   string
		s      totpkey.Session
		want   error // a sentinel, or nil
		digits *int  // a *DigitsError of this length
		spec   string
		reason string // a *totp.SpecError of spec with this Reason ("" any)
	}{
		{name: "no totp"},
		{name: "fixed name without totp", s: totpkey.Session{FixedName: true}},
		{name: "fingerprint", s: totpkey.Session{Source: fp("machine-id")}},
		{name: "fingerprint, 7 digits", s: totpkey.Session{Source: fp("machine-id"), Digits: 7, DigitsSet: true}},
		{name: "lone tpm-hmac", s: totpkey.Session{Source: fp("tpm-hmac:/nonexistent/seed.tpm"), Digits: 8, DigitsSet: true}},
		{name: "fixed name", s: totpkey.Session{Source: fp("machine-id"), FixedName: true}, want: totpkey.ErrFixedName},
		{name: "digits without source", s: totpkey.Session{Digits: 8, DigitsSet: true}, want: totpkey.ErrDigitsWithoutSource},
		{name: "0 digits given", s: totpkey.Session{Source: fp("machine-id"), DigitsSet: true}, digits: ptr(0)},
		{name: "9 digits", s: totpkey.Session{Source: fp("machine-id"), Digits: 9, DigitsSet: true}, digits: ptr(9)},
		{name: "5 digits", s: totpkey.Session{Source: fp("machine-id"), Digits: 5, DigitsSet: true}, digits: ptr(5)},
		{name: "bad spec", s: totpkey.Session{Source: fp("bogus:x")}, spec: "bogus:x"},
		{name: "tpm-hmac with others", s: totpkey.Session{Source: fp("tpm-hmac:/s.tpm", "machine-id")}, spec: "tpm-hmac:/s.tpm", reason: totp.ReasonDeviceAlone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Check()
			var de *totpkey.DigitsError
			var se *totp.SpecError
			switch {
			case tc.spec != "":
				if !errors.As(err, &se) || se.Spec != tc.spec || (tc.reason != "" && se.Reason != tc.reason) {
					t.Errorf("got %v, want a *totp.SpecError of %q %q", err, tc.spec, tc.reason)
				}
			case tc.digits != nil:
				if !errors.As(err, &de) || de.Digits != *tc.digits || !errors.Is(err, totp.ErrInvalidDigits) {
					t.Errorf("got %v, want a *totpkey.DigitsError of %d", err, *tc.digits)
				}
			case err != tc.want:
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func ptr(n int) *int { return &n }

func TestSessionName(t *testing.T) {
	file := writeFile(t, "monkey.jpg", fingerprint, 0o644)
	key := sha1Key(fingerprint)
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		s      totpkey.Session
		digits int
	}{
		{name: "default 6", s: totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"file:" + file}}}, digits: 6},
		{name: "8", s: totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"file:" + file}}, Digits: 8, DigitsSet: true}, digits: 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := logger()
			tc.s.Logger = log
			name, err := tc.s.Name()
			if err != nil {
				t.Fatal(err)
			}
			for _, signing := range []time.Time{at, at.Add(30 * time.Second), time.Unix(59, 0)} {
				got, err := name(signing)
				if err != nil {
					t.Fatal(err)
				}
				want, err := totp.Code(key, signing, totp.Options{Digits: tc.digits})
				if err != nil {
					t.Fatal(err)
				}
				if got != want || len(got) != tc.digits {
					t.Errorf("at %v: got %q, want %q", signing, got, want)
				}
				noSecret(t, "log", buf.String(), got, key.Hex(), fingerprint)
			}
			if l := buf.String(); !strings.Contains(l, "role session name is the totp code") || !strings.Contains(l, "digits="+strconv.Itoa(tc.digits)) {
				t.Errorf("debug log %q: want the step and digits", l)
			}
			// Before the epoch there is no code.
			if got, err := name(time.Unix(-30, 0)); !errors.Is(err, totp.ErrBeforeEpoch) || got != "" {
				t.Errorf("before 1970: got %q, %v, want totp.ErrBeforeEpoch", got, err)
			}
		})
	}
}

func TestSessionNameErrors(t *testing.T) {
	// No fingerprint sources: no function, no error.
	name, err := (&totpkey.Session{}).Name()
	if name != nil || err != nil {
		t.Errorf("no sources: got %v, %v, want nil, nil", name != nil, err)
	}
	// A missing source fails at once, before any signing time.
	absent := filepath.Join(t.TempDir(), "absent.jpg")
	name, err = (&totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"file:" + absent}}}).Name()
	var se *totp.SourceError
	if name != nil || !errors.As(err, &se) || se.Spec.Arg != absent || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing source: got %v, want the *totp.SourceError of %q", err, absent)
	}
	blob := filepath.Join(t.TempDir(), "absent.tpm")
	_, err = (&totpkey.Session{Source: totpkey.Source{Fingerprints: []string{"tpm-hmac:" + blob}}}).Name()
	var ds *totpkey.DeviceSeedError
	if !errors.As(err, &ds) || ds.Spec.Arg != blob {
		t.Errorf("missing blob: got %v, want the *totpkey.DeviceSeedError of %q", err, blob)
	}
}
