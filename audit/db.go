package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// ErrDBWritable is returned by LoadDB for a seed database that group or
// others may change (the rule totp.CheckSecretFile applies to the same
// file).
var ErrDBWritable = errors.New("seed database is writable by group or others")

// ErrDBFormat is returned (wrapped) for a seed database that is neither
// format LoadDB reads.
var ErrDBFormat = errors.New("invalid seed database")

// DBError is a seed database problem; it names the file and what LoadDB
// was doing.
type DBError struct {
	Path string
	// Op is the step that failed: "open", "stat", "check" (the file's
	// permissions: Err is ErrDBWritable), "read" or "parse" (Err wraps
	// ErrDBFormat).
	Op  string
	Err error
}

func (e *DBError) Error() string { return fmt.Sprintf("seed database %q: %v", e.Path, e.Err) }
func (e *DBError) Unwrap() error { return e.Err }

// DB maps workload identities to TOTP keys. Identities are normalised with
// NormalizeIdentity. It never prints its keys.
type DB struct {
	keys   map[string]totp.Key
	digits map[string]int // identities whose entry sets "digits"
}

// Digits returns the code length the database sets for an identity
// (normalised first), or 0 when it sets none: the Checker's policy then
// decides.
func (db *DB) Digits(identity string) int {
	return db.digits[NormalizeIdentity(identity)]
}

// Len returns the number of identities.
func (db *DB) Len() int { return len(db.keys) }

// Key returns the key of an identity (normalised first).
func (db *DB) Key(identity string) (totp.Key, bool) {
	k, ok := db.keys[NormalizeIdentity(identity)]
	return k, ok
}

// Identities returns the identities, sorted.
func (db *DB) Identities() []string {
	out := make([]string, 0, len(db.keys))
	for id := range db.keys {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// String hides the keys.
func (db *DB) String() string { return fmt.Sprintf("audit.DB{%d identities}", len(db.keys)) }

// maxDBBytes bounds the database file (a million workloads fit).
const maxDBBytes = 256 << 20

// LoadDB reads a seed database file. It refuses a file group or others may
// write and returns warnings (for the caller to log) for a world-readable
// one, or, where file modes do not say who may read a file (Windows), a
// warning that they were not checked.
func LoadDB(path string) (*DB, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &DBError{Path: path, Op: "open", Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, &DBError{Path: path, Op: "stat", Err: err}
	}
	warnings, err := checkDBMode(path, fi)
	if err != nil {
		return nil, nil, &DBError{Path: path, Op: "check", Err: err}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxDBBytes+1))
	if err != nil {
		return nil, nil, &DBError{Path: path, Op: "read", Err: err}
	}
	if len(b) > maxDBBytes {
		return nil, nil, &DBError{Path: path, Op: "parse", Err: fmt.Errorf("%w: larger than %d bytes", ErrDBFormat, maxDBBytes)}
	}
	db, err := ParseDB(b)
	if err != nil {
		return nil, nil, &DBError{Path: path, Op: "parse", Err: err}
	}
	return db, warnings, nil
}

// ParseDB parses a seed database: the seed's env-sha1sum-db.json format
// (an array of one-key objects, identity → hex seed, where an object may
// also set "digits": the code length of its identities, see totp.SeedDB)
// or a plain object of identity → hex seed. Identities are normalised
// ("CN=x" and "x" are the same); the same identity twice with different
// seeds or different digits is an error. Errors name the identity, never
// the seed.
func ParseDB(b []byte) (*DB, error) {
	db := &DB{keys: map[string]totp.Key{}, digits: map[string]int{}}
	setDigits := func(id string, d int) error {
		n := NormalizeIdentity(id)
		if old, ok := db.digits[n]; ok && old != d {
			return fmt.Errorf("%w: identity %q appears twice with different digits", ErrDBFormat, id)
		}
		db.digits[n] = d
		return nil
	}
	add := func(id, seed string) error {
		n := NormalizeIdentity(id)
		if n == "" {
			return fmt.Errorf("%w: empty identity", ErrDBFormat)
		}
		k, err := totp.ParseHexKey(seed)
		if err != nil {
			return fmt.Errorf("%w: seed of %q: %w", ErrDBFormat, id, err)
		}
		if old, ok := db.keys[n]; ok && !bytes.Equal(old, k) {
			return fmt.Errorf("%w: identity %q appears twice with different seeds", ErrDBFormat, id)
		}
		db.keys[n] = k
		return nil
	}
	t := bytes.TrimSpace(b)
	switch {
	case len(t) > 0 && t[0] == '[':
		// The seed script's format, which 'totp enroll' writes: one
		// parser for both (its errors never quote a seed either).
		sdb, err := totp.ParseSeedDB(t)
		if err != nil {
			return nil, fmt.Errorf("%w: want an array of {\"identity\":\"hex seed\"} objects: %w", ErrDBFormat, err)
		}
		for _, e := range sdb.Entries {
			if err := add(e.Identity, e.Seed); err != nil {
				return nil, err
			}
			if e.Digits != 0 {
				if err := setDigits(e.Identity, e.Digits); err != nil {
					return nil, err
				}
			}
		}
	case len(t) > 0 && t[0] == '{':
		var obj map[string]string
		if err := json.Unmarshal(t, &obj); err != nil {
			return nil, fmt.Errorf("%w: want an object of \"identity\":\"hex seed\": %w", ErrDBFormat, dbJSONErr(err))
		}
		for id, seed := range obj {
			if err := add(id, seed); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%w: not a JSON array or object", ErrDBFormat)
	}
	return db, nil
}

// dbJSONErr keeps the position of a JSON error but never the value (a
// seed) that json may quote.
func dbJSONErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("a %s where a string was expected at byte %d", te.Value, te.Offset)
	}
	return errors.New("cannot decode")
}
