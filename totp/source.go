package totp

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// Kind is the kind of a fingerprint source.
type Kind string

// The kinds of fingerprint sources.
const (
	KindFile      Kind = "file"
	KindMachineID Kind = "machine-id"
	KindDMI       Kind = "dmi"
	KindHostname  Kind = "hostname"
	KindEnv       Kind = "env"
)

// ErrInvalidSpec is returned (wrapped in a *SpecError) for a malformed
// fingerprint spec.
var ErrInvalidSpec = errors.New("invalid fingerprint spec")

// ErrEmptySource is returned (wrapped in a *SourceError) when a fingerprint
// source exists but holds nothing.
var ErrEmptySource = errors.New("source is empty")

// SpecError reports a malformed fingerprint spec.
type SpecError struct {
	Spec   string // the spec as given (a name, never a secret)
	Reason string
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("invalid fingerprint spec %q: %s", e.Spec, e.Reason)
}

// Unwrap returns ErrInvalidSpec.
func (e *SpecError) Unwrap() error { return ErrInvalidSpec }

// ReasonDuplicate is the Reason of a SpecError for a source given twice.
const ReasonDuplicate = "given twice"

// SourceError reports a fingerprint source that could not be read. It names
// the source, never its content.
type SourceError struct {
	Spec Spec
	Err  error
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("fingerprint source %q: %v", e.Spec.String(), e.Err)
}

// Unwrap returns the underlying error (fs.ErrNotExist, fs.ErrPermission,
// ErrEmptySource, ...).
func (e *SourceError) Unwrap() error { return e.Err }

// Spec is a parsed fingerprint source.
type Spec struct {
	Kind Kind
	// Arg is the path of a file source, the field of a dmi source, the
	// variable name of an env source; empty for machine-id and hostname.
	Arg string
}

// String returns the canonical spec text, the one key derivation v1 covers:
// "file:" + the cleaned path, "machine-id", "dmi:" + field, "hostname",
// "env:" + name.
func (s Spec) String() string {
	if s.Arg == "" {
		return string(s.Kind)
	}
	return string(s.Kind) + ":" + s.Arg
}

// ParseSpec parses a fingerprint spec: file:PATH, machine-id, dmi:FIELD,
// hostname, env:NAME or tpm-hmac:PATH (a TPM-held seed, device.go). File
// and blob paths are cleaned (filepath.Clean) but not made absolute. DMI field names are lower-case letters, digits and '_'.
func ParseSpec(s string) (Spec, error) {
	bad := func(reason string) (Spec, error) { return Spec{}, &SpecError{Spec: s, Reason: reason} }
	kind, arg, hasArg := strings.Cut(s, ":")
	switch Kind(kind) {
	case KindMachineID, KindHostname:
		if hasArg {
			return bad(kind + " takes no argument")
		}
		return Spec{Kind: Kind(kind)}, nil
	case KindFile:
		if arg == "" {
			return bad("want file:PATH")
		}
		if strings.IndexByte(arg, 0) >= 0 {
			return bad("path contains a NUL byte")
		}
		return Spec{Kind: KindFile, Arg: filepath.Clean(arg)}, nil
	case KindDMI:
		if arg == "" {
			return bad("want dmi:FIELD, e.g. dmi:product_uuid")
		}
		for _, c := range arg {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return bad("a DMI field is a file name in /sys/class/dmi/id: lower-case letters, digits and '_'")
			}
		}
		return Spec{Kind: KindDMI, Arg: arg}, nil
	case KindTPMHMAC: // device.go
		if arg == "" {
			return bad("want tpm-hmac:PATH (the blob of 'totp enroll --tpm')")
		}
		return Spec{Kind: KindTPMHMAC, Arg: filepath.Clean(arg)}, nil
	case KindEnv:
		if arg == "" {
			return bad("want env:NAME")
		}
		if strings.ContainsAny(arg, "=\x00") {
			return bad("an environment variable name cannot contain '=' or NUL")
		}
		return Spec{Kind: KindEnv, Arg: arg}, nil
	}
	if s == "" {
		return bad("empty")
	}
	return bad("unknown source kind")
}

// ParseSpecs parses several specs; duplicates (after cleaning) are an error.
func ParseSpecs(ss []string) ([]Spec, error) {
	out := make([]Spec, 0, len(ss))
	seen := map[string]bool{}
	for _, s := range ss {
		sp, err := ParseSpec(s)
		if err != nil {
			return nil, err
		}
		if seen[sp.String()] {
			return nil, &SpecError{Spec: s, Reason: ReasonDuplicate}
		}
		seen[sp.String()] = true
		out = append(out, sp)
	}
	return out, nil
}

