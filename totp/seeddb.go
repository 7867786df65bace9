package totp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// ErrLoosePermissions is returned (wrapped in a *PermissionError) for a seed
// file or seeds database that group or others may write.
var ErrLoosePermissions = errors.New("writable by group or others")

// PermissionError reports a secret file with loose permissions.
type PermissionError struct {
	Path string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%q has mode %04o: %v", e.Path, e.Mode.Perm(), ErrLoosePermissions)
}

// Unwrap returns ErrLoosePermissions.
func (e *PermissionError) Unwrap() error { return ErrLoosePermissions }

// CheckSecretFile checks the permissions of a file holding seeds (a seed
// file, the seeds database): group- or world-writable is a
// *PermissionError; group- or world-readable returns othersCanRead so the
// caller can warn. Where the mode bits do not say who may read a file
// (Windows), only the kind of file is checked and ModeChecked is false, so
// that the caller can say so.
func CheckSecretFile(path string) (othersCanRead bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return checkMode(path, fi)
}

// MaxKeyFileBytes bounds a seed file ReadKeyFile reads: one hex key and
// white space.
const MaxKeyFileBytes = 64 << 10

// ReadKeyFile reads a seed file: one hex key (as `totp seed` or the first
// field of `sha1sum` prints; surrounding whitespace ignored). It refuses
// files group or others may write (*PermissionError) and reports whether
// others may read it so the caller can warn. It reads a regular file only
// (a FIFO or a device fails at once) of at most MaxKeyFileBytes (else a
// *rawfile.TooLargeError). Errors name the file, never its content.
func ReadKeyFile(path string) (k Key, othersCanRead bool, err error) {
	f, loose, err := openSecretFile(path, "seed file")
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := rawfile.ReadAll(f, MaxKeyFileBytes)
	if err != nil {
		return nil, false, fmt.Errorf("read seed file %q: %w", path, err)
	}
	k, err = ParseHexKey(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("seed file %q: %w", path, err)
	}
	return k, loose, nil
}

// openSecretFile opens a file of seeds (what: "seed file", "seeds
// database") through internal/rawfile, which accepts a regular file only
// without blocking on a FIFO, and checks its mode (checkMode). Its errors
// say what and name the path.
func openSecretFile(path, what string) (*os.File, bool, error) {
	f, err := rawfile.Open(path)
	if errors.Is(err, syscall.EISDIR) {
		return nil, false, fmt.Errorf("%s: %q is a directory, want a file", what, path)
	} else if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", what, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("read %s: %w", what, err)
	}
	loose, err := checkMode(path, fi)
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("%s: %w", what, err)
	}
	return f, loose, nil
}

// SeedEntry is one identity of the seeds database.
type SeedEntry struct {
	// Identity is the key the detection looks up: "CN=<cn>" (the
	// certificate subject as CloudTrail's x509Subject shows it), or the SAN
	// DNS name of a certificate without a CN.
	Identity string
	// Seed is the hex key as stored (not validated until used).
	Seed string
	// Digits is the length of the identity's codes when the database sets
	// it (the entry's object has "digits": 6, 7 or 8), else 0: the
	// detection then uses its configured default.
	Digits int
}

// String names the identity and hides the seed.
func (e SeedEntry) String() string { return e.Identity + ": [redacted]" }

// GoString hides the seed.
func (e SeedEntry) GoString() string {
	return fmt.Sprintf("totp.SeedEntry{Identity: %q, Seed: [redacted]}", e.Identity)
}

// SeedDB is the seeds database of the seeds' env-sha1sum-db.json: a JSON
// array of objects mapping an identity to its hex seed, looked up there with
// `jq -r '.[] | ."CN=..." // empty'`. Order is kept; objects with several
// keys are read as several entries and written back as one-key objects.
//
// An object may also hold "digits" with a JSON number (6, 7 or 8): the
// code length of the identities of that object, for example
// {"CN=host.example.com": "<hex seed>", "digits": 8}. The seed stays where
// the seed script's jq finds it; a "digits" key with a string value is an
// identity named "digits", as before.
type SeedDB struct {
	Entries []SeedEntry
}

// String counts the entries and hides the seeds (a *SeedDB printed with
// %v, %+v or %#v).
func (db *SeedDB) String() string { return fmt.Sprintf("totp.SeedDB{%d entries}", len(db.Entries)) }

// GoString hides the seeds.
func (db *SeedDB) GoString() string { return db.String() }

// DigitsKey is the key of an object of the seeds database that holds the
// code length of the object's identities (a JSON number).
const DigitsKey = "digits"

// ErrSeedChanged is returned by Merge when an identity already has a
// different seed and replace is false.
var ErrSeedChanged = errors.New("identity already has a different seed")

// ErrAmbiguousSeed is returned by Lookup when an identity has several
// different seeds.
var ErrAmbiguousSeed = errors.New("identity has several different seeds")

