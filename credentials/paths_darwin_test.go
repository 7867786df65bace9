//go:build darwin

package credentials

import "testing"

func TestDefaultDirDarwin(t *testing.T) {
	env := map[string]string{"HOME": "/Users/u", "XDG_CACHE_HOME": "/x"}
	if got, err := DefaultDir(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil || got != "/Users/u/Library/Caches/acme-signing-helper" {
		t.Errorf("DefaultDir = %q, %v", got, err)
	}
}
