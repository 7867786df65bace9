package demo

import (
	"bytes"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// Moved here with the code from cmd/acme-signing-helper/cmd_demo_test.go.

func TestOptionsTOTP(t *testing.T) {
	for _, tc := range []struct {
		fingerprints []string
		noTOTP       bool
		name         string
		want         bool
	}{
		{want: true},
		{noTOTP: true, want: false},
		{name: "123456", want: false},
		{fingerprints: []string{"hostname"}, want: true},
	} {
		o := Options{Fingerprints: tc.fingerprints, NoTOTP: tc.noTOTP, RoleSessionName: tc.name}
		if got := o.TOTP(); got != tc.want {
			t.Errorf("fingerprints %v, no-totp %v, name %q: got %v, want %v", tc.fingerprints, tc.noTOTP, tc.name, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ name, parent, other string }{
		{"host.example.com", "example.com", "evil.example.com"},
		{"example.com", "example.com", "evil.example.com"},
		{"evil.example.com", "example.com", "impostor.example.com"},
		{"a.b.example.org", "b.example.org", "evil.b.example.org"},
		{"*.example.com", "example.com", "evil.example.com"},
		{"localhost", "localhost", "evil.localhost"},
	} {
		if got := parentDomain(tc.name); got != tc.parent {
			t.Errorf("parentDomain(%q): got %q, want %q", tc.name, got, tc.parent)
		}
		if got := otherName(tc.name); got != tc.other {
			t.Errorf("otherName(%q): got %q, want %q", tc.name, got, tc.other)
		}
	}
}

func TestCodesCollide(t *testing.T) {
	now := time.Unix(1795290582, 0)
	a, b := totp.Key(bytes.Repeat([]byte{1}, 20)), totp.Key(bytes.Repeat([]byte{2}, 20))
	if !codesCollide(a, a, now) {
		t.Error("a key collides with itself")
	}
	// b's codes of the two steps against a's accepted codes, computed here.
	s := totp.Step(now)
	accepted := map[string]bool{}
	for step := s - 2; step <= s+1; step++ {
		c, _ := totp.CodeAtStep(a, step, totp.Options{})
		accepted[c] = true
	}
	want := false
	for step := s; step <= s+1; step++ {
		c, _ := totp.CodeAtStep(b, step, totp.Options{})
		want = want || accepted[c]
	}
	if got := codesCollide(b, a, now); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
