//go:build windows

package credentials

import (
	"fmt"
	"io/fs"
	"syscall"
)

// platformFileIdentity is ":VOLUME:INDEX:CREATED" from a handle opened
// without read or write access (no byte is read), or ":CREATED" from fi
// alone when path cannot be opened.
func platformFileIdentity(path string, fi fs.FileInfo) string {
	if info, ok := fileInformation(path); ok {
		return fmt.Sprintf(":%d:%d:%d", info.VolumeSerialNumber, uint64(info.FileIndexHigh)<<32|uint64(info.FileIndexLow), info.CreationTime.Nanoseconds())
	}
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return fmt.Sprintf(":%d", d.CreationTime.Nanoseconds())
	}
	return ""
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
