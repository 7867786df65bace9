package credentials

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// ErrTokenFormat: a token file does not hold one non-empty line.
var ErrTokenFormat = errors.New("want one non-empty line")

// ErrTokenExposed: a token file can be read or written by others (on
// platforms where FileModesChecked).
var ErrTokenExposed = errors.New("accessible by others")

// The steps of ReadOrCreateToken, as TokenFileError.Op.
const (
	TokenRead   = "read"
	TokenRandom = "make"
	TokenMkdir  = "create directory of"
	TokenCreate = "create"
	TokenWrite  = "write"
)

// TokenFileError is a failure of ReadOrCreateToken: Op (TokenRead, ...)
// on the token file Path, because of Err (ErrTokenFormat,
// ErrTokenExposed or an I/O error). Mode is the file's mode with
// ErrTokenExposed. It never holds the token.
type TokenFileError struct {
	Op   string
	Path string
	Mode fs.FileMode
	Err  error
}

func (e *TokenFileError) Error() string {
	if e.Err == ErrTokenExposed {
		return fmt.Sprintf("token file %q is %v (mode %04o)", e.Path, e.Err, e.Mode)
	}
	return fmt.Sprintf("%s token file %q: %v", e.Op, e.Path, e.Err)
}

func (e *TokenFileError) Unwrap() error { return e.Err }

// ReadOrCreateToken reads the ECS authorization token from path (one line;
// the file must not be accessible by others where FileModesChecked), or,
// when path does not exist, creates it (0600, exclusively, in a directory
// created 0700) holding a new random token of 32 bytes in hex, without a
// final newline (clients send the file's content as the header verbatim).
// Its errors are *TokenFileError.
func ReadOrCreateToken(path string) (string, error) {
	// A regular file of at most 64 KiB (a token is 64 characters).
	b, err := rawfile.ReadFile(path, 64<<10)
	if err == nil {
		tok := strings.TrimRight(string(b), "\r\n")
		if tok == "" || strings.ContainsAny(tok, "\r\n") {
			return "", &TokenFileError{Op: TokenRead, Path: path, Err: ErrTokenFormat}
		}
		if st, err := os.Stat(path); err == nil && FileModesChecked && st.Mode().Perm()&0o007 != 0 {
			return "", &TokenFileError{Op: TokenRead, Path: path, Mode: st.Mode().Perm(), Err: ErrTokenExposed}
		}
		return tok, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", &TokenFileError{Op: TokenRead, Path: path, Err: err}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", &TokenFileError{Op: TokenRandom, Path: path, Err: err}
	}
	tok := hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", &TokenFileError{Op: TokenMkdir, Path: path, Err: err}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", &TokenFileError{Op: TokenCreate, Path: path, Err: err}
	}
	if _, err := f.WriteString(tok); err != nil {
		f.Close()
		os.Remove(path)
		return "", &TokenFileError{Op: TokenWrite, Path: path, Err: err}
	}
	if err := f.Close(); err != nil {
		return "", &TokenFileError{Op: TokenWrite, Path: path, Err: err}
	}
	return tok, nil
}
