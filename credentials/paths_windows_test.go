//go:build windows

package credentials

import "testing"

func TestDefaultPathsWindows(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if got, err := DefaultDir(env(map[string]string{"LocalAppData": `C:\Users\u\AppData\Local`, "HOME": `C:\h`})); err != nil || got != `C:\Users\u\AppData\Local\acme-signing-helper` {
		t.Errorf("DefaultDir = %q, %v", got, err)
	}
	if got, err := DefaultSharedCredentialsFile(env(map[string]string{"USERPROFILE": `C:\Users\u`, "HOME": `C:\h`})); err != nil || got != `C:\Users\u\.aws\credentials` {
		t.Errorf("DefaultSharedCredentialsFile = %q, %v", got, err)
	}
	if _, err := DefaultDir(env(nil)); err == nil {
		t.Error("DefaultDir without LocalAppData: no error")
	}
}
