package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

var shellSafeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`) })

// ShellWord renders s as one word that a POSIX shell (sh -c, the SDKs) and
// Python's shlex.split (the AWS CLI) both read back as s, and that the
// SDKs' INI reader leaves alone (it cuts a value at " #" or " ;").
// Double quotes when they suffice, backslash escapes otherwise. first
// avoids a leading quote: the SDKs strip quotes around the whole value.
// A line break or NUL cannot be carried and is an error.
func ShellWord(s string, first bool) (string, error) {
	if strings.ContainsAny(s, "\n\r\x00") {
		return "", fmt.Errorf("%q contains a line break or NUL, which a credential_process line cannot carry", s)
	}
	if shellSafeRE().MatchString(s) {
		return s, nil
	}
	if s == "" {
		if first {
			return "", fmt.Errorf("empty program path")
		}
		return `""`, nil
	}
	if !first && !strings.ContainsAny(s, "\"$`\\#;!\t") {
		return `"` + s + `"`, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		// Bytes, not runes: a name need not be valid UTF-8.
		if c := s[i]; c < 0x80 && !shellSafeRE().MatchString(string(rune(c))) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// CredentialProcessLine joins argv (the program, then its arguments) into
// the value of a credential_process setting, each word quoted by
// ShellWord.
func CredentialProcessLine(argv []string) (string, error) {
	words := make([]string, len(argv))
	for i, a := range argv {
		w, err := ShellWord(a, i == 0)
		if err != nil {
			return "", err
		}
		words[i] = w
	}
	return strings.Join(words, " "), nil
}

// ConfigProfile is a profile block of ~/.aws/config whose
// credential_process setting is line: "[profile NAME]" (or "[default]")
// and the setting, each ended by a newline.
func ConfigProfile(profile, line string) string {
	header := "[profile " + profile + "]"
	if profile == "default" {
		header = "[default]"
	}
	return header + "\ncredential_process = " + line + "\n"
}

// AbsPath is p made absolute, as a credential_process line needs it (the
// SDKs run it from any working directory); p unchanged when empty,
// absolute already or when the working directory is unknown.
func AbsPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// ProcessProgram is the program a credential_process line runs: program
// made absolute, or when program is "", this process's executable with
// symbolic links resolved.
func ProcessProgram(program string) (string, error) {
	if program != "" {
		return AbsPath(program), nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this program's path: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return AbsPath(exe), nil
}
