package hints

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

// TestPermissionsErrorsHaveHints: every exported error of permissions,
// as the package returns it, gets a hint; a new one fails here until it
// has an entry and a hint.
func TestPermissionsErrorsHaveHints(t *testing.T) {
	var window permissions.Filter
	cases := map[string][]error{
		"permissions.ErrNoActions":         {permissions.ErrNoActions},
		"permissions.ErrBadRoleARN":        {fmt.Errorf("x: %w", permissions.ErrBadRoleARN)},
		"permissions.RoleARNError":         {&permissions.RoleARNError{ARN: "x", Err: permissions.ErrBadRoleARN}},
		"permissions.ErrUnknownService":    {permissions.ErrUnknownService},
		"permissions.ErrUnknownAction":     {permissions.ErrUnknownAction},
		"permissions.MappingError":         {&permissions.MappingError{Service: "x", Operation: "y", Err: permissions.ErrUnknownAction}},
		"permissions.ErrNotLoopback":       {permissions.ErrNotLoopback},
		"permissions.ErrMalformedDatagram": {permissions.ErrMalformedDatagram},
		"permissions.CommandError":         {&permissions.CommandError{Name: "aws", Err: errors.New("executable file not found in $PATH")}},
		"permissions.ProcessLineError":     {&permissions.ProcessLineError{Err: errors.New("line break")}},
		// The cause, totp.ParseTime's error, carries the hint.
		"permissions.WindowError": {window.ParseWindow("yesterday", ""), window.ParseWindow("", "2026-13-01")},
	}
	maps.Copy(cases, settingErrors()) // detect_cli_test.go
	names := exportedErrors(t, filepath.Join("..", "..", "permissions"), "permissions")
	if len(names) < 8 {
		t.Fatalf("found only %v", names)
	}
	for _, n := range names {
		errs, ok := cases[n]
		if !ok {
			t.Errorf("%s has no entry here: give it a hint in permissionsHint and add it", n)
			continue
		}
		for _, err := range errs {
			if err == nil || For(err) == "" || For(fmt.Errorf("cmd: %w", err)) == "" {
				t.Errorf("%s: %v has no hint", n, err)
			}
		}
	}
}
