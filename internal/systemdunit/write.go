package systemdunit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// WriteError is a failure of WriteDir: Path is the directory it could not
// create or the file it could not write, Err the cause.
type WriteError struct {
	Path string
	Dir  bool // Path is the directory
	Err  error
}

func (e *WriteError) Error() string {
	if e.Dir {
		return fmt.Sprintf("create %q: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("write %q: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *WriteError) Unwrap() error { return e.Err }

// WriteDir creates dir (0755) and writes files into it, mode 0644: units
// are public and the settings file names ARNs, no secret (a TPM key's
// password stays in its own file, read with LoadCredential=). wrote, if not
// nil, is called with each path written. Failures are *WriteError.
func WriteDir(dir string, files []File, wrote func(path string)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &WriteError{Path: dir, Dir: true, Err: err}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return &WriteError{Path: p, Err: err}
		}
		if wrote != nil {
			wrote(p)
		}
	}
	return nil
}

// Concat joins files for printing: each under a "### NAME" line, with a
// blank line between them.
func Concat(files []File) []byte {
	var out bytes.Buffer
	for i, f := range files {
		if i > 0 {
			out.WriteString("\n")
		}
		fmt.Fprintf(&out, "### %s\n%s", f.Name, f.Content)
	}
	return out.Bytes()
}
