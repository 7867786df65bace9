//go:build windows

package doctor

import "fmt"

// permissionsCheck says that the key file's permissions are not checked:
// on Windows a file's mode bits do not say who can read it (an ACL does),
// so a PASS would mean nothing.
func permissionsCheck(path string) Check {
	const name = "permissions"
	if path == "" {
		return Check{Name: name, Status: Skip, Detail: "key file not located"}
	}
	return Check{Name: name, Status: Warn, Detail: fmt.Sprintf("private key %q: not checked on Windows (file modes do not say who can read a file)", path),
		Fix: fmt.Sprintf("check who can read it: icacls %q (only the ACME client's user and the helper's user)", path)}
}
