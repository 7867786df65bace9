package credentials

import (
	"bytes"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// SecretFile is a secret read by ReadSecretFile.
type SecretFile struct {
	// Secret is the file's content without one trailing line break (as
	// editors and echo write it). Clear it after use.
	Secret []byte
	// Exposed is true when group or others may read the file (mode bits
	// 077); always false where FileModesChecked is false, and then
	// Unchecked says so.
	Exposed bool
	// Unchecked is UncheckedModes(path): "" where the mode was checked.
	Unchecked string
}

// MaxSecretFileBytes bounds what ReadSecretFile reads.
const MaxSecretFileBytes = 64 << 10

// ReadSecretFile reads a small secret, such as a private key's password,
// from path, and checks who else may read it. The file must be a regular
// file (a FIFO or a device fails at once, internal/rawfile) of at most
// MaxSecretFileBytes. Its errors are *fs.PathError values and a
// *rawfile.TooLargeError (naming the path, never the content).
func ReadSecretFile(path string) (SecretFile, error) {
	b, err := rawfile.ReadFile(path, MaxSecretFileBytes)
	if err != nil {
		return SecretFile{}, err
	}
	s := SecretFile{Unchecked: UncheckedModes(path)}
	if st, err := os.Stat(path); err == nil && s.Unchecked == "" && st.Mode().Perm()&0o077 != 0 {
		s.Exposed = true
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	s.Secret = bytes.TrimSuffix(b, []byte("\r"))
	return s, nil
}
