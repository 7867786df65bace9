package lambdadetect

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

// ErrNotLinuxARM64 is a bootstrap that is not a linux/arm64 executable,
// which the template's function (provided.al2023, arm64) cannot run.
var ErrNotLinuxARM64 = errors.New("not a linux/arm64 ELF executable")

// BootstrapError is a bootstrap binary that cannot go into the package.
type BootstrapError struct {
	Path string
	Err  error
}

func (e *BootstrapError) Error() string { return fmt.Sprintf("bootstrap %q: %v", e.Path, e.Err) }
func (e *BootstrapError) Unwrap() error { return e.Err }

// CheckBootstrap reports whether the file at path is an ELF executable
// for linux/arm64 (Lambda's provided.al2023 on arm64 runs nothing else).
func CheckBootstrap(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return &BootstrapError{Path: path, Err: fmt.Errorf("%w: %w", ErrNotLinuxARM64, err)}
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return &BootstrapError{Path: path, Err: fmt.Errorf("%w: machine %s, type %s", ErrNotLinuxARM64, f.Machine, f.Type)}
	}
	return nil
}

// ZipTime is the time of the file in the deployment package.
var ZipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteZip writes the deployment package to w: one file, bootstrap, mode
// 0755, the contents of the binary at path (this same program: the
// function runs when AWS_LAMBDA_RUNTIME_API is set). The package is
// reproducible: the same binary gives the same bytes (the file's time is
// ZipTime). WriteZip does not check the binary: see CheckBootstrap.
func WriteZip(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &BootstrapError{Path: path, Err: err}
	}
	defer f.Close()
	zw := zip.NewWriter(w)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: ZipTime}
	h.SetMode(0o755)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, f); err != nil {
		return &BootstrapError{Path: path, Err: err}
	}
	return zw.Close()
}

// WritePackage checks the binary at bootstrap (CheckBootstrap) and writes
// its deployment package (WriteZip) to path atomically (a temporary file
// renamed over it), mode 0644: the package holds no secret. It returns
// the package's size in bytes.
func WritePackage(path, bootstrap string) (int, error) {
	if err := CheckBootstrap(bootstrap); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if err := WriteZip(&buf, bootstrap); err != nil {
		return 0, err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644, nil); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}
