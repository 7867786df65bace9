package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/completion"
)

// TestCompletionFromTable: every visible command of the table is in the
// tree with the flags of its own flag set, and a command added to a table
// is completed with its flags in each shell without more code.
func TestCompletionFromTable(t *testing.T) {
	cmds, err := completionCommands(commands)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]completion.Command{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	for _, c := range commands {
		if _, ok := byName[c.name]; !ok && !c.hidden {
			t.Errorf("command %s is not completed", c.name)
		}
	}
	has := func(cmd, flag, value string) {
		t.Helper()
		i := slices.IndexFunc(byName[cmd].Flags, func(f completion.Flag) bool { return f.Name == flag })
		if i < 0 {
			t.Errorf("%s: no --%s", cmd, flag)
		} else if got := byName[cmd].Flags[i].Value; got != value {
			t.Errorf("%s --%s: value %q, want %q", cmd, flag, got, value)
		}
	}
	has("credential-process", "certificate", "FILE")
	has("credential-process", "no-verify-ssl", "")
	has("sign-string", "digest", "DIGEST")
	has("totp code", "seed-file", "FILE")
	has("trust-policy role", "trust-anchor-arn", "ARN")
	if subs := byName["totp"].Subs; !slices.Equal(subs, []string{"seed", "code", "verify", "enroll"}) {
		t.Errorf("totp subcommands: got %v", subs)
	}
	for _, c := range cmds {
		for _, f := range c.Flags {
			if f.Name == "retry-max-backoff" {
				t.Errorf("%s: hidden flag --%s is completed", c.Name, f.Name)
			}
		}
	}

	table := []command{{name: "brand-new", summary: "a new command", run: func(e *env, args []string) error {
		fs := newFlagSet(e, "brand-new", "")
		fs.String("brand-new-file", "", "a `FILE`")
		fs.Bool("brand-new-switch", false, "a switch")
		return parseFlags(e, fs, args)
	}}}
	tree, err := completionCommands(table)
	if err != nil {
		t.Fatal(err)
	}
	for shell, write := range map[string]func(*bytes.Buffer){
		"bash": func(b *bytes.Buffer) { _ = completion.Write(b, "bash", progName, tree) },
		"zsh":  func(b *bytes.Buffer) { _ = completion.Write(b, "zsh", progName, tree) },
		"fish": func(b *bytes.Buffer) { _ = completion.Write(b, "fish", progName, tree) },
	} {
		var b bytes.Buffer
		write(&b)
		for _, want := range []string{"brand-new", "brand-new-file", "brand-new-switch"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s script lacks %s", shell, want)
			}
		}
	}
}

// completionScript writes the script for shell to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := runEnv(newEnv(strings.NewReader(""), &out, &errb), []string{"completion", shell}); code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
	}
	p := filepath.Join(t.TempDir(), "completion."+shell)
	if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// needShell returns the shell's path; a missing shell fails in CI.
func needShell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// TestCompletionShells runs the scripts in the shells: bash and fish
// complete commands, subcommands and flags; zsh parses the script.
func TestCompletionShells(t *testing.T) {
	cases := []struct {
		line string // what is typed, the last word being completed
		want string // one of the completions
	}{
		{"acme-signing-helper sig", "sign-string"},
		{"acme-signing-helper sign-string --dig", "--digest"},
		{"acme-signing-helper totp c", "code"},
		{"acme-signing-helper totp code --seed", "--seed-file"},
		{"acme-signing-helper credential-process --private-key-pa", "--private-key-password-file"},
		{"acme-signing-helper completion z", "zsh"},
	}
	t.Run("bash", func(t *testing.T) {
		bash := needShell(t, "bash")
		script := completionScript(t, "bash")
		for _, c := range cases {
			words := strings.Fields(c.line)
			prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _acme_signing_helper; printf '%s\n' "${COMPREPLY[@]}"`
			out, err := exec.Command(bash, append([]string{"-c", prog, "bash", script}, words...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%q: %v\n%s", c.line, err, out)
			}
			if !slices.Contains(strings.Split(strings.TrimSpace(string(out)), "\n"), c.want) {
				t.Errorf("%q: got %q, want %s among them", c.line, out, c.want)
			}
		}
	})
	t.Run("fish", func(t *testing.T) {
		fish := needShell(t, "fish")
		script := completionScript(t, "fish")
		for _, c := range cases {
			out, err := exec.Command(fish, "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, c.line).CombinedOutput()
			if err != nil {
				t.Fatalf("%q: %v\n%s", c.line, err, out)
			}
			found := false
			for _, l := range strings.Split(string(out), "\n") {
				if w, _, _ := strings.Cut(l, "\t"); w == c.want {
					found = true
				}
			}
			if !found {
				t.Errorf("%q: got %q, want %s among them", c.line, out, c.want)
			}
		}
	})
	t.Run("zsh", func(t *testing.T) {
		zsh := needShell(t, "zsh")
		script := completionScript(t, "zsh")
		if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
			t.Fatalf("zsh -n: %v\n%s", err, out)
		}
		// Loaded by compinit, the function is defined and registered.
		prog := `autoload -U compinit && compinit -u -d "$2/zcompdump" && source "$1" && whence -w _acme_signing_helper && print -r -- ${_comps[acme-signing-helper]}`
		out, err := exec.Command(zsh, "-f", "-c", prog, "zsh", script, t.TempDir()).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "_acme_signing_helper: function") || !strings.HasSuffix(strings.TrimSpace(string(out)), "_acme_signing_helper") {
			t.Errorf("zsh: %v\n%s", err, out)
		}
	})
}
