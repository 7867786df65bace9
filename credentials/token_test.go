package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReadOrCreateToken(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state", "ecs-token")
	tok, err := ReadOrCreateToken(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 64 {
		t.Errorf("token %d characters, want 64", len(tok))
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != tok {
		t.Fatalf("file holds %q (%v), want the token without a newline", b, err)
	}
	if FileModesChecked {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("token file mode %04o, want 0600", st.Mode().Perm())
		}
		if st, _ := os.Stat(filepath.Dir(p)); st.Mode().Perm() != 0o700 {
			t.Errorf("token dir mode %04o, want 0700", st.Mode().Perm())
		}
	}
	if again, err := ReadOrCreateToken(p); err != nil || again != tok {
		t.Errorf("second read = %q, %v; want the same token", again, err)
	}
	// One line with an editor's newline is read back without it.
	if err := os.WriteFile(p, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadOrCreateToken(p); err != nil || got != "abc" {
		t.Errorf("got %q, %v; want abc", got, err)
	}
	for name, content := range map[string]string{"empty": "\n", "two lines": "a\nb\n"} {
		os.WriteFile(p, []byte(content), 0o600)
		_, err := ReadOrCreateToken(p)
		var te *TokenFileError
		if !errors.As(err, &te) || te.Err != ErrTokenFormat || te.Path != p || te.Op != TokenRead {
			t.Errorf("%s: got %v, want a TokenFileError with ErrTokenFormat", name, err)
		}
	}
	if FileModesChecked {
		os.WriteFile(p, []byte("abc"), 0o604)
		os.Chmod(p, 0o604)
		_, err := ReadOrCreateToken(p)
		if !errors.Is(err, ErrTokenExposed) {
			t.Errorf("world-readable token file: got %v, want ErrTokenExposed", err)
		}
	}
}

func TestReadSecretFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(p, []byte("s3cret\r\n"), 0o600)
	f, err := ReadSecretFile(p)
	if err != nil || string(f.Secret) != "s3cret" || f.Exposed {
		t.Fatalf("got %q exposed %v, %v; want s3cret, not exposed", f.Secret, f.Exposed, err)
	}
	if FileModesChecked != (f.Unchecked == "") {
		t.Errorf("Unchecked = %q with FileModesChecked %v", f.Unchecked, FileModesChecked)
	}
	if FileModesChecked {
		os.Chmod(p, 0o640)
		if f, _ := ReadSecretFile(p); !f.Exposed {
			t.Error("a group-readable file is not Exposed")
		}
	}
	if _, err := ReadSecretFile(p + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}
