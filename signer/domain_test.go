package signer

import (
	"errors"
	"testing"
)

func TestCheckDomain(t *testing.T) {
	for _, d := range []string{"host.example.com", "*.example.com", "example"} {
		if err := CheckDomain(d); err != nil {
			t.Errorf("CheckDomain(%q) = %v", d, err)
		}
	}
	for _, d := range []string{"../x", `a\b`, "a/b", ".", ".."} {
		var de *DomainError
		if err := CheckDomain(d); !errors.As(err, &de) || de.Domain != d {
			t.Errorf("CheckDomain(%q) = %v, want a *DomainError", d, err)
		}
		if _, err := LocateCertificate(t.TempDir(), d); !errors.As(err, new(*DomainError)) {
			t.Errorf("LocateCertificate(%q): got %v, want a *DomainError", d, err)
		}
	}
}
