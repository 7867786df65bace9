//go:build darwin

package credentials

import "path/filepath"

// homeEnv holds the home directory (os.UserHomeDir).
const homeEnv = "HOME"

const defaultDirDescription = "~/Library/Caches/acme-signing-helper"

// userCacheDir is os.UserCacheDir with an injected environment.
func userCacheDir(lookupEnv func(string) (string, bool)) (string, error) {
	if h := getenv(lookupEnv, "HOME"); h != "" {
		return filepath.Join(h, "Library", "Caches"), nil
	}
	return "", &NoDefaultPathError{What: WhatCacheDir, Vars: []string{"HOME"}}
}
