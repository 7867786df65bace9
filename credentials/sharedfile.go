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
	old, err := os.ReadFile(path)
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
// → "name") and whether line is one.
func sectionName(line string) (string, bool) {
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

// SetProfile returns file with the keys of profile set to the given values
// (in that order when added). Existing lines of those keys are replaced in
// place (duplicates dropped, also in repeated sections of the same name);
// missing keys are inserted after the section's last key; a missing section
// is appended. Everything else is copied unchanged.
func SetProfile(file []byte, profile string, kv [][2]string) []byte {
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
	insertAt := -1 // index in out after which missing keys go
	for _, l := range lines {
		if name, ok := sectionName(l); ok {
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
			out = append(out, k+" = "+v+"\n")
			insertAt = len(out) - 1
		case (inFirst || inLater) && ours:
			// A duplicate: drop it so that it cannot shadow the new value.
		default:
			out = append(out, l)
			if inFirst && k != "" {
				insertAt = len(out) - 1
			}
		}
	}
	var add []string
	for _, p := range kv {
		if !done[p[0]] {
			add = append(add, p[0]+" = "+p[1]+"\n")
		}
	}
	if !seen {
		var b strings.Builder
		b.WriteString(string(file))
		if len(file) > 0 && file[len(file)-1] != '\n' {
			b.WriteByte('\n')
		}
		if len(file) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("[" + profile + "]\n")
		for _, a := range add {
			b.WriteString(a)
		}
		return []byte(b.String())
	}
	if len(add) > 0 {
		// The line at insertAt may lack a final newline (end of file).
		if !strings.HasSuffix(out[insertAt], "\n") {
			out[insertAt] += "\n"
		}
		out = append(out[:insertAt+1], append(add, out[insertAt+1:]...)...)
	}
	return []byte(strings.Join(out, ""))
}
