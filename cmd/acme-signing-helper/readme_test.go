package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The README is short, its links lead somewhere, and every command and
// flag it (or a page of docs/) shows is run by some testscript
// (testdata/script/*.txtar), so the documentation cannot show a command
// line nobody has run.

// readmeMaxLines is the README's length budget (style point 11: short;
// the reference lives in docs/).
const readmeMaxLines = 250

// subcommandParents are the commands whose first argument is a
// subcommand (totp enroll, trust-policy role, ...): a README line and a
// script line meet on the pair.
var subcommandParents = map[string]bool{"totp": true, "trust-policy": true, "tpm": true, "permissions": true}

// cmdLine is one invocation of this program: its command ("totp enroll")
// and the flags it passes ("--db").
type cmdLine struct {
	command string
	flags   []string
	text    string
}

// shellWords splits a command line like a POSIX shell would for our
// purposes: single and double quotes group, a backslash escapes the next
// character outside single quotes. Operators come out as their own words
// when written apart (as the README and the scripts write them).
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in := false
	var quote rune
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case quote == '"':
			if c == '"' {
				quote = 0
			} else if c == '\\' && i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			} else {
				cur.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// shellStop are the words that end a command's arguments.
var shellStop = map[string]bool{"|": true, "||": true, "&&": true, ";": true, "&": true, ">": true, ">>": true, "<": true, "2>": true, "2>&1": true, ")": true}

// parseInvocations finds each run of this program in one command line:
// a word whose last path element is progName, then its arguments up to a
// shell operator or a comment.
func parseInvocations(line string) []cmdLine {
	words := shellWords(line)
	var out []cmdLine
	for i, w := range words {
		if filepath.Base(strings.TrimPrefix(w, "$(")) != progName {
			continue
		}
		var args []string
		for _, a := range words[i+1:] {
			if shellStop[a] || strings.HasPrefix(a, "#") || strings.HasPrefix(a, ">") || strings.HasPrefix(a, "&") {
				break
			}
			args = append(args, a)
		}
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			continue // "go install ./cmd/acme-signing-helper", a path, or global flags only
		}
		c := cmdLine{command: args[0], text: strings.TrimSpace(line)}
		rest := args[1:]
		if subcommandParents[c.command] && len(rest) > 0 && rest[0] == strings.ToUpper(rest[0]) {
			rest = rest[1:] // a placeholder ("totp COMMAND"): the parent itself
		} else if subcommandParents[c.command] && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			c.command += " " + rest[0]
			rest = rest[1:]
		}
		for _, a := range rest {
			if strings.HasPrefix(a, "-") && len(a) > 1 && a != "--" {
				name, _, _ := strings.Cut(a, "=")
				c.flags = append(c.flags, name)
			}
		}
		out = append(out, c)
	}
	return out
}

// joinContinuations joins lines ending in a backslash with the next.
func joinContinuations(lines []string) []string {
	var out []string
	var cur string
	for _, l := range lines {
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// readmeInvocations returns the invocations of this program that a
// Markdown text shows: in fenced code blocks (continuation lines joined)
// and in inline code spans of the prose that start with the program's name.
func readmeInvocations(md string) []cmdLine {
	var out []cmdLine
	var block, prose []string
	inBlock := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			if inBlock {
				for _, j := range joinContinuations(block) {
					out = append(out, parseInvocations(j)...)
				}
				block = nil
			}
			inBlock = !inBlock
			continue
		}
		if inBlock {
			block = append(block, l)
		} else {
			prose = append(prose, l)
		}
	}
	for _, m := range inlineCode.FindAllStringSubmatch(strings.Join(prose, " "), -1) {
		if strings.HasPrefix(m[1], progName+" ") {
			out = append(out, parseInvocations(m[1])...)
		}
	}
	return out
}

// scriptExec matches a testscript line that runs this program, with its
// optional condition, negation and background suffix.
var scriptExec = regexp.MustCompile(`^\s*(?:\[[^\]]*\]\s*)*!?\s*exec\s+(` + regexp.QuoteMeta(progName) + `\s.*?)(?:\s+&\w*&)?\s*$`)

// scriptInvocations returns the invocations of this program in the script
// part (before the first "-- file --") of a txtar testscript.
func scriptInvocations(txtar string) []cmdLine {
	var out []cmdLine
	for _, l := range strings.Split(txtar, "\n") {
		if strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --") {
			break
		}
		if m := scriptExec.FindStringSubmatch(l); m != nil {
			out = append(out, parseInvocations(m[1])...)
		}
	}
	return out
}

