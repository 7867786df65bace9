package sessionname

import (
	"regexp"
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"123456", true},
		{"ab", true},
		{"a", false},
		{"", false},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"host_1+a=b,c.d@e-f", true},
		{"with space", false},
		{"tab\there", false},
		{"ümlaut", false},
		{"a/b", false},
		{"a:b", false},
	} {
		if got := Valid(tc.name); got != tc.want {
			t.Errorf("Valid(%q): got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzValid checks the loop against the service's pattern as a regexp.
func FuzzValid(f *testing.F) {
	re := regexp.MustCompile(`^` + Pattern + `$`)
	for _, s := range []string{"123456", "a", "x y", "ümlaut", strings.Repeat("z", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Valid(s), re.MatchString(s); got != want {
			t.Errorf("Valid(%q): got %v, the pattern says %v", s, got, want)
		}
	})
}
