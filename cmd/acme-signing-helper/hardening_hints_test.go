package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestHardeningHints: the errors issue 13 (points 1, 6, 7) added reach a
// hint naming the right fix, also wrapped; the trust policy's refusal of a
// session name never gets the profile's fix (acceptRoleSessionName).
func TestHardeningHints(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&totp.CodeLengthError{Got: 6, Want: 8}, "detect --digits N"},
		{&trustpolicy.ElementError{Statement: 1, Element: "NotPrincipal", Err: trustpolicy.ErrNotPrincipalAllow}, "instead of NotPrincipal"},
		{&trustpolicy.ElementError{Statement: 2, Element: "NotPrincipal", Err: trustpolicy.ErrTrustNotPrincipal}, "instead of NotPrincipal"},
		{&trustpolicy.ElementError{Statement: 1, Element: "Resource", Err: trustpolicy.ErrTrustResource}, "remove Resource and NotResource"},
		{&signer.APIError{Kind: signer.ErrSessionNameDenied, StatusCode: 403, Code: "AccessDeniedException"}, "sts:RoleSessionName condition"},
		{&signer.APIError{Kind: signer.ErrRoleSessionNameNotAllowed, StatusCode: 403, Code: "AccessDeniedException"}, "set acceptRoleSessionName=true"},
	} {
		for _, err := range []error{tt.err, fmt.Errorf("cmd: %w", tt.err)} {
			h := hintOf(err)
			if !strings.Contains(h, tt.want) {
				t.Errorf("hintOf(%v) = %q, want %q", err, h, tt.want)
			}
			if tt.want != "set acceptRoleSessionName=true" && strings.Contains(h, "acceptRoleSessionName") {
				t.Errorf("hintOf(%v) = %q names the profile's fix", err, h)
			}
		}
	}
}
