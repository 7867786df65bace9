package completion

import (
	"regexp"
	"strings"
	"sync"
)

// The line patterns are compiled on first use, not at package init:
// every start of the program links this package, and only completion and
// the help tests read --help text.
var (
	// FlagLine matches a line of pflag's FlagUsages,
	// "  -x, --name VALUE   usage": the name, the placeholder and the usage.
	FlagLine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-zA-Z0-9][-a-zA-Z0-9]*)(?: (\S+))?\s{2,}(.*)$`)
	})
	// SectionLine heads a section of --help: "flags:", "request:".
	SectionLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][-a-z0-9]*:$`) })
	// subcommandLine is a line of a "commands:" section: "  name   ...".
	subcommandLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^  ([a-z][-a-z0-9]*)\s`) })
)

// ParseHelp reads the flags (the flag sections: "flags:" and the groups
// such as "certificate:" or "other:") and the subcommands (the "commands:"
// section) of what a command prints for --help. A flag listed in two
// sections is returned once.
func ParseHelp(help string) (flags []Flag, subs []string) {
	section := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		switch {
		case line == "commands:":
			section = line
			continue
		case SectionLine().MatchString(line):
			section = "flags:" // a flag group: "certificate:", "other:"
			continue
		case strings.TrimSpace(line) == "":
			section = ""
			continue
		}
		switch section {
		case "flags:":
			if m := FlagLine().FindStringSubmatch(line); m != nil && !seen[m[1]] {
				seen[m[1]] = true
				flags = append(flags, Flag{Name: m[1], Value: m[2], Usage: m[3]})
			}
		case "commands:":
			if m := subcommandLine().FindStringSubmatch(line); m != nil {
				subs = append(subs, m[1])
			}
		}
	}
	return flags, subs
}

// Source is a command as FromHelp reads it.
type Source struct {
	Name, Summary string
	// Help returns what the command prints for "args... --help" (args
	// empty: the command itself; one name: a subcommand). Nil for the
	// completion command itself, which FromHelp describes without asking
	// it (its subcommands are the Shells).
	Help func(args []string) (string, error)
}

// FromHelp lists every command of srcs with its flags and subcommands, and
// every subcommand with its flags, read from what each prints for --help:
// the flags are declared once, in the command's own flag set, and a new
// command or flag is completed without more code.
func FromHelp(srcs []Source) ([]Command, error) {
	var out []Command
	for _, s := range srcs {
		if s.Help == nil {
			out = append(out, Command{Name: s.Name, Summary: s.Summary, Subs: Shells, Flags: []Flag{{Name: "debug", Usage: "log details to stderr (never secrets)"}}})
			continue
		}
		help, err := s.Help(nil)
		if err != nil {
			return nil, err
		}
		flags, subs := ParseHelp(help)
		out = append(out, Command{Name: s.Name, Summary: s.Summary, Subs: subs, Flags: flags})
		for _, sub := range subs {
			help, err := s.Help([]string{sub})
			if err != nil {
				return nil, err
			}
			flags, _ := ParseHelp(help)
			out = append(out, Command{Name: s.Name + " " + sub, Flags: flags})
		}
	}
	return out, nil
}
