//go:build windows

package credentials

import (
	"fmt"
	"io/fs"
	"strconv"
	"syscall"
)

// FileIdentity changes when the file is replaced or rewritten: its size,
// modification time and, on Windows, the volume serial number and file
// index (the NTFS file ID, another one for a new file renamed over the
// old) and the creation time. The file index needs a handle: path is
// opened without read or write access (no byte is read); when that fails
// the identity has the creation time from fi alone. The format is part of
// the cache key: changing it makes every existing cache entry miss once.
func FileIdentity(path string, fi fs.FileInfo) string {
	id := strconv.FormatInt(fi.Size(), 10) + ":" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	if info, ok := fileInformation(path); ok {
		return id + fmt.Sprintf(":%d:%d:%d", info.VolumeSerialNumber, uint64(info.FileIndexHigh)<<32|uint64(info.FileIndexLow), info.CreationTime.Nanoseconds())
	}
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		id += fmt.Sprintf(":%d", d.CreationTime.Nanoseconds())
	}
	return id
}

func fileInformation(path string) (syscall.ByHandleFileInformation, bool) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return syscall.ByHandleFileInformation{}, false
	}
	// Access 0: attributes only. FILE_FLAG_BACKUP_SEMANTICS as os.Stat
	// does; sharing everything so that writers are not disturbed.
	h, err := syscall.CreateFile(p, 0, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE, nil, syscall.OPEN_EXISTING, syscall.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return syscall.ByHandleFileInformation{}, false
	}
	defer syscall.CloseHandle(h)
	var info syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &info); err != nil {
		return syscall.ByHandleFileInformation{}, false
	}
	return info, true
}