// untested lists, for each README invocation, the command that no script
// runs or the flag that no script passes to that command.
func untested(readme, scripts []cmdLine) []string {
	ran := map[string]map[string]bool{}
	for _, s := range scripts {
		if ran[s.command] == nil {
			ran[s.command] = map[string]bool{}
		}
		for _, f := range s.flags {
			ran[s.command][f] = true
		}
	}
	var missing []string
	seen := map[string]bool{}
	add := func(m string) {
		if !seen[m] {
			seen[m] = true
			missing = append(missing, m)
		}
	}
	for _, r := range readme {
		flags, ok := ran[r.command]
		if !ok {
			add("command " + r.command + " (in: " + r.text + ")")
			continue
		}
		for _, f := range r.flags {
			if !flags[f] {
				add(r.command + " " + f + " (in: " + r.text + ")")
			}
		}
	}
	sort.Strings(missing)
	return missing
}

func allScriptInvocations(t *testing.T) []cmdLine {
	t.Helper()
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testscripts: %v", err)
	}
	var out []cmdLine
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, scriptInvocations(string(b))...)
	}
	return out
}

// TestReadmeCommandsTested: every command and flag the README shows is
// run by a testscript, and the README is short.
func TestReadmeCommandsTested(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move reference text to docs/", n, readmeMaxLines)
	}
	inv := readmeInvocations(readme)
	cmds := map[string]bool{}
	for _, c := range inv {
		cmds[c.command] = true
		top, _, _ := strings.Cut(c.command, " ")
		if !slices.ContainsFunc(commands, func(k command) bool { return k.name == top }) {
			t.Errorf("README shows an unknown command %q: %s", top, c.text)
		}
	}
	// The README's two commands and its set-up path are all there.
	for _, want := range []string{"demo", "trust-policy role", "totp enroll", "aws-config", "doctor", "serve-emulator", "detect"} {
		if !cmds[want] {
			t.Errorf("found no %q command line in the README (the parser or the README is broken); found %v", want, inv)
		}
	}
	t.Logf("README: %d command lines, %d commands", len(inv), len(cmds))
	for _, m := range untested(inv, allScriptInvocations(t)) {
		t.Errorf("README shows it, no testscript runs it: %s", m)
	}
}

// TestDocsCommandsTested: the same for the reference pages in docs/.
func TestDocsCommandsTested(t *testing.T) {
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs pages: %v", err)
	}
	scripts := allScriptInvocations(t)
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range untested(readmeInvocations(string(b)), scripts) {
			t.Errorf("%s shows it, no testscript runs it: %s", filepath.Base(p), m)
		}
	}
}

// TestReadmeCheckFindsUntested: the check above fails for a flag or a
// command nobody runs, and understands quoting, continuations, operators
// and the script syntax.
func TestReadmeCheckFindsUntested(t *testing.T) {
	md := "Run `acme-signing-helper detect --db db.json\nAWSLogs/` later.\n\n" +
		"```sh\n" +
		"go run ./cmd/acme-signing-helper demo --dir /tmp/pki   # keep it\n" +
		"/usr/local/bin/acme-signing-helper totp enroll --fingerprint 'file:/a b' \\\n" +
		"    --db=x.json --bogus-flag | jq . > out\n" +
		"acme-signing-helper never-run --x\n" +
		"CGO_ENABLED=0 go install ./cmd/acme-signing-helper\n" +
		"```\n"
	script := "# comment\n" +
		"exec acme-signing-helper demo --dir kept &bg&\n" +
		"! exec acme-signing-helper totp enroll --fingerprint file:x --db db.json\n" +
		"[exec:jq] exec acme-signing-helper detect --db db.json ct.json\n" +
		"exec acme-signing-helper totp seed --bogus-flag\n" +
		"-- file.txt --\n" +
		"exec acme-signing-helper never-run --x\n"
	got := untested(readmeInvocations(md), scriptInvocations(script))
	want := []string{
		"command never-run (in: acme-signing-helper never-run --x)",
		"totp enroll --bogus-flag (in: /usr/local/bin/acme-signing-helper totp enroll --fingerprint 'file:/a b'      --db=x.json --bogus-flag | jq . > out)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("untested:\n got %q\nwant %q", got, want)
	}
}

