package credentials

import (
	"path/filepath"
	"strings"
)

// What a NoDefaultPathError is about.
const (
	WhatCacheDir        = "cache directory"
	WhatCredentialsFile = "credentials file"
)

// NoDefaultPathError is returned by DefaultDir and
// DefaultSharedCredentialsFile when the environment names no directory to
// put the file in (a service without a home, for example).
type NoDefaultPathError struct {
	// What is WhatCacheDir or WhatCredentialsFile.
	What string
	// Vars are the environment variables looked at, none of them set.
	Vars []string
}

func (e *NoDefaultPathError) Error() string {
	switch len(e.Vars) {
	case 0:
		return "no " + e.What
	case 1:
		return "no " + e.What + ": " + e.Vars[0] + " is not set"
	case 2:
		return "no " + e.What + ": neither " + e.Vars[0] + " nor " + e.Vars[1] + " is set"
	}
	return "no " + e.What + ": none of " + strings.Join(e.Vars, ", ") + " is set"
}

// DefaultDir is the cache directory, where os.UserCacheDir puts it, plus
// "acme-signing-helper": $XDG_CACHE_HOME (when absolute) or
// $HOME/.cache on Unix, $HOME/Library/Caches on macOS, %LocalAppData% on
// Windows. lookupEnv is os.LookupEnv in the binary.
func DefaultDir(lookupEnv func(string) (string, bool)) (string, error) {
	d, err := userCacheDir(lookupEnv)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "acme-signing-helper"), nil
}

// DefaultDirDescription says where DefaultDir looks, for a flag's help.
const DefaultDirDescription = defaultDirDescription

// DefaultSharedCredentialsFile is $AWS_SHARED_CREDENTIALS_FILE, else
// .aws/credentials in the home directory ($HOME, on Windows
// %USERPROFILE%, as os.UserHomeDir), as the AWS CLI and SDKs look it up.
func DefaultSharedCredentialsFile(lookupEnv func(string) (string, bool)) (string, error) {
	if p, ok := lookupEnv("AWS_SHARED_CREDENTIALS_FILE"); ok && p != "" {
		return p, nil
	}
	if h, ok := lookupEnv(homeEnv); ok && h != "" {
		return filepath.Join(h, ".aws", "credentials"), nil
	}
	return "", &NoDefaultPathError{What: WhatCredentialsFile, Vars: []string{"AWS_SHARED_CREDENTIALS_FILE", homeEnv}}
}

func getenv(lookupEnv func(string) (string, bool), k string) string {
	v, _ := lookupEnv(k)
	return v
}
