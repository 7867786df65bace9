package credentials

import (
	"bytes"
	"os"
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

// ReadSecretFile reads a small secret, such as a private key's password,
// from path, and checks who else may read it. Its errors are os.ReadFile's
// (naming the path, never the content).
func ReadSecretFile(path string) (SecretFile, error) {
	b, err := os.ReadFile(path)
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
