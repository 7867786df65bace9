// Package envfile reads KEY=VALUE settings files in the format of
// systemd's EnvironmentFile=: the --config file of acme-signing-helper.
//
// Blank lines and lines starting with '#' or ';' are skipped, an "export "
// prefix is allowed, and a value may be wrapped in double quotes (Go
// escapes are honoured) or single quotes (taken literally). Every key is
// returned; the caller picks the ones it knows.
//
// Security considerations: the file is outside input and may hold secrets
// (a key password). Parse reads at most MaxLine bytes per line, and its
// errors name the file and the line number, never a line's content.
package envfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxLine is the longest line Parse reads.
const MaxLine = 1024 * 1024

// ErrSyntax: a line is not KEY=VALUE.
var ErrSyntax = errors.New("want KEY=VALUE")

// Setting is one KEY=VALUE line.
type Setting struct {
	Key, Value string
	Line       int // 1-based
}

// LineError is a line Parse cannot read.
type LineError struct {
	Path string
	Line int
	Err  error // ErrSyntax, or the reader's error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("config file %q line %d: %v", e.Path, e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Parse reads the settings of r, in file order; path names the file in
// errors.
func Parse(r io.Reader, path string) ([]Setting, error) {
	var out []Setting
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, &LineError{Path: path, Line: n, Err: ErrSyntax}
		}
		out = append(out, Setting{Key: k, Value: unquote(strings.TrimSpace(v)), Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, &LineError{Path: path, Line: n + 1, Err: err}
	}
	return out, nil
}

// unquote removes one pair of surrounding quotes.
func unquote(v string) string {
	if len(v) < 2 || !(v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v
	}
	if v[0] == '"' {
		if uq, err := strconv.Unquote(v); err == nil {
			return uq
		}
	}
	return v[1 : len(v)-1]
}
