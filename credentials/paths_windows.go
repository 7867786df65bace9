//go:build windows

package credentials

// homeEnv holds the home directory (os.UserHomeDir).
const homeEnv = "USERPROFILE"

const defaultDirDescription = `%LocalAppData%\acme-signing-helper`

// userCacheDir is os.UserCacheDir with an injected environment.
func userCacheDir(lookupEnv func(string) (string, bool)) (string, error) {
	if d := getenv(lookupEnv, "LocalAppData"); d != "" {
		return d, nil
	}
	return "", &NoDefaultPathError{What: WhatCacheDir, Vars: []string{"LocalAppData"}}
}
