package credentials

import "testing"

func TestValidProfileName(t *testing.T) {
	for name, want := range map[string]bool{"default": true, "ra-prod_1.x@y+z": true, "": false, "a b": false, "[x]": false, "p]": false} {
		if got := ValidProfileName(name); got != want {
			t.Errorf("ValidProfileName(%q): got %v, want %v", name, got, want)
		}
	}
}
