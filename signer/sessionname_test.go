package signer

import (
	"regexp"
	"strings"
	"testing"
)

// apiSessionNameRE is the API's roleSessionName pattern; validSessionName
// must agree with it on every input.
var apiSessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func TestValidSessionName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"", false},
		{"a", false},
		{"ab", true},
		{"123456", true},
		{"host-1.example_com+x=y,z@w", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"with space", false},
		{"slash/no", false},
		{"colon:no", false},
		{"new\nline", false},
		{"trailing\n", false},
		{"tab\t", false},
		{"é-accent", false},
		{"日本", false},
		{"star*", false},
		{"\x00\x00", false},
	}
	for _, tt := range tests {
		if got := validSessionName(tt.name); got != tt.want {
			t.Errorf("validSessionName(%q) = %v, want %v", tt.name, got, tt.want)
		}
		if re := apiSessionNameRE.MatchString(tt.name); re != tt.want {
			t.Errorf("the API pattern says %v for %q, the table %v: fix the table", re, tt.name, tt.want)
		}
	}
	// Every single byte in the middle of a valid name.
	for b := 0; b < 256; b++ {
		s := "a" + string([]byte{byte(b)}) + "b"
		if got, want := validSessionName(s), apiSessionNameRE.MatchString(s); got != want {
			t.Errorf("validSessionName(%q) = %v, want %v (the API pattern)", s, got, want)
		}
	}
}

func FuzzValidSessionName(f *testing.F) {
	for _, s := range []string{"", "ab", "host.example.com", strings.Repeat("x", 64), strings.Repeat("x", 65), "a b", "é1", "a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validSessionName(s), apiSessionNameRE.MatchString(s); got != want {
			t.Errorf("validSessionName(%q) = %v, want %v (the API pattern)", s, got, want)
		}
	})
}
