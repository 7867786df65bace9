//go:build !windows

package signer

// keyFileModeChecked says whether a key file's mode bits tell who can read
// it: they do on Unix.
const keyFileModeChecked = true