// markdownLink matches [text](target) with a relative target.
var markdownLink = regexp.MustCompile(`\]\(([^)\s:]+)\)`)

// headingSlug is GitHub's anchor of a heading: lower case, punctuation
// other than '-' and '_' dropped, spaces as '-'.
func headingSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// TestDocsLinks: every relative link of the README, bench/README.md and
// docs/*.md
// names a file that exists, and an #anchor names one of its headings.
func TestDocsLinks(t *testing.T) {
	pages, _ := filepath.Glob("../../docs/*.md")
	pages = append(pages, "../../README.md", "../../bench/README.md")
	if len(pages) < 12 {
		t.Fatalf("docs/ holds %d pages", len(pages)-2)
	}
	anchors := func(path string) map[string]bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		out := map[string]bool{}
		inBlock := false
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "```") {
				inBlock = !inBlock
			}
			if !inBlock && strings.HasPrefix(l, "#") {
				out[headingSlug(strings.TrimLeft(l, "#"))] = true
			}
		}
		return out
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markdownLink.FindAllStringSubmatch(string(b), -1) {
			file, anchor, _ := strings.Cut(m[1], "#")
			target := p
			if file != "" {
				target = filepath.Join(filepath.Dir(p), file)
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links to %s, which does not exist", p, m[1])
				continue
			}
			if anchor != "" && !anchors(target)[anchor] {
				t.Errorf("%s links to %s: no heading with anchor #%s", p, m[1], anchor)
			}
		}
	}
}

// TestDocsSystemdUnits: the table of docs/operations.md says what the
// units of 'systemd' (default options) contain: each unit a row names
// has every Key=value directive the row shows (one of the row's units,
// for a row of two), and none has a directive the row says it lacks
// ("no `Key`").
func TestDocsSystemdUnits(t *testing.T) {
	units := map[string]string{}
	for _, mode := range []string{"serve", "update"} {
		var out, errb bytes.Buffer
		if code := run([]string{"systemd", "--domain", "host.example.com", "--email", "ops@example.com", "--mode", mode}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("systemd --mode %s: exit %d: %s", mode, code, errb.String())
		}
		for _, part := range strings.Split(out.String(), "### ")[1:] {
			name, body, _ := strings.Cut(part, "\n")
			units[name] = body
		}
	}
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	directive := regexp.MustCompile(`^[A-Z][A-Za-z]*=`)
	absent := regexp.MustCompile("\\bno `([A-Z][A-Za-z]*)`")
	rows := 0
	for _, l := range strings.Split(string(b), "\n") {
		cells := strings.Split(l, " | ")
		if !strings.HasPrefix(l, "| `") || len(cells) < 4 || !strings.Contains(cells[0], ".service") {
			continue
		}
		rows++
		var names []string
		for _, m := range inlineCode.FindAllStringSubmatch(cells[0], -1) {
			n := m[1]
			if strings.HasPrefix(n, ".") && len(names) > 0 {
				n = strings.TrimSuffix(names[len(names)-1], ".service") + n
			}
			if !strings.HasPrefix(n, "-") {
				names = append(names, n)
			}
		}
		has := func(unit, d string) bool {
			for _, ul := range strings.Split(units[unit], "\n") {
				if strings.HasPrefix(ul, d) || ul == "Environment="+d {
					return true
				}
			}
			return false
		}
		for _, n := range names {
			if _, ok := units[n]; !ok {
				t.Errorf("docs/operations.md names unit %s, which systemd does not print (it prints %v)", n, units)
			}
		}
		rest := strings.Join(cells[1:], " | ")
		for _, m := range inlineCode.FindAllStringSubmatch(rest, -1) {
			d := m[1]
			if !directive.MatchString(d) {
				continue
			}
			if !slices.ContainsFunc(names, func(n string) bool { return has(n, d) }) {
				t.Errorf("docs/operations.md says %v have %s; the units lack it", names, d)
			}
		}
		for _, m := range absent.FindAllStringSubmatch(rest, -1) {
			for _, n := range names {
				if has(n, m[1]+"=") {
					t.Errorf("docs/operations.md says %s has no %s; the unit has one", n, m[1])
				}
			}
		}
	}
	if rows != 4 {
		t.Errorf("found %d unit rows in docs/operations.md, want 4", rows)
	}
}