// ParseSeedDB reads a seeds database. Empty input (or only whitespace) is
// an empty database. Errors give the element index, never a seed.
func ParseSeedDB(data []byte) (*SeedDB, error) {
	db := &SeedDB{}
	if len(bytes.TrimSpace(data)) == 0 {
		return db, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("want a JSON array: %w", syntaxOnly(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("want a JSON array of {\"IDENTITY\": \"SEED\"} objects")
	}
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, syntaxOnly(err))
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return nil, fmt.Errorf("element %d: want an object {\"IDENTITY\": \"SEED\"}", i)
		}
		start, digits, haveDigits := len(db.Entries), 0, false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, syntaxOnly(err))
			}
			id, _ := kt.(string)
			vt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("element %d, identity %q: %w", i, id, syntaxOnly(err))
			}
			if n, ok := vt.(json.Number); ok && id == DigitsKey {
				d, err := strconv.Atoi(string(n))
				if err != nil || d < 6 || d > 8 || haveDigits {
					return nil, fmt.Errorf("element %d: %q must be 6, 7 or 8, once", i, DigitsKey)
				}
				digits, haveDigits = d, true
				continue
			}
			seed, ok := vt.(string)
			if !ok {
				return nil, fmt.Errorf("element %d, identity %q: the seed must be a string", i, id)
			}
			db.Entries = append(db.Entries, SeedEntry{Identity: id, Seed: seed})
		}
		if haveDigits && len(db.Entries) == start {
			return nil, fmt.Errorf("element %d: %q without an identity", i, DigitsKey)
		}
		for j := start; j < len(db.Entries); j++ {
			db.Entries[j].Digits = digits
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, syntaxOnly(err))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("end of array: %w", syntaxOnly(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON array")
	}
	return db, nil
}

// syntaxOnly keeps a JSON error's position but not the offending text
// (which could be a seed).
func syntaxOnly(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("JSON syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of JSON")
	}
	return errors.New("malformed JSON")
}

// MaxSeedDBBytes bounds the seeds database file LoadSeedDB reads (a
// million workloads fit; audit.LoadDB has the same bound).
const MaxSeedDBBytes = 256 << 20

// LoadSeedDB reads a seeds database file, refusing one that group or others
// may write (*PermissionError). A missing file is fs.ErrNotExist (wrapped).
// It reads a regular file only (internal/rawfile: a FIFO or a device fails
// at once) of at most MaxSeedDBBytes (else a *rawfile.TooLargeError).
func LoadSeedDB(path string) (db *SeedDB, othersCanRead bool, err error) {
	f, loose, err := openSecretFile(path, "seeds database")
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := rawfile.ReadAll(f, MaxSeedDBBytes)
	if err != nil {
		return nil, false, fmt.Errorf("read seeds database %q: %w", path, err)
	}
	db, err = ParseSeedDB(b)
	if err != nil {
		return nil, false, fmt.Errorf("seeds database %q: %w", path, err)
	}
	return db, loose, nil
}

// Lookup returns the key of identity. ok is false when it is absent. Several
// entries with the same seed are fine; different seeds are
// ErrAmbiguousSeed. A malformed seed is ErrInvalidKey.
func (db *SeedDB) Lookup(identity string) (k Key, ok bool, err error) {
	seed := ""
	for _, e := range db.Entries {
		if e.Identity != identity {
			continue
		}
		if ok && !strings.EqualFold(strings.TrimSpace(e.Seed), strings.TrimSpace(seed)) {
			return nil, true, fmt.Errorf("seeds database, identity %q: %w", identity, ErrAmbiguousSeed)
		}
		seed, ok = e.Seed, true
	}
	if !ok {
		return nil, false, nil
	}
	k, err = ParseHexKey(seed)
	if err != nil {
		return nil, true, fmt.Errorf("seeds database, identity %q: %w", identity, err)
	}
	return k, true, nil
}

// Merge sets identity's seed to the hex of k. An identity with the same
// seed is left alone (changed false); a different seed is ErrSeedChanged
// unless replace, which rewrites every entry of that identity.
func (db *SeedDB) Merge(identity string, k Key, replace bool) (changed bool, err error) {
	seed := k.Hex()
	found := false
	for i, e := range db.Entries {
		if e.Identity != identity {
			continue
		}
		found = true
		if strings.EqualFold(strings.TrimSpace(e.Seed), seed) {
			continue
		}
		if !replace {
			return false, &SeedChangedError{Identity: identity}
		}
		db.Entries[i].Seed = seed
		changed = true
	}
	if !found {
		db.Entries = append(db.Entries, SeedEntry{Identity: identity, Seed: seed})
		changed = true
	}
	return changed, nil
}

// SeedChangedError is returned by Merge for an identity whose stored seed
// differs from the new one.
type SeedChangedError struct{ Identity string }

func (e *SeedChangedError) Error() string {
	return fmt.Sprintf("identity %q: %v", e.Identity, ErrSeedChanged)
}

// Unwrap returns ErrSeedChanged.
func (e *SeedChangedError) Unwrap() error { return ErrSeedChanged }

// MarshalJSON writes the database as a JSON array of one-identity objects,
// one per line (with "digits" when the entry sets it).
func (db *SeedDB) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[")
	for i, e := range db.Entries {
		if i > 0 {
			b.WriteString(",")
		}
		id, err := json.Marshal(e.Identity)
		if err != nil {
			return nil, err
		}
		seed, err := json.Marshal(e.Seed)
		if err != nil {
			return nil, err
		}
		b.WriteString("\n  {")
		b.Write(id)
		b.WriteString(": ")
		b.Write(seed)
		if e.Digits != 0 {
			fmt.Fprintf(&b, ", %q: %d", DigitsKey, e.Digits)
		}
		b.WriteString("}")
	}
	if len(db.Entries) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]")
	return b.Bytes(), nil
}

// WriteFile writes the database to path atomically: a temporary file of
// mode 0600 in the same directory, synced, then renamed over path (a
// symbolic link at path is followed, so the link stays). Nothing is changed
// on error.
func (db *SeedDB) WriteFile(path string) error {
	b, err := db.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encode seeds database: %w", err)
	}
	b = append(b, '\n')
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return atomicfile.Write(path, b, 0o600, nil)
}
