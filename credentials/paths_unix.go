//go:build unix && !darwin

package credentials

import "path/filepath"

// homeEnv holds the home directory (os.UserHomeDir).
const homeEnv = "HOME"

const defaultDirDescription = "$XDG_CACHE_HOME/acme-signing-helper or ~/.cache/acme-signing-helper"

// userCacheDir is os.UserCacheDir with an injected environment.
func userCacheDir(lookupEnv func(string) (string, bool)) (string, error) {
	if d := getenv(lookupEnv, "XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if h := getenv(lookupEnv, "HOME"); h != "" {
		return filepath.Join(h, ".cache"), nil
	}
	return "", &NoDefaultPathError{What: WhatCacheDir, Vars: []string{"XDG_CACHE_HOME", "HOME"}}
}
