//go:build windows

package doctor

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPermissionsCheck: on Windows the mode is not checked, and the check
// says so instead of passing.
func TestPermissionsCheck(t *testing.T) {
	c := permissionsCheck(filepath.Join(t.TempDir(), "key.pem"))
	if c.Status != Warn || !strings.Contains(c.Detail, "not checked on Windows") || c.Fix == "" {
		t.Errorf("%+v, want WARN saying it is not checked on Windows", c)
	}
}
