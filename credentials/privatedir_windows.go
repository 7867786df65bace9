//go:build windows

package credentials

import "io/fs"

// FileModesChecked reports whether CheckPrivateDir and the other
// permission checks of this package look at owners and mode bits. False
// on Windows: access is decided by ACLs, which this package does not
// read, and Go reports every writable file as mode 0666 (directories
// 0777). Callers say so (UncheckedModes) instead of passing silently; a
// directory under %LocalAppData% is private to its user by its ACL.
const FileModesChecked = false

// checkOwnerAndMode checks nothing on Windows (see FileModesChecked).
func checkOwnerAndMode(string, fs.FileInfo) error { return nil }

// checkEntryOwnerAndMode checks nothing on Windows (see
// FileModesChecked): an entry is used when it is a regular file, not a
// link; its owner and ACL are not checked.
func checkEntryOwnerAndMode(fs.FileInfo) error { return nil }

// checkParents checks nothing on Windows (see FileModesChecked).
func checkParents(string) error { return nil }