// System is where fingerprint sources are read. The zero value reads the
// real machine; tests point Root at a directory tree and replace the host
// name and environment lookups.
type System struct {
	// Root is prepended to the fixed paths of machine-id and dmi sources
	// (/etc/machine-id, /var/lib/dbus/machine-id, /sys/class/dmi/id/...).
	// It does not apply to file: sources. Empty means "/".
	Root string
	// Hostname returns the host name; nil means os.Hostname.
	Hostname func() (string, error)
	// LookupEnv looks up an environment variable; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

func (sys *System) path(p string) string {
	if sys == nil || sys.Root == "" {
		return p
	}
	return filepath.Join(sys.Root, filepath.FromSlash(p))
}

// digest writes the value of source sp into h and returns the number of
// bytes written. Whitespace around machine-id, dmi and hostname values is
// trimmed; file and env values are used as they are.
func (sys *System) digest(sp Spec, h hash.Hash) (int64, error) {
	if sys == nil {
		sys = &System{}
	}
	fail := func(err error) (int64, error) { return 0, &SourceError{Spec: sp, Err: err} }
	small := func(b []byte) (int64, error) {
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return fail(ErrEmptySource)
		}
		h.Write(b)
		return int64(len(b)), nil
	}
	switch sp.Kind {
	case KindFile:
		n, err := hashFile(sp.Arg, h)
		if err != nil {
			return fail(err)
		}
		if n == 0 {
			return fail(ErrEmptySource)
		}
		return n, nil
	case KindMachineID:
		b, err := readSmall(sys.path("/etc/machine-id"))
		if errors.Is(err, fs.ErrNotExist) || err == nil && len(bytes.TrimSpace(b)) == 0 {
			b, err = readSmall(sys.path("/var/lib/dbus/machine-id"))
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("neither /etc/machine-id nor /var/lib/dbus/machine-id exists: %w", fs.ErrNotExist)
			}
		}
		if err != nil {
			return fail(err)
		}
		return small(b)
	case KindDMI:
		b, err := readSmall(sys.path("/sys/class/dmi/id/" + sp.Arg))
		if err != nil {
			return fail(err)
		}
		return small(b)
	case KindHostname:
		hn := os.Hostname
		if sys.Hostname != nil {
			hn = sys.Hostname
		}
		name, err := hn()
		if err != nil {
			return fail(fmt.Errorf("read host name: %w", err))
		}
		return small([]byte(name))
	case KindEnv:
		le := os.LookupEnv
		if sys.LookupEnv != nil {
			le = sys.LookupEnv
		}
		v, ok := le(sp.Arg)
		if !ok {
			return fail(fmt.Errorf("environment variable %s is not set: %w", sp.Arg, fs.ErrNotExist))
		}
		if v == "" {
			return fail(ErrEmptySource)
		}
		h.Write([]byte(v))
		return int64(len(v)), nil
	case KindTPMHMAC:
		return fail(errDeviceSource) // the TPM holds the seed: device.go
	}
	return fail(fmt.Errorf("unknown source kind %q", sp.Kind))
}

// MaxFileSourceBytes bounds what a file: fingerprint source may hold: the
// file is hashed, but a source is an identity file (a serial, a key, an
// ID), not a disk.
const MaxFileSourceBytes = 1 << 20

// hashFile streams a file into h: a regular file only (a FIFO or
// /dev/zero fails at once, internal/rawfile), at most MaxFileSourceBytes.
// Errors are the *fs.PathError of the open (which name the path, never the
// content), "is a directory, want a file", or "larger than N bytes".
func hashFile(path string, h hash.Hash) (int64, error) {
	f, err := rawfile.Open(path)
	if err != nil {
		if errors.Is(err, syscall.EISDIR) {
			return 0, errors.New("is a directory, want a file")
		}
		return 0, unwrapPath(err)
	}
	defer f.Close()
	n, err := io.Copy(h, io.LimitReader(f, MaxFileSourceBytes+1))
	if err != nil {
		return 0, fmt.Errorf("read: %w", unwrapPath(err))
	}
	if n > MaxFileSourceBytes {
		return 0, fmt.Errorf("larger than %d bytes", MaxFileSourceBytes)
	}
	return n, nil
}

// readSmall reads a small system file (at most 64 KiB are used).
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// unwrapPath drops the "open PATH:" prefix of a *fs.PathError when the
// caller already names the source, keeping the operation and the cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
