//go:build !windows

package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPermissionsCheck(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		mode   os.FileMode
		status Status
		detail string
	}{
		{0o600, Pass, "mode 0600"},
		{0o640, Pass, "readable by its group only"},
		{0o604, Fail, "accessible by every user"},
	} {
		p := filepath.Join(dir, "key.pem")
		if err := os.WriteFile(p, []byte("k"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tt.mode); err != nil {
			t.Fatal(err)
		}
		c := permissionsCheck(p)
		if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) || (tt.status == Fail) != (c.Fix != "") {
			t.Errorf("mode %04o: %+v, want %s %q", tt.mode, c, tt.status, tt.detail)
		}
	}
	if c := permissionsCheck(""); c.Status != Skip {
		t.Errorf("no path: %+v", c)
	}
}
