//go:build unix && !darwin

package credentials

import "testing"

func TestDefaultDir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/acme-signing-helper", false},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache/acme-signing-helper", false},
		{map[string]string{"HOME": "/h"}, "/h/.cache/acme-signing-helper", false},
		{map[string]string{}, "", true},
	} {
		got, err := DefaultDir(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("DefaultDir(%v) = %q, %v; want %q, error %v", tc.env, got, err, tc.want, tc.err)
		}
	}
}

func TestDefaultSharedCredentialsFile(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "/c", "HOME": "/h"}, "/c", false},
		{map[string]string{"HOME": "/h"}, "/h/.aws/credentials", false},
		{map[string]string{"USERPROFILE": "/u"}, "", true},
	} {
		got, err := DefaultSharedCredentialsFile(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("DefaultSharedCredentialsFile(%v) = %q, %v; want %q, error %v", tc.env, got, err, tc.want, tc.err)
		}
	}
}
