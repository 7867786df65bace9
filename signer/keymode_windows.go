//go:build windows

package signer

// keyFileModeChecked says whether a key file's mode bits tell who can read
// it: on Windows they do not (access is an ACL; Go reports 0666 or 0444),
// so Load reports CheckPermissions as OutcomeUnsupported.
const keyFileModeChecked = false
