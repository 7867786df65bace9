package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
)

const completionHelp = `
Print a shell completion script for bash, zsh or fish:

  source <(acme-signing-helper completion bash)
  acme-signing-helper completion zsh > "${fpath[1]}/_acme-signing-helper"
  acme-signing-helper completion fish > ~/.config/fish/completions/acme-signing-helper.fish

The script is generated from the command table and each command's own flag
set (what '--help' lists), so a new command or flag is completed without
more code. Flags whose value is a FILE or DIR complete file names.
`

// completionShells are the shells completion writes for.
var completionShells = []string{"bash", "zsh", "fish"}

// completionFlag is one flag of a command, as its --help lists it.
type completionFlag struct {
	name  string // without "--"
	value string // the value placeholder ("" for a boolean flag)
	usage string
}

// file reports whether the flag's value is a path.
func (f completionFlag) file() bool {
	switch f.value {
	case "FILE", "DIR":
		return true
	}
	return false
}

// completionCommand is a command, or a command's subcommand ("totp code").
type completionCommand struct {
	name, summary string
	subs          []string // subcommand names
	flags         []completionFlag
}

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
	switch fs.Arg(0) {
	case "bash":
		writeBashCompletion(&b, cmds)
	case "zsh":
		writeZshCompletion(&b, cmds)
	case "fish":
		writeFishCompletion(&b, cmds)
	default:
		return usageErrorf("pass bash, zsh or fish", "completion: unknown shell %q (want %s)", fs.Arg(0), strings.Join(completionShells, ", "))
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}

