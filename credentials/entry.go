package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// maxEntrySize bounds what read takes from a cache file: entries are
// about 1 KB (the session token is the largest part).
const maxEntrySize = 64 << 10

// ErrEntryNotPrivate is the cause of an *UntrustedEntryError for an entry
// owned by another user or readable or writable by group or others.
var ErrEntryNotPrivate = errors.New("not private to the user (want a file of the user, mode 0600)")

// UntrustedEntryError is a cache entry that exists but was not used: a
// symbolic link, not a regular file, not private to the user (Err then
// wraps rawfile.ErrSymlink, rawfile.ErrNotRegular or ErrEntryNotPrivate),
// or larger than the limit (a *rawfile.TooLargeError). It is a miss: the
// entry is replaced by the next session, never served.
type UntrustedEntryError struct {
	Path string
	Err  error
}

func (e *UntrustedEntryError) Error() string {
	return fmt.Sprintf("cache entry %q not used: %v", e.Path, unwrapPathError(e.Err))
}

// Unwrap gives the cause.
func (e *UntrustedEntryError) Unwrap() error { return e.Err }

// unwrapPathError drops the "open PATH:" of a *fs.PathError that the
// caller names already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readEntryFile reads a cache entry, at most limit bytes, without the
// runtime's network poller (internal/rawfile): os.ReadFile registers the
// file with it, which the first time in a process costs several system
// calls, and a cache hit of credential-process is otherwise only a few of
// them. The entry is opened with O_NOFOLLOW and must be a regular file
// that, where FileModesChecked, belongs to the user and has no group or
// other permission bits; otherwise the error is an *UntrustedEntryError.
// A missing entry is the open's *fs.PathError.
func readEntryFile(path string, limit int64) ([]byte, error) {
	f, err := rawfile.OpenNoFollow(path)
	switch {
	case errors.Is(err, rawfile.ErrSymlink) || errors.Is(err, rawfile.ErrNotRegular):
		return nil, &UntrustedEntryError{Path: path, Err: err}
	case err != nil:
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkEntryOwnerAndMode(fi); err != nil {
		return nil, &UntrustedEntryError{Path: path, Err: err}
	}
	b, err := rawfile.ReadAll(f, limit)
	var tl *rawfile.TooLargeError
	if errors.As(err, &tl) {
		return nil, &UntrustedEntryError{Path: path, Err: fmt.Errorf("larger than %d bytes", tl.Limit)}
	}
	return b, err
}

// decodeEntry decodes a cache file. Entries as write makes them (the
// fields in order, strings of printable ASCII without escapes) are read
// field by field, which spares a cache hit encoding/json's reflection
// (its type cache is built on first use in each process); anything else
// goes to encoding/json. FuzzDecodeEntry holds both to the same result.
func decodeEntry(b []byte) (entry, bool) {
	if e, ok := decodeEntryFast(b); ok {
		return e, true
	}
	return decodeEntryJSON(b)
}

func decodeEntryJSON(b []byte) (entry, bool) {
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		return entry{}, false
	}
	return e, true
}

// decodeEntryFast reads exactly
// {"Version":N,"AccessKeyId":"S","SecretAccessKey":"S","SessionToken":"S","Expiration":"T"[,"CertNotBefore":"T"][,"CertNotAfter":"T"]}
// with N one digit 1-9, S printable ASCII without '"' or '\', and T what
// time.Time's UnmarshalJSON accepts; ok is false for anything else.
func decodeEntryFast(b []byte) (e entry, ok bool) {
	r := entryReader{b: b}
	if !r.literal(`{"Version":`) || len(r.b) == 0 || r.b[0] < '1' || r.b[0] > '9' {
		return entry{}, false
	}
	e.Version = int(r.b[0] - '0')
	r.b = r.b[1:]
	ok = r.literal(`,"AccessKeyId":`) && r.str(&e.AccessKeyID) &&
		r.literal(`,"SecretAccessKey":`) && r.str(&e.SecretAccessKey) &&
		r.literal(`,"SessionToken":`) && r.str(&e.SessionToken) &&
		r.literal(`,"Expiration":`) && r.time(&e.Expiration)
	if !ok {
		return entry{}, false
	}
	if r.literal(`,"CertNotBefore":`) {
		e.CertNotBefore = new(time.Time)
		if !r.time(e.CertNotBefore) {
			return entry{}, false
		}
	}
	if r.literal(`,"CertNotAfter":`) {
		e.CertNotAfter = new(time.Time)
		if !r.time(e.CertNotAfter) {
			return entry{}, false
		}
	}
	if !r.literal(`}`) || len(r.b) != 0 {
		return entry{}, false
	}
	return e, true
}

type entryReader struct{ b []byte }

func (r *entryReader) literal(s string) bool {
	if len(r.b) < len(s) || string(r.b[:len(s)]) != s {
		return false
	}
	r.b = r.b[len(s):]
	return true
}

// quoted returns the next JSON string with its quotes, when it is
// printable ASCII without escapes.
func (r *entryReader) quoted() ([]byte, bool) {
	if len(r.b) == 0 || r.b[0] != '"' {
		return nil, false
	}
	for i := 1; i < len(r.b); i++ {
		switch c := r.b[i]; {
		case c == '"':
			q := r.b[:i+1]
			r.b = r.b[i+1:]
			return q, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (r *entryReader) str(dst *string) bool {
	q, ok := r.quoted()
	if ok {
		*dst = string(q[1 : len(q)-1])
	}
	return ok
}

func (r *entryReader) time(dst *time.Time) bool {
	q, ok := r.quoted()
	// The very method encoding/json calls, on the same bytes.
	return ok && dst.UnmarshalJSON(q) == nil
}
