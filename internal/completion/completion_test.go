package completion

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var testCommands = []Command{
	{Name: "run", Summary: "it's [a] test: with quotes", Flags: []Flag{
		{Name: "config", Value: "FILE", Usage: "read `FILE` ('quoted')"},
		{Name: "debug", Usage: "log [more]"},
		{Name: "count", Value: "N", Usage: "how many"},
	}},
	{Name: "totp", Summary: "codes", Subs: []string{"code", "seed"}},
	{Name: "totp code", Flags: []Flag{{Name: "at", Value: "TIME", Usage: "time"}}},
}

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		shell string
		want  []string
	}{
		{"bash", []string{`"run") flags="--config --debug --count"; valueflags=" --config --count "; fileflags=" --config "`, `totp) subs="code seed"`, "complete -o filenames -F _acme_signing_helper prog"}},
		{"zsh", []string{`'run:it'\''s \[a\] test\: with quotes'`, `'--config=[read ` + "`FILE`" + ` ('\''quoted'\'')]:FILE:_files'`, `'--debug[log \[more\]]'`, `'--count=[how many]:N: '`}},
		{"fish", []string{`-a run -d 'it\'s [a] test: with quotes'`, `-l config -r -F -d`, `-l count -r -d 'how many'`, `-a code`}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.shell, "prog", testCommands); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("script lacks %s\n%s", w, b.String())
				}
			}
		})
	}
}

func TestWriteUnknownShell(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, "tcsh", "prog", testCommands)
	var ue *UnknownShellError
	if !errors.As(err, &ue) || ue.Shell != "tcsh" || b.Len() != 0 {
		t.Fatalf("got %v and %q, want an *UnknownShellError for tcsh and nothing written", err, b.String())
	}
}
