package credentials

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Keys written into a profile of the shared credentials file.
const (
	KeyAccessKeyID     = "aws_access_key_id"
	KeySecretAccessKey = "aws_secret_access_key"
	KeySessionToken    = "aws_session_token"
	// KeyExpiration is not read by the SDKs; it tells people (and doctor)
	// until when the keys above are valid.
	KeyExpiration = "x_expiration"
)

// MaxSharedFileBytes bounds the shared credentials file SharedFile.Write
// reads and rewrites (a profile is a few hundred bytes).
const MaxSharedFileBytes = 4 << 20

// SharedFile writes credentials into one profile of an AWS shared
// credentials file, leaving every other byte of the file as it was.
type SharedFile struct {
	// Path of the file; a symlink is followed and its target replaced.
	Path string
	// Profile is the section name, as in "[Profile]".
	Profile string
	// BeforeRename, when set, runs after the new file is written and
	// synced and before it replaces the old one: a test hook.
	BeforeRename func()
}

// Write sets the profile's keys to cr under an exclusive lock
// (.<name>.lock next to the file) and replaces the file atomically, mode
// 0600. Other sections, comments, blank lines and key order are kept byte
// for byte; the profile is appended when missing.
func (s *SharedFile) Write(ctx context.Context, cr signer.Credentials) error {
	if err := Validate(cr); err != nil {
		return err
	}
	if s.Profile == "" || strings.ContainsAny(s.Profile, "[]\r\n") {
		return fmt.Errorf("credentials file profile %q: want a name without brackets or newlines", s.Profile)
	}
	path := s.Path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		path = t
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory of credentials file %q: %w", path, err)
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, "."+filepath.Base(path)+".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(path)
	// A regular file (a FIFO or a device fails at once) of at most
	// MaxSharedFileBytes.
	old, err := rawfile.ReadFile(path, MaxSharedFileBytes)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read credentials file %q: %w", path, err)
	}
	out := SetProfile(old, s.Profile, [][2]string{
		{KeyAccessKeyID, cr.AccessKeyID},
		{KeySecretAccessKey, cr.SecretAccessKey},
		{KeySessionToken, cr.SessionToken},
		{KeyExpiration, cr.Expiration.UTC().Format(time.RFC3339)},
	})
	return writeAtomic(path, out, s.BeforeRename)
}

// sectionName returns the name of an INI section header line ("[ name ]"
// → "name") and whether line is one. An indented line is not one: after a
// key it continues the key's value, and SetProfile never inserts before
// it.
func sectionName(line string) (string, bool) {
	if line != "" && (line[0] == ' ' || line[0] == '\t') {
		return "", false
	}
	t := strings.TrimSpace(line)
	if len(t) < 2 || t[0] != '[' {
		return "", false
	}
	end := strings.IndexByte(t, ']')
	if end < 0 {
		return "", false
	}
	rest := strings.TrimSpace(t[end+1:])
	if rest != "" && rest[0] != '#' && rest[0] != ';' {
		return "", false
	}
	return strings.TrimSpace(t[1:end]), true
}

// lineKey returns the lower-case key of a "key = value" line, "" for
// comments, blank lines and continuation lines.
func lineKey(line string) string {
	if line == "" || line[0] == ' ' || line[0] == '\t' {
		return ""
	}
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == ';' {
		return ""
	}
	k, _, ok := strings.Cut(t, "=")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(k))
}

// utf8BOM is the byte order mark some Windows editors put at the start of
// a UTF-8 file.
const utf8BOM = "\xef\xbb\xbf"

// isContinuation reports whether line continues the value of the key line
// before it, as Python's configparser (botocore's reader) reads it: an
// indented line that is not blank.
func isContinuation(line string) bool {
	return line != "" && (line[0] == ' ' || line[0] == '\t') && strings.TrimSpace(line) != ""
}

// isBlankOrComment reports whether line is blank or a whole-line comment,
// which configparser skips without ending a multi-line value.
func isBlankOrComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || t[0] == '#' || t[0] == ';'
}

// SetProfile returns file with the keys of profile set to the given values
// (in that order when added). Existing lines of those keys are replaced in
// place together with their continuation lines (indented lines after them,
// which configparser appends to the value; duplicates are dropped the same
// way, also in repeated sections of the same name); missing keys are
// inserted after the section's last key; a missing section is appended.
// A leading UTF-8 byte order mark is kept and not taken for part of the
// first line. The lines written end in CRLF when the file's first line
// does, else in LF. Everything else is copied unchanged.
func SetProfile(file []byte, profile string, kv [][2]string) []byte {
	bom := ""
	if strings.HasPrefix(string(file), utf8BOM) {
		bom, file = utf8BOM, file[len(utf8BOM):]
	}
	eol := "\n"
	if i := strings.IndexByte(string(file), '\n'); (i > 0 && file[i-1] == '\r') || (i < 0 && strings.HasSuffix(string(file), "\r")) {
		eol = "\r\n"
	}
	// terminate ends an unterminated last line (a lone CR of a CRLF file
	// gets its LF).
	terminate := func(l string) string {
		if eol == "\r\n" && strings.HasSuffix(l, "\r") {
			return l + "\n"
		}
		return l + eol
	}
	lines := strings.SplitAfter(string(file), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	want := map[string]string{}
	for _, p := range kv {
		want[p[0]] = p[1]
	}
	done := map[string]bool{}
	var out []string
	inFirst, inLater, seen := false, false, false
	// dropping: the last key line was replaced or dropped, so its
	// continuation lines go too (blank and comment lines between them
	// stay: configparser skips them).
	dropping := false
	insertAt := -1 // index in out after which missing keys go
	for _, l := range lines {
		if dropping {
			if isContinuation(l) {
				continue
			}
			if !isBlankOrComment(l) {
				dropping = false
			}
		}
		if name, ok := sectionName(l); ok && !dropping {
			inFirst = name == profile && !seen
			inLater = name == profile && seen
			if inFirst {
				seen = true
				insertAt = len(out)
			}
			out = append(out, l)
			continue
		}
		k := lineKey(l)
		v, ours := want[k]
		switch {
		case inFirst && ours && !done[k]:
			done[k] = true
			out = append(out, k+" = "+v+eol)
			insertAt = len(out) - 1
			dropping = true
		case (inFirst || inLater) && ours:
			// A duplicate: drop it so that it cannot shadow the new value.
			dropping = true
		default:
			out = append(out, l)
			// Not before an indented line: it would continue the value
			// of the key inserted there.
			if inFirst && (k != "" || isContinuation(l)) {
				insertAt = len(out) - 1
			}
		}
	}
	var add []string
	for _, p := range kv {
		if !done[p[0]] {
			add = append(add, p[0]+" = "+p[1]+eol)
		}
	}
	if !seen {
		var b strings.Builder
		b.WriteString(bom)
		if len(file) > 0 && file[len(file)-1] != '\n' {
			b.WriteString(terminate(string(file)))
		} else {
			b.WriteString(string(file))
		}
		if len(file) > 0 {
			b.WriteString(eol)
		}
		b.WriteString("[" + profile + "]" + eol)
		for _, a := range add {
			b.WriteString(a)
		}
		return []byte(b.String())
	}
	if len(add) > 0 {
		// The line at insertAt may lack a final newline (end of file).
		if !strings.HasSuffix(out[insertAt], "\n") {
			out[insertAt] = terminate(out[insertAt])
		}
		out = append(out[:insertAt+1], append(add, out[insertAt+1:]...)...)
	}
	return []byte(bom + strings.Join(out, ""))
}
