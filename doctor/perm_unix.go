//go:build !windows

package doctor

import (
	"fmt"
	"os"
)

// permissionsCheck looks at the key file's mode: world-accessible fails,
// group-readable is the seed's scheme (the helper's group reads it).
func permissionsCheck(path string) Check {
	const name = "permissions"
	if path == "" {
		return Check{Name: name, Status: Skip, Detail: "key file not located"}
	}
	st, err := os.Stat(path)
	if err != nil {
		return Check{Name: name, Status: Skip, Detail: fmt.Sprintf("stat %q: %v", path, err)}
	}
	perm := st.Mode().Perm()
	switch {
	case perm&0o007 != 0:
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("private key %q is accessible by every user (mode %04o)", path, perm),
			Fix: fmt.Sprintf("chmod o-rwx %s (and keep it readable only by the ACME client's user and the helper's group)", path)}
	case perm&0o070 != 0:
		return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("private key %q mode %04o: readable by its group only (keep that group to the helper)", path, perm)}
	}
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("private key %q mode %04o", path, perm)}
}