var (
	// flagLine is a line of pflag's FlagUsages: "  -x, --name VALUE   usage".
	flagLine = regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-zA-Z0-9][-a-zA-Z0-9]*)(?: (\S+))?\s{2,}(.*)$`)
	// subcommandLine is a line of a "commands:" section: "  name   ...".
	subcommandLine = regexp.MustCompile(`^  ([a-z][-a-z0-9]*)\s`)
)

// completionCommands lists every visible command of table with its flags
// and subcommands, read from what the command prints for --help (its own
// flag set: nothing is listed twice). Commands run with an empty
// environment, no input and a cancelled context: --help does no work.
func completionCommands(table []command) ([]completionCommand, error) {
	var out []completionCommand
	for _, c := range table {
		if c.hidden {
			continue
		}
		if c.name == "completion" {
			out = append(out, completionCommand{name: c.name, summary: c.summary, subs: completionShells, flags: []completionFlag{{name: "debug", usage: "log details to stderr (never secrets)"}}})
			continue
		}
		help, err := commandHelp(c, nil)
		if err != nil {
			return nil, err
		}
		flags, subs := parseHelp(help)
		out = append(out, completionCommand{name: c.name, summary: c.summary, subs: subs, flags: flags})
		for _, s := range subs {
			help, err := commandHelp(c, []string{s})
			if err != nil {
				return nil, err
			}
			flags, _ := parseHelp(help)
			out = append(out, completionCommand{name: c.name + " " + s, flags: flags})
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

// parseHelp reads the flags (the "flags:" section) and subcommands (the
// "commands:" section) of a command's --help.
func parseHelp(help string) (flags []completionFlag, subs []string) {
	section := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		switch {
		case line == "flags:" || line == "commands:":
			section = line
			continue
		case strings.TrimSpace(line) == "":
			section = ""
			continue
		}
		switch section {
		case "flags:":
			if m := flagLine.FindStringSubmatch(line); m != nil && !seen[m[1]] {
				seen[m[1]] = true
				flags = append(flags, completionFlag{name: m[1], value: m[2], usage: m[3]})
			}
		case "commands:":
			if m := subcommandLine.FindStringSubmatch(line); m != nil {
				subs = append(subs, m[1])
			}
		}
	}
	return flags, subs
}

// shellWords joins names for a shell word list.
func shellWords(names []string) string { return strings.Join(names, " ") }

func flagNames(flags []completionFlag, keep func(completionFlag) bool) []string {
	var out []string
	for _, f := range flags {
		if keep(f) {
			out = append(out, "--"+f.name)
		}
	}
	return out
}

func writeBashCompletion(w io.Writer, cmds []completionCommand) {
	var top []string
	for _, c := range cmds {
		if !strings.Contains(c.name, " ") {
			top = append(top, c.name)
		}
	}
	fmt.Fprintf(w, "# bash completion for %s (generated by '%s completion bash')\n", progName, progName)
	fmt.Fprintf(w, "_acme_signing_helper() {\n")
	fmt.Fprintf(w, "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	fmt.Fprintf(w, "    if (( COMP_CWORD == 1 )); then\n        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n        return\n    fi\n", shellWords(append(top, "help")))
	fmt.Fprintf(w, "    local key=\"${COMP_WORDS[1]}\" subs=\"\"\n    case \"$key\" in\n")
	for _, c := range cmds {
		if len(c.subs) > 0 {
			fmt.Fprintf(w, "        %s) subs=%q ;;\n", c.name, shellWords(c.subs))
		}
	}
	fmt.Fprintf(w, "    esac\n")
	fmt.Fprintf(w, "    if [[ -n $subs ]]; then\n        if (( COMP_CWORD == 2 )); then\n            COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n            return\n        fi\n        key=\"$key ${COMP_WORDS[2]}\"\n    fi\n")
	fmt.Fprintf(w, "    local flags=\"\" valueflags=\"\" fileflags=\"\"\n    case \"$key\" in\n")
	for _, c := range cmds {
		all := flagNames(c.flags, func(completionFlag) bool { return true })
		val := flagNames(c.flags, func(f completionFlag) bool { return f.value != "" })
		files := flagNames(c.flags, completionFlag.file)
		fmt.Fprintf(w, "        %q) flags=%q; valueflags=%q; fileflags=%q ;;\n", c.name, shellWords(all), " "+shellWords(val)+" ", " "+shellWords(files)+" ")
	}
	fmt.Fprintf(w, "    esac\n")
	fmt.Fprintf(w, "    if [[ $fileflags == *\" $prev \"* ]]; then\n        COMPREPLY=($(compgen -f -- \"$cur\"))\n        return\n    fi\n")
	fmt.Fprintf(w, "    if [[ $valueflags == *\" $prev \"* ]]; then\n        COMPREPLY=()\n        return\n    fi\n")
	fmt.Fprintf(w, "    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n        return\n    fi\n")
	fmt.Fprintf(w, "    COMPREPLY=($(compgen -f -- \"$cur\"))\n}\n")
	fmt.Fprintf(w, "complete -o filenames -F _acme_signing_helper %s\n", progName)
}

// zshQuote escapes s for a single-quoted _arguments spec or _describe
// entry: quotes, brackets and colons.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

func writeZshCompletion(w io.Writer, cmds []completionCommand) {
	fmt.Fprintf(w, "#compdef %s\n# zsh completion for %s (generated by '%s completion zsh')\n\n", progName, progName, progName)
	fmt.Fprintf(w, "_acme_signing_helper() {\n    local -a cmds subs\n    if (( CURRENT == 2 )); then\n        cmds=(\n")
	for _, c := range cmds {
		if !strings.Contains(c.name, " ") {
			fmt.Fprintf(w, "            '%s:%s'\n", c.name, zshQuote(c.summary))
		}
	}
	fmt.Fprintf(w, "        )\n        _describe 'command' cmds\n        return\n    fi\n")
	fmt.Fprintf(w, "    local key=${words[2]}\n    shift words\n    (( CURRENT-- ))\n    case $key in\n")
	for _, c := range cmds {
		if len(c.subs) == 0 {
			continue
		}
		fmt.Fprintf(w, "        %s)\n            if (( CURRENT == 2 )); then\n                subs=(%s)\n                _describe 'subcommand' subs\n                return\n            fi\n            key=\"$key ${words[2]}\"\n            shift words\n            (( CURRENT-- ))\n            ;;\n", c.name, shellWords(c.subs))
	}
	fmt.Fprintf(w, "    esac\n    case $key in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "        %q)\n            _arguments -S \\\n", c.name)
		for _, f := range c.flags {
			switch {
			case f.value == "":
				fmt.Fprintf(w, "                '--%s[%s]' \\\n", f.name, zshQuote(f.usage))
			case f.file():
				fmt.Fprintf(w, "                '--%s=[%s]:%s:_files' \\\n", f.name, zshQuote(f.usage), f.value)
			default:
				fmt.Fprintf(w, "                '--%s=[%s]:%s: ' \\\n", f.name, zshQuote(f.usage), f.value)
			}
		}
		fmt.Fprintf(w, "                '*:file:_files'\n            ;;\n")
	}
	fmt.Fprintf(w, "    esac\n}\n\ncompdef _acme_signing_helper %s\n", progName)
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer, cmds []completionCommand) {
	p := progName
	fmt.Fprintf(w, "# fish completion for %s (generated by '%s completion fish')\n", p, p)
	var top []string
	for _, c := range cmds {
		if !strings.Contains(c.name, " ") {
			top = append(top, c.name)
		}
	}
	fmt.Fprintf(w, "complete -c %s -f\n", p)
	for _, c := range cmds {
		if !strings.Contains(c.name, " ") {
			fmt.Fprintf(w, "complete -c %s -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", p, shellWords(top), c.name, fishQuote(c.summary))
		}
	}
	for _, c := range cmds {
		parent, sub, isSub := strings.Cut(c.name, " ")
		cond := "__fish_seen_subcommand_from " + parent
		if isSub {
			cond += "; and __fish_seen_subcommand_from " + sub
		}
		for _, s := range c.subs {
			fmt.Fprintf(w, "complete -c %s -n %s -a %s\n", p, fishQuote(cond+"; and not __fish_seen_subcommand_from "+shellWords(c.subs)), s)
		}
		for _, f := range c.flags {
			spec := fmt.Sprintf("complete -c %s -n %s -l %s", p, fishQuote(cond), f.name)
			switch {
			case f.file():
				spec += " -r -F"
			case f.value != "":
				spec += " -r"
			}
			fmt.Fprintf(w, "%s -d %s\n", spec, fishQuote(f.usage))
		}
	}
}
