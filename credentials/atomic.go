package credentials

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

// tempPrefix is how the temp files writeAtomic makes next to path begin.
func tempPrefix(path string) string { return atomicfile.TempPrefix(path) }

// writeAtomic replaces path with data in a 0600 file (see atomicfile.Write):
// readers see the old file or the new one, never a part. beforeRename,
// when set, runs between the write and the rename (a test hook that kills
// the process there).
func writeAtomic(path string, data []byte, beforeRename func()) error {
	return atomicfile.Write(path, data, 0o600, beforeRename)
}

// removeStaleTemps deletes temp files a killed writer left next to path.
// Call it only while holding the lock that writers of path take.
func removeStaleTemps(path string) {
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	p := tempPrefix(path)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), p) && e.Type().IsRegular() {
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}
