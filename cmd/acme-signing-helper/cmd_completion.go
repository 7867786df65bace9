package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/completion"
)

const completionHelp = `[flags] bash|zsh|fish

Print a shell completion script, generated from the commands and their
flags, e.g. source <(acme-signing-helper completion bash).
`

// commandLister gives the command table. completion is in that table
// itself, so runCompletion reaches it through an interface method: a
// direct reference would be an initialization cycle.
type commandLister interface{ commandTable() []command }

type tableOfCommands struct{}

func (tableOfCommands) commandTable() []command { return commands }

func runCompletion(e *env, args []string) error {
	fs := newFlagSet(e, "completion", completionHelp)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("pass one shell: completion bash, completion zsh or completion fish", "completion: want one argument, the shell")
	}
	var lister commandLister = tableOfCommands{}
	cmds, err := completionCommands(lister.commandTable())
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := completion.Write(&b, fs.Arg(0), progName, cmds); err != nil {
		return usageErrorf("pass bash, zsh or fish", "completion: %w", err)
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}

var (
	// flagLine is a line of pflag's FlagUsages: "  -x, --name VALUE   usage".
	flagLine = regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-zA-Z0-9][-a-zA-Z0-9]*)(?: (\S+))?\s{2,}(.*)$`)
	// subcommandLine is a line of a "commands:" section: "  name   ...".
	subcommandLine = regexp.MustCompile(`^  ([a-z][-a-z0-9]*)\s`)
	// sectionLine heads a section of --help: "flags:", "request:".
	sectionLine = regexp.MustCompile(`^[a-z][-a-z0-9]*:$`)
)

// completionCommands lists every visible command of table with its flags
// and subcommands, read from what the command prints for --help (its own
// flag set: nothing is listed twice). Commands run with an empty
// environment, no input and a cancelled context: --help does no work.
func completionCommands(table []command) ([]completion.Command, error) {
	var out []completion.Command
	for _, c := range table {
		if c.hidden {
			continue
		}
		if c.name == "completion" {
			out = append(out, completion.Command{Name: c.name, Summary: c.summary, Subs: completion.Shells, Flags: []completion.Flag{{Name: "debug", Usage: "log details to stderr (never secrets)"}}})
			continue
		}
		help, err := commandHelp(c, nil)
		if err != nil {
			return nil, err
		}
		flags, subs := parseHelp(help)
		out = append(out, completion.Command{Name: c.name, Summary: c.summary, Subs: subs, Flags: flags})
		for _, s := range subs {
			help, err := commandHelp(c, []string{s})
			if err != nil {
				return nil, err
			}
			flags, _ := parseHelp(help)
			out = append(out, completion.Command{Name: c.name + " " + s, Flags: flags})
		}
	}
	return out, nil
}

// commandHelp is what c prints on stdout for "args... --help".
func commandHelp(c command, args []string) (string, error) {
	var stdout bytes.Buffer
	e := newEnv(strings.NewReader(""), &stdout, io.Discard)
	e.lookupEnv = func(string) (string, bool) { return "", false }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.ctx = ctx
	if code := report(e, c.run(e, append(args, "--help"))); code != 0 {
		return "", fmt.Errorf("completion: %s --help: exit status %d", strings.TrimSpace(c.name+" "+strings.Join(args, " ")), code)
	}
	return stdout.String(), nil
}

// parseHelp reads the flags (the flag sections) and subcommands (the
// "commands:" section) of a command's --help.
func parseHelp(help string) (flags []completion.Flag, subs []string) {
	section := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		switch {
		case line == "commands:":
			section = line
			continue
		case sectionLine.MatchString(line):
			section = "flags:" // a flag group: "certificate:", "other:"
			continue
		case strings.TrimSpace(line) == "":
			section = ""
			continue
		}
		switch section {
		case "flags:":
			if m := flagLine.FindStringSubmatch(line); m != nil && !seen[m[1]] {
				seen[m[1]] = true
				flags = append(flags, completion.Flag{Name: m[1], Value: m[2], Usage: m[3]})
			}
		case "commands:":
			if m := subcommandLine.FindStringSubmatch(line); m != nil {
				subs = append(subs, m[1])
			}
		}
	}
	return flags, subs
}
