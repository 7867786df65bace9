package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/completion"
)

// TestHelpShape runs --help of every command of the command table and of
// every subcommand and checks its shape: one usage line, first; a short
// description (1 to 6 lines) right after it; no section twice; every flag
// value with a placeholder of its own (never pflag's type names); the
// unsupported PKCS#11/TPM flags in one line; nothing ending in a dangling
// "plus:".
func TestHelpShape(t *testing.T) {
	typeNames := regexp.MustCompile(`^(string|int|uint|int64|uint64|float64|duration|strings|stringArray|ints|bool)$`)
	check := func(name, help string) {
		t.Helper()
		lines := strings.Split(strings.TrimRight(help, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "usage: "+progName+" "+name) {
			t.Errorf("%s: first line %q is not its usage line", name, lines[0])
		}
		if n := strings.Count(help, "usage: "); n != 1 {
			t.Errorf("%s: %d usage lines, want 1", name, n)
		}
		// The description: the paragraph after the usage line.
		var desc []string
		if len(lines) > 2 && lines[1] == "" {
			for _, l := range lines[2:] {
				if l == "" {
					break
				}
				desc = append(desc, l)
			}
		}
		if len(desc) == 0 || completion.SectionLine().MatchString(desc[0]) || len(desc) > 6 {
			t.Errorf("%s: description %q: want 1 to 6 lines of prose after the usage line", name, desc)
		}
		seen := map[string]bool{}
		for _, l := range lines {
			if completion.SectionLine().MatchString(l) {
				if seen[l] {
					t.Errorf("%s: section %q twice", name, l)
				}
				seen[l] = true
			}
			if m := completion.FlagLine().FindStringSubmatch(l); m != nil && typeNames.MatchString(m[2]) {
				t.Errorf("%s: --%s has the bare placeholder %q", name, m[1], m[2])
			}
			if strings.Contains(l, "--pkcs11-lib") && !strings.HasPrefix(l, "not supported") {
				t.Errorf("%s: unsupported flags not in the one line: %q", name, l)
			}
		}
		if last := lines[len(lines)-1]; strings.HasSuffix(last, "plus:") {
			t.Errorf("%s: ends with %q and nothing after it", name, last)
		}
		if strings.Count(help, "not supported") > 1 {
			t.Errorf("%s: the unsupported flags take more than one line", name)
		}
	}
	var lister commandLister = tableOfCommands{}
	for _, c := range lister.commandTable() {
		help, err := commandHelp(c, nil)
		if err != nil {
			t.Errorf("%s --help: %v", c.name, err)
			continue
		}
		check(c.name, help)
		_, subs := completion.ParseHelp(help)
		for _, s := range subs {
			h, err := commandHelp(c, []string{s})
			if err != nil {
				t.Errorf("%s %s --help: %v", c.name, s, err)
				continue
			}
			check(c.name+" "+s, h)
		}
	}
}
