package credentials

import (
	"io/fs"
	"strconv"
)

// FileIdentity changes when the file is replaced or rewritten: its size
// and modification time, plus what the platform knows about the file
// itself (fileid_unix.go: device, inode and change time; fileid_windows.go:
// volume serial number, file index and creation time), so that a new file
// renamed over the old one, with the same size and times, is told apart.
// fi must be path's os.Stat result; path is not read (on Windows it is
// opened without read access for the file index). The format is part of
// the cache key: changing it makes every existing cache entry miss once.
func FileIdentity(path string, fi fs.FileInfo) string {
	return strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + platformFileIdentity(path, fi)
}
