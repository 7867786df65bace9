package credentials

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// maxEntrySize bounds what read takes from a cache file: entries are
// about 1 KB (the session token is the largest part).
const maxEntrySize = 64 << 10

// readSmallFile reads path, at most limit bytes (more is an error),
// without the runtime's network poller (internal/rawfile): os.ReadFile
// registers the file with it, which the first time in a process costs
// several system calls, and a cache hit of credential-process is otherwise
// only a few of them.
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := rawfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errors.New("larger than the limit")
	}
	return b, nil
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
