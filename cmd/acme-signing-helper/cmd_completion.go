package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

// completionCommands lists every visible command of table with its flags
// and subcommands, read from what the command prints for --help
// (completion.FromHelp).
func completionCommands(table []command) ([]completion.Command, error) {
	var srcs []completion.Source
	for _, c := range table {
		if c.hidden {
			continue
		}
		s := completion.Source{Name: c.name, Summary: c.summary}
		if c.name != "completion" {
			s.Help = func(args []string) (string, error) { return commandHelp(c, args) }
		}
		srcs = append(srcs, s)
	}
	return completion.FromHelp(srcs)
}

// commandHelp is what c prints on stdout for "args... --help". Commands
// run with an empty environment, no input and a cancelled context: --help
// does no work.
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
