package envfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "# comment\n; also\n\nexport A=1\nB = \"two\\tx\" \nC='it''s'\nD=\"unterminated\nE=\n"
	got, err := Parse(strings.NewReader(in), "f.env")
	if err != nil {
		t.Fatal(err)
	}
	want := []Setting{{"A", "1", 4}, {"B", "two\tx", 5}, {"C", "it''s", 6}, {"D", "\"unterminated", 7}, {"E", "", 8}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{"novalue\n", "=x\n", "A B=1\n"} {
		_, err := Parse(strings.NewReader("OK=1\n"+bad), "f.env")
		var le *LineError
		if !errors.As(err, &le) || le.Line != 2 || !errors.Is(err, ErrSyntax) || strings.Contains(err.Error(), strings.TrimSpace(bad)) {
			t.Errorf("%q: got %v, want a LineError for line 2 that does not quote the line", bad, err)
		}
	}
}

// FuzzParse: Parse never panics, and every setting has a key without
// blanks or '=' and a line number within the input.
func FuzzParse(f *testing.F) {
	f.Add("A=1\n# c\nexport B='x'\nC=\"a\\\"b\"\n")
	f.Add("=\n\"\n'\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		lines := strings.Count(in, "\n") + 1
		for _, s := range got {
			if s.Key == "" || strings.ContainsAny(s.Key, " \t=") || s.Line < 1 || s.Line > lines {
				t.Errorf("bad setting %+v from %q", s, in)
			}
		}
	})
}
