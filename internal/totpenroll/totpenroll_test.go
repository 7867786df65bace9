package totpenroll_test

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpenroll"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// fingerprint is the content of the fingerprint file of the tests; the
// key is its SHA-1 (a lone file source).
const fingerprint = "monkey.jpg: fingerprint-secret-5d21"

func fingerprintKey() totp.Key {
	s := sha1.Sum([]byte(fingerprint))
	return totp.Key(s[:])
}

// writeFile writes data to a new file name in a temporary directory,
// chmod'ed to perm, and returns its path.
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

// hierarchy returns a test CA hierarchy whose leaf has o.
func hierarchy(t *testing.T, o testpki.LeafOptions) *testpki.Hierarchy {
	t.Helper()
	h, err := testpki.New(testpki.Options{Leaf: o})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// certFile writes the leaf of a new hierarchy (o) to a file and returns
// its path.
func certFile(t *testing.T, o testpki.LeafOptions) string {
	t.Helper()
	f, err := hierarchy(t, o).WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f.Certificate
}

func logger() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// lookup returns the seed of identity in the seeds database data.
func lookup(t *testing.T, data []byte, identity string) totp.Key {
	t.Helper()
	db, err := totp.ParseSeedDB(data)
	if err != nil {
		t.Fatalf("parse %q: %v", data, err)
	}
	k, ok, err := db.Lookup(identity)
	if err != nil || !ok {
		t.Fatalf("lookup %q: got %v, %v", identity, ok, err)
	}
	return k
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

func TestOptionsCheck(t *testing.T) {
	fp := totpkey.Source{Fingerprints: []string{"machine-id"}}
	for _, tc := range []struct {
		name string
		o    totpenroll.Options
		want error
		ok   func(error) bool // instead of want, for typed errors
	}{
		{name: "certificate", o: totpenroll.Options{Key: fp, Certificate: "c.pem"}},
		{name: "layout", o: totpenroll.Options{Key: fp, ACMEDir: "/etc/lego", Domain: "host.example.com"}},
		{name: "replace with db", o: totpenroll.Options{Key: fp, Certificate: "c.pem", DB: "db.json", Replace: true}},
		{name: "tpm", o: totpenroll.Options{TPM: true, Out: "seed.tpm", Key: totpkey.Source{TPMDevice: "unix:/run/swtpm.sock"}, Certificate: "c.pem"}},
		{name: "tpm needs out", o: totpenroll.Options{TPM: true, Certificate: "c.pem"}, want: totpenroll.ErrTPMNeedsOut},
		{name: "out needs tpm", o: totpenroll.Options{Key: fp, Out: "seed.tpm", Certificate: "c.pem"}, want: totpenroll.ErrOutNeedsTPM},
		{name: "tpm and fingerprint", o: totpenroll.Options{TPM: true, Out: "seed.tpm", Key: fp, Certificate: "c.pem"}, want: totpenroll.ErrTPMFingerprint},
		{name: "device needs tpm", o: totpenroll.Options{Key: totpkey.Source{Fingerprints: []string{"machine-id"}, TPMDevice: "/dev/tpmrm0"}, Certificate: "c.pem"}, want: totpenroll.ErrDeviceNeedsTPM},
		{name: "no fingerprint", o: totpenroll.Options{Certificate: "c.pem"}, want: totpkey.ErrNoFingerprint},
		{name: "bad fingerprint", o: totpenroll.Options{Key: totpkey.Source{Fingerprints: []string{"bogus:x"}}, Certificate: "c.pem"}, ok: func(err error) bool {
			var se *totp.SpecError
			return errors.As(err, &se) && se.Spec == "bogus:x"
		}},
		{name: "key source before certificate", o: totpenroll.Options{}, want: totpkey.ErrNoFingerprint},
		{name: "certificate and layout", o: totpenroll.Options{Key: fp, Certificate: "c.pem", ACMEDir: "/etc/lego"}, want: totpenroll.ErrCertificateAndLayout},
		{name: "certificate and domain", o: totpenroll.Options{Key: fp, Certificate: "c.pem", Domain: "host.example.com"}, want: totpenroll.ErrCertificateAndLayout},
		{name: "no certificate", o: totpenroll.Options{Key: fp}, want: totpenroll.ErrNoCertificate},
		{name: "no certificate, tpm", o: totpenroll.Options{TPM: true, Out: "seed.tpm"}, want: totpenroll.ErrNoCertificate},
		{name: "dir without domain", o: totpenroll.Options{Key: fp, ACMEDir: "/etc/lego"}, want: totpenroll.ErrLayoutIncomplete},
		{name: "domain without dir", o: totpenroll.Options{Key: fp, Domain: "host.example.com"}, want: totpenroll.ErrLayoutIncomplete},
		{name: "replace without db", o: totpenroll.Options{Key: fp, Certificate: "c.pem", Replace: true}, want: totpenroll.ErrReplaceNeedsDB},
		{name: "bad domain", o: totpenroll.Options{Key: fp, ACMEDir: "/etc/lego", Domain: "../x"}, ok: func(err error) bool {
			var de *signer.DomainError
			return errors.As(err, &de) && de.Domain == "../x"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Check()
			if tc.ok != nil {
				if !tc.ok(err) {
					t.Errorf("got %v, not the error wanted", err)
				}
				return
			}
			if err != tc.want {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRunEntry: without a database, Run returns the one entry of the
// certificate's identity with the fingerprint's key.
func TestRunEntry(t *testing.T) {
	key := totpkey.Source{Fingerprints: []string{"file:" + writeFile(t, "monkey.jpg", fingerprint, 0o644)}}
	h := hierarchy(t, testpki.LeafOptions{DNSNames: []string{"host.example.com", "www.example.com"}})
	plain, err := h.WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The CA first: the leaf is the first non-CA certificate.
	caFirst := writeFile(t, "ca-first.pem", string(testpki.CertPEM(h.Root.Cert, h.Leaf.Cert)), 0o644)
	for _, tc := range []struct {
		name, cert, want string
	}{
		{name: "leaf", cert: plain.Certificate, want: "CN=host.example.com"},
		{name: "full chain", cert: plain.FullChain, want: "CN=host.example.com"},
		{name: "ca first", cert: caFirst, want: "CN=host.example.com"},
		{name: "empty subject", cert: certFile(t, testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"short.example.com"}}), want: "short.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := totpenroll.Run(totpenroll.Options{Key: key, Certificate: tc.cert})
			if err != nil {
				t.Fatal(err)
			}
			if res.Identity != tc.want {
				t.Errorf("got identity %q, want %q", res.Identity, tc.want)
			}
			if got := lookup(t, res.Entry, tc.want); !bytes.Equal(got, fingerprintKey()) {
				t.Errorf("got seed %x, want the fingerprint's", []byte(got))
			}
			if res.Created || res.Changed || res.OthersCanRead {
				t.Errorf("got %+v, want no database result", res.EnrollResult)
			}
		})
	}
}

// TestRunLayouts: ACMEDir and Domain find the certificate of lego's,
// certbot's and acme.sh's layouts; none there is a *signer.LayoutError.
func TestRunLayouts(t *testing.T) {
	key := totpkey.Source{Fingerprints: []string{"file:" + writeFile(t, "monkey.jpg", fingerprint, 0o644)}}
	const domain = "host.example.com"
	h := hierarchy(t, testpki.LeafOptions{DNSNames: []string{domain}})
	for _, tc := range []struct {
		name  string
		write func(dir string) (testpki.Files, error)
	}{
		{name: "lego", write: func(dir string) (testpki.Files, error) { return h.WriteLego(dir, domain) }},
		{name: "certbot", write: func(dir string) (testpki.Files, error) { return h.WriteCertbot(dir, domain) }},
		{name: "acme.sh", write: func(dir string) (testpki.Files, error) { return h.WriteAcmeSh(dir, domain) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := tc.write(dir); err != nil {
				t.Fatal(err)
			}
			res, err := totpenroll.Run(totpenroll.Options{Key: key, ACMEDir: dir, Domain: domain})
			if err != nil {
				t.Fatal(err)
			}
			if res.Identity != "CN="+domain || len(res.Entry) == 0 {
				t.Errorf("got identity %q entry of %d bytes, want CN=%s", res.Identity, len(res.Entry), domain)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		dir := t.TempDir()
		res, err := totpenroll.Run(totpenroll.Options{Key: key, ACMEDir: dir, Domain: domain})
		var le *signer.LayoutError
		if !errors.As(err, &le) || le.Dir != dir || le.Domain != domain || len(le.Tried) == 0 || !errors.Is(err, signer.ErrLayoutNotFound) {
			t.Fatalf("got %v, want the *signer.LayoutError of %q %q", err, dir, domain)
		}
		if res.Identity != "" || res.Entry != nil {
			t.Errorf("got %+v, want nothing done", res)
		}
	})
}

func TestRunCertificateErrors(t *testing.T) {
	key := totpkey.Source{Fingerprints: []string{"file:" + writeFile(t, "monkey.jpg", fingerprint, 0o644)}}
	dir := t.TempDir()
	missing := filepath.Join(dir, "absent.pem")
	tooLarge := filepath.Join(dir, "large.pem")
	if err := os.WriteFile(tooLarge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(tooLarge, 1<<20+1); err != nil {
		t.Fatal(err)
	}
	notPEM := writeFile(t, "not.pem", "not a certificate", 0o644)
	noIdentity := certFile(t, testpki.LeafOptions{EmptySubject: true})
	for _, tc := range []struct {
		name, path string
		ok         func(*testing.T, error)
	}{
		{name: "missing", path: missing, ok: func(t *testing.T, err error) {
			var ce *totpenroll.CertificateError
			var fe *signer.FileError
			if !errors.As(err, &ce) || ce.Path != missing || !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("got %v, want a *totpenroll.CertificateError of %q wrapping signer's *FileError, fs.ErrNotExist", err, missing)
			}
			if want := "read certificate: " + fe.Err.Error(); err.Error() != want || !strings.Contains(err.Error(), missing) {
				t.Errorf("got %q, want %q naming the file", err, want)
			}
		}},
		{name: "no identity", path: noIdentity, ok: func(t *testing.T, err error) {
			var ce *totpenroll.CertificateError
			if !errors.As(err, &ce) || ce.Path != noIdentity || !errors.Is(err, totp.ErrNoIdentity) {
				t.Fatalf("got %v, want a *totpenroll.CertificateError of %q wrapping totp.ErrNoIdentity", err, noIdentity)
			}
			if want := `certificate "` + noIdentity + `" has ` + totp.ErrNoIdentity.Error(); err.Error() != want {
				t.Errorf("got %q, want %q", err, want)
			}
			if errors.Unwrap(err) != totp.ErrNoIdentity {
				t.Errorf("got unwrap %v, want totp.ErrNoIdentity", errors.Unwrap(err))
			}
		}},
		// Not wrapped: signer's errors say what is wrong and name the file.
		{name: "too large", path: tooLarge, ok: func(t *testing.T, err error) {
			var ce *totpenroll.CertificateError
			var fe *signer.FileError
			if errors.As(err, &ce) || !errors.As(err, &fe) || fe.Path != tooLarge || fe.Err != signer.ErrFileTooLarge {
				t.Errorf("got %v, want signer's *FileError of %q, ErrFileTooLarge, not wrapped", err, tooLarge)
			}
		}},
		{name: "not PEM", path: notPEM, ok: func(t *testing.T, err error) {
			var ce *totpenroll.CertificateError
			var sce *signer.CertificateError
			if errors.As(err, &ce) || !errors.As(err, &sce) || sce.Path != notPEM || !errors.Is(err, signer.ErrNoCertificate) {
				t.Errorf("got %v, want signer's *CertificateError of %q, ErrNoCertificate, not wrapped", err, notPEM)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := totpenroll.Run(totpenroll.Options{Key: key, Certificate: tc.path})
			if err == nil {
				t.Fatal("got no error")
			}
			tc.ok(t, err)
			if res.Entry != nil {
				t.Errorf("got an entry with the error")
			}
			noSecret(t, "error", err.Error(), fingerprint, fingerprintKey().Hex())
		})
	}
}

// TestRunKeyError: a fingerprint source that cannot be read is
// totpkey's error, after the identity was found.
func TestRunKeyError(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "absent.jpg")
	res, err := totpenroll.Run(totpenroll.Options{Key: totpkey.Source{Fingerprints: []string{"file:" + absent}}, Certificate: certFile(t, testpki.LeafOptions{DNSNames: []string{"host.example.com"}})})
	var se *totp.SourceError
	if !errors.As(err, &se) || se.Spec.Arg != absent || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want the *totp.SourceError of %q", err, absent)
	}
	if res.Identity != "CN=host.example.com" || res.Entry != nil {
		t.Errorf("got %q %q, want the identity and no entry", res.Identity, res.Entry)
	}
}

// TestRunDB: the entry is merged into the seeds database: made 0600 when
// missing, unchanged when the seed is there, refused when another seed is
// (unless Replace), and the database's own failures are
// *totp.EnrollError with their step.
func TestRunDB(t *testing.T) {
	cert := certFile(t, testpki.LeafOptions{DNSNames: []string{"host.example.com"}})
	const identity = "CN=host.example.com"
	fpFile := writeFile(t, "monkey.jpg", fingerprint, 0o644)
	other := writeFile(t, "other.jpg", "other-fingerprint-secret", 0o644)
	otherKey := sha1.Sum([]byte("other-fingerprint-secret"))
	db := filepath.Join(t.TempDir(), "seeds.json")
	run := func(fpPath string, replace bool) (totpenroll.Result, string, error) {
		t.Helper()
		log, buf := logger()
		res, err := totpenroll.Run(totpenroll.Options{Key: totpkey.Source{Fingerprints: []string{"file:" + fpPath}, Logger: log}, Certificate: cert, DB: db, Replace: replace})
		if res.Identity != identity {
			t.Errorf("got identity %q, want %q", res.Identity, identity)
		}
		if res.Entry != nil {
			t.Errorf("got an entry with a database")
		}
		noSecret(t, "log", buf.String(), fingerprint, fingerprintKey().Hex(), "other-fingerprint-secret", totp.Key(otherKey[:]).Hex())
		return res, buf.String(), err
	}
	stored := func() totp.Key {
		t.Helper()
		b, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		return lookup(t, b, identity)
	}

	res, logged, err := run(fpFile, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (totp.EnrollResult{Created: true, Changed: true}); res.EnrollResult != want {
		t.Errorf("new database: got %+v, want %+v", res.EnrollResult, want)
	}
	if !strings.Contains(logged, "creating seeds database") || !strings.Contains(logged, db) {
		t.Errorf("log %q: want the database's creation", logged)
	}
	if fi, err := os.Stat(db); err != nil || (totp.ModeChecked && fi.Mode().Perm() != 0o600) {
		t.Errorf("database: got %v, %v, want mode 0600", fi.Mode(), err)
	}
	if !bytes.Equal(stored(), fingerprintKey()) {
		t.Errorf("stored seed is not the fingerprint's")
	}

	if res, _, err = run(fpFile, false); err != nil || res.EnrollResult != (totp.EnrollResult{}) {
		t.Errorf("same seed again: got %+v, %v, want nothing changed", res.EnrollResult, err)
	}

	_, _, err = run(other, false)
	var ee *totp.EnrollError
	var sc *totp.SeedChangedError
	if !errors.As(err, &ee) || ee.Op != "merge" || ee.Path != db || !errors.As(err, &sc) || sc.Identity != identity {
		t.Fatalf("other seed: got %v, want the merge *totp.EnrollError of %q, *totp.SeedChangedError of %q", err, db, identity)
	}
	noSecret(t, "error", err.Error(), fingerprintKey().Hex(), totp.Key(otherKey[:]).Hex())
	if !bytes.Equal(stored(), fingerprintKey()) {
		t.Errorf("a refused merge changed the stored seed")
	}

	if res, _, err = run(other, true); err != nil || res.EnrollResult != (totp.EnrollResult{Changed: true}) {
		t.Errorf("replace: got %+v, %v, want changed", res.EnrollResult, err)
	}
	if !bytes.Equal(stored(), otherKey[:]) {
		t.Errorf("replace did not store the new seed")
	}

	if totp.ModeChecked {
		if err := os.Chmod(db, 0o644); err != nil {
			t.Fatal(err)
		}
		res, logged, err := run(fpFile, true)
		if err != nil || !res.OthersCanRead || !res.Changed {
			t.Errorf("readable database: got %+v, %v, want OthersCanRead and changed", res.EnrollResult, err)
		}
		if !strings.Contains(logged, "seeds database is readable by group or others") || !strings.Contains(logged, "level=WARN") {
			t.Errorf("log %q: want the warning", logged)
		}
		if err := os.Chmod(db, 0o666); err != nil {
			t.Fatal(err)
		}
		_, _, err = run(fpFile, true)
		var pe *totp.PermissionError
		if !errors.As(err, &ee) || ee.Op != "load" || ee.Path != db || !errors.As(err, &pe) {
			t.Errorf("writable database: got %v, want the load *totp.EnrollError with a *totp.PermissionError", err)
		}
	}

	// A directory that does not exist: the write fails.
	db = filepath.Join(t.TempDir(), "absent", "seeds.json")
	res, _, err = run(fpFile, false)
	if !errors.As(err, &ee) || ee.Op != "write" || ee.Path != db || !res.Created {
		t.Errorf("missing directory: got %+v, %v, want the write *totp.EnrollError of %q", res.EnrollResult, err, db)
	}
}

// TestRunDevice: with TPM the seed is random, the TPM's blob goes to Out
// and the seed to the database or Entry; the blob gives the codes of the
// stored seed. Needs swtpm.
func TestRunDevice(t *testing.T) {
	sim := swtpmtest.Start(t)
	cert := certFile(t, testpki.LeafOptions{DNSNames: []string{"host.example.com"}})
	const identity = "CN=host.example.com"
	dir := t.TempDir()
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	// check: the blob at out on the simulator gives the codes of seed.
	check := func(out string, seed totp.Key) {
		t.Helper()
		if fi, err := os.Stat(out); err != nil || (totp.ModeChecked && fi.Mode().Perm() != 0o600) {
			t.Fatalf("blob: got %v, want mode 0600", err)
		}
		s, err := (&totpkey.Source{Fingerprints: []string{"tpm-hmac:" + out}, TPMDevice: sim.Device()}).Seed()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Code(at, totp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := totp.Code(seed, at, totp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("the blob's code %s is not the stored seed's %s", got, want)
		}
	}
	opts := func(out, db string) totpenroll.Options {
		return totpenroll.Options{TPM: true, Out: out, Key: totpkey.Source{TPMDevice: sim.Device()}, Certificate: cert, DB: db}
	}

	out := filepath.Join(dir, "entry.tpm")
	res, err := totpenroll.Run(opts(out, ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity != identity {
		t.Errorf("got identity %q, want %q", res.Identity, identity)
	}
	check(out, lookup(t, res.Entry, identity))

	db := filepath.Join(dir, "seeds.json")
	out = filepath.Join(dir, "db.tpm")
	if res, err = totpenroll.Run(opts(out, db)); err != nil || res.EnrollResult != (totp.EnrollResult{Created: true, Changed: true}) || res.Entry != nil {
		t.Fatalf("database: got %+v, %v, want created", res, err)
	}
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	seed := lookup(t, b, identity)
	check(out, seed)

	// The blob file exists: a *DeviceError, nothing written.
	_, err = totpenroll.Run(opts(out, db))
	var de *totpenroll.DeviceError
	var pe *fs.PathError
	if !errors.As(err, &de) || !errors.As(err, &pe) || pe.Path != out || !errors.Is(err, fs.ErrExist) {
		t.Fatalf("existing blob: got %v, want a *totpenroll.DeviceError wrapping the *fs.PathError of %q", err, out)
	}
	if err.Error() != de.Err.Error() || errors.Unwrap(err) != de.Err {
		t.Errorf("got text %q, want the cause's %q", err, de.Err)
	}

	// A different seed is stored: the database's merge error, not a
	// *DeviceError, and the new blob is removed.
	out2 := filepath.Join(dir, "again.tpm")
	_, err = totpenroll.Run(opts(out2, db))
	var ee *totp.EnrollError
	if errors.As(err, &de) || !errors.As(err, &ee) || ee.Op != "merge" {
		t.Fatalf("stored seed: got %v, want the merge *totp.EnrollError", err)
	}
	noSecret(t, "error", err.Error(), seed.Hex())
	if _, err := os.Lstat(out2); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("blob of a refused enrollment: got %v, want it removed", err)
	}
	if b2, _ := os.ReadFile(db); !bytes.Equal(b2, b) {
		t.Errorf("a refused enrollment changed the database")
	}
	// Replace stores a new seed, which the new blob gives.
	o := opts(out2, db)
	o.Replace = true
	if res, err = totpenroll.Run(o); err != nil || !res.Changed {
		t.Fatalf("replace: got %+v, %v", res.EnrollResult, err)
	}
	b, _ = os.ReadFile(db)
	check(out2, lookup(t, b, identity))
}

// TestRunDeviceErrors: the TPM's failures are a *DeviceError; reading the
// seeds database is its *totp.EnrollError. No TPM is needed.
func TestRunDeviceErrors(t *testing.T) {
	cert := certFile(t, testpki.LeafOptions{DNSNames: []string{"host.example.com"}})
	dir := t.TempDir()
	noTPM := "unix:" + filepath.Join(dir, "absent.sock")
	out := filepath.Join(dir, "seed.tpm")
	_, err := totpenroll.Run(totpenroll.Options{TPM: true, Out: out, Key: totpkey.Source{TPMDevice: noTPM}, Certificate: cert})
	var de *totpenroll.DeviceError
	var te *tpm.DeviceError
	if !errors.As(err, &de) || !errors.As(err, &te) || te.Device != noTPM || !errors.Is(err, tpm.ErrNoTPM) {
		t.Fatalf("no TPM: got %v, want a *totpenroll.DeviceError wrapping tpm's *DeviceError of %q, ErrNoTPM", err, noTPM)
	}
	if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("blob without a TPM: got %v, want none", err)
	}
	// The certificate is read first.
	absent := filepath.Join(dir, "absent.pem")
	_, err = totpenroll.Run(totpenroll.Options{TPM: true, Out: out, Key: totpkey.Source{TPMDevice: noTPM}, Certificate: absent})
	var ce *totpenroll.CertificateError
	if !errors.As(err, &ce) || ce.Path != absent {
		t.Errorf("missing certificate: got %v, want its *totpenroll.CertificateError", err)
	}
}
