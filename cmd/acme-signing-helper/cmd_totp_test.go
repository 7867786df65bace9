package main

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// totpFixture is a directory with a fingerprint file, seed files of
// several modes and certificates.
type totpFixture struct {
	dir, fp, seed, content string
	fpSeed                 string
}

func newTOTPFixture(t *testing.T) totpFixture {
	t.Helper()
	dir := t.TempDir()
	f := totpFixture{dir: dir, content: "monkey-jpg-secret-bytes\x00\x01"}
	write := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.fp = write("monkey.jpg", f.content, 0o600)
	sum := sha1.Sum([]byte(f.content))
	f.fpSeed = hex.EncodeToString(sum[:])
	f.seed = write("seed", f.fpSeed+"\n", 0o600)
	write("seed-gw", f.fpSeed, 0o620)
	write("seed-ow", f.fpSeed, 0o602)
	write("seed-gr", f.fpSeed, 0o640)
	write("seed-bad", "not a seed: "+f.content, 0o600)
	write("seed-empty", "", 0o600)
	write("empty", "", 0o600)
	write("db-gw.json", "[]", 0o660)
	write("db-bad.json", `{"CN=x": "`+f.fpSeed+`"`, 0o600)
	for _, c := range []struct {
		name string
		lo   testpki.LeafOptions
	}{
		{"cn", testpki.LeafOptions{DNSNames: []string{"host.example.com"}}},
		{"nocn", testpki.LeafOptions{DNSNames: []string{"short.example.com", "alt.example.com"}, EmptySubject: true}},
	} {
		h, err := testpki.New(testpki.Options{Leaf: c.lo})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.WritePlain(filepath.Join(dir, c.name)); err != nil {
			t.Fatal(err)
		}
		if c.name == "cn" {
			if _, err := h.WriteLego(filepath.Join(dir, "lego"), "host.example.com"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

// TestTOTPBadInput is acceptance 5: every bad input gives a clear error
// naming the flag, file or source, a hint, a non-zero exit (2 for usage
// errors) and nothing on stdout; no secret appears on stderr.
func TestTOTPBadInput(t *testing.T) {
	f := newTOTPFixture(t)
	d := f.dir
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no subcommand", []string{"totp"}, 2, "usage: acme-signing-helper totp"},
		{"unknown subcommand", []string{"totp", "frob"}, 2, `unknown command "frob"`},
		{"no key", []string{"totp", "code"}, 2, "--fingerprint or --seed-file is required"},
		{"both keys", []string{"totp", "code", "--fingerprint", "file:" + f.fp, "--seed-file", f.seed}, 2, "exclude each other"},
		{"seed without fingerprint", []string{"totp", "seed"}, 2, "--fingerprint is required"},
		{"seed argument", []string{"totp", "seed", "--fingerprint", "hostname", "file:x"}, 2, `unexpected argument "file:x"`},
		{"bad spec", []string{"totp", "seed", "--fingerprint", "cpu"}, 2, `invalid fingerprint spec "cpu"`},
		{"empty spec", []string{"totp", "seed", "--fingerprint", ""}, 2, `invalid fingerprint spec ""`},
		{"dmi traversal", []string{"totp", "seed", "--fingerprint", "dmi:../../../etc/shadow"}, 2, "invalid fingerprint spec"},
		{"duplicate spec", []string{"totp", "seed", "--fingerprint", "hostname", "--fingerprint", "hostname"}, 2, "given twice"},
		{"missing file", []string{"totp", "seed", "--fingerprint", "file:" + d + "/missing"}, 1, `fingerprint source "file:` + d + `/missing"`},
		{"empty file", []string{"totp", "code", "--fingerprint", "file:" + d + "/empty"}, 1, "source is empty"},
		{"directory", []string{"totp", "code", "--fingerprint", "file:" + d}, 1, "is a directory"},
		{"unset env", []string{"totp", "seed", "--fingerprint", "env:NOPE_NOT_SET"}, 1, `"env:NOPE_NOT_SET"`},
		{"empty env", []string{"totp", "seed", "--fingerprint", "env:EMPTY_VAR"}, 1, "source is empty"},
		{"one of several missing", []string{"totp", "seed", "--fingerprint", "env:SECRET_VAR", "--fingerprint", "dmi:no_such_field_here"}, 1, `"dmi:no_such_field_here"`},
		{"digits 5", []string{"totp", "code", "--seed-file", f.seed, "--digits", "5"}, 2, "--digits 5: want 6, 7 or 8"},
		{"digits 9", []string{"totp", "code", "--seed-file", f.seed, "--digits", "9"}, 2, "--digits 9"},
		{"digits text", []string{"totp", "code", "--seed-file", f.seed, "--digits", "six"}, 2, "invalid argument"},
		{"algorithm", []string{"totp", "code", "--seed-file", f.seed, "--algorithm", "md5"}, 2, `--algorithm: invalid algorithm "md5"`},
		{"bad time", []string{"totp", "code", "--seed-file", f.seed, "--at", "yesterday"}, 2, `--at: invalid time "yesterday"`},
		{"time without zone", []string{"totp", "code", "--seed-file", f.seed, "--at", "2026-11-21T19:49:42"}, 2, "no time zone"},
		{"time before epoch", []string{"totp", "code", "--seed-file", f.seed, "--at", "@-60"}, 2, "before the Unix epoch"},
		{"missing seed file", []string{"totp", "code", "--seed-file", d + "/nope"}, 1, d + "/nope"},
		{"bad seed file", []string{"totp", "code", "--seed-file", d + "/seed-bad"}, 1, `seed file "` + d + `/seed-bad": invalid seed`},
		{"empty seed file", []string{"totp", "code", "--seed-file", d + "/seed-empty"}, 1, "invalid seed"},
		{"group-writable seed file", []string{"totp", "code", "--seed-file", d + "/seed-gw"}, 1, "mode 0620: writable by group or others"},
		{"world-writable seed file", []string{"totp", "verify", "--seed-file", d + "/seed-ow", "123456"}, 1, "mode 0602"},
		{"verify no code", []string{"totp", "verify", "--seed-file", f.seed}, 2, "want one CODE argument, got 0"},
		{"verify two codes", []string{"totp", "verify", "--seed-file", f.seed, "123456", "654321"}, 2, "got 2"},
		{"verify short code", []string{"totp", "verify", "--seed-file", f.seed, "12345"}, 2, "invalid code"},
		{"verify long code", []string{"totp", "verify", "--seed-file", f.seed, "123456789"}, 2, "invalid code"},
		{"verify letters", []string{"totp", "verify", "--seed-file", f.seed, "12345a"}, 2, "invalid code"},
		{"verify window", []string{"totp", "verify", "--seed-file", f.seed, "--window", "-1", "123456"}, 2, "--window -1"},
		{"verify not found", []string{"totp", "verify", "--seed-file", f.seed, "--at", "@59", "000000"}, 1, "code not found within 0 steps"},
		{"enroll no cert", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp}, 2, "no certificate"},
		{"enroll both", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", "x", "--acme-dir", d}, 2, "exclude each other"},
		{"enroll dir only", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--acme-dir", d}, 2, "go together"},
		{"enroll replace without db", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", d + "/cn/leaf.pem", "--replace"}, 2, "--replace needs --db"},
		{"enroll domain path", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--acme-dir", d, "--domain", "../x"}, 2, "is not a certificate name"},
		{"enroll missing cert", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", d + "/none.pem"}, 1, "read certificate"},
		{"enroll not a cert", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", f.seed}, 1, "certificate"},
		{"enroll layout not found", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--acme-dir", d, "--domain", "other.example.com"}, 1, `no certificate for "other.example.com"`},
		{"enroll loose db", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", d + "/cn/leaf.pem", "--db", d + "/db-gw.json"}, 1, "writable by group or others"},
		{"enroll bad db", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", d + "/cn/leaf.pem", "--db", d + "/db-bad.json"}, 1, "seeds database"},
		{"enroll db dir missing", []string{"totp", "enroll", "--fingerprint", "file:" + f.fp, "--certificate", d + "/cn/leaf.pem", "--db", d + "/no/db.json"}, 1, "write"},
		{"enroll bad fingerprint", []string{"totp", "enroll", "--fingerprint", "file:" + d + "/empty", "--certificate", d + "/cn/leaf.pem"}, 1, "source is empty"},
	}
	vars := map[string]string{"EMPTY_VAR": "", "SECRET_VAR": "env-secret-value"}
	secrets := []string{f.content[:10], f.fpSeed, "env-secret-value"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errb := testEnv(vars)
			got := runEnv(e, tt.args)
			if got != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, tt.code, errb)
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty: %q", out)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, errb)
			}
			if tt.name != "no subcommand" && !strings.Contains(errb.String(), "\nhint: ") {
				t.Errorf("no hint:\n%s", errb)
			}
			for _, s := range secrets {
				if strings.Contains(errb.String(), s) {
					t.Errorf("stderr contains a secret %q:\n%s", s, errb)
				}
			}
		})
	}
	// Nothing half-written: the loose and bad databases are unchanged.
	if b, _ := os.ReadFile(d + "/db-gw.json"); string(b) != "[]" {
		t.Errorf("db-gw.json changed: %q", b)
	}
	if _, err := os.Stat(d + "/no"); err == nil {
		t.Error("a directory was created for --db")
	}
}

func runOK(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string) {
	t.Helper()
	e, out, errb := testEnv(vars)
	e.stdin = strings.NewReader(stdin)
	e.now = func() time.Time { return time.Unix(1795290582, 0) }
	if code := runEnv(e, args); code != 0 {
		t.Fatalf("%v: exit %d; stderr:\n%s", args, code, errb)
	}
	return out.String(), errb.String()
}

func TestTOTPCommands(t *testing.T) {
	f := newTOTPFixture(t)
	if out, _ := runOK(t, nil, "", "totp", "seed", "--fingerprint", "file:"+f.fp); out != f.fpSeed+"\n" {
		t.Errorf("seed: got %q, want %s", out, f.fpSeed)
	}
	// The environment variable and config file forms of --fingerprint.
	if out, _ := runOK(t, map[string]string{"ACME_SIGNING_HELPER_FINGERPRINT": "file:" + f.fp}, "", "totp", "seed"); out != f.fpSeed+"\n" {
		t.Errorf("seed from env: got %q", out)
	}
	k, _ := totp.ParseHexKey(f.fpSeed)
	now := time.Unix(1795290582, 0)
	want, _ := totp.Code(k, now, totp.Options{Digits: 8, Algorithm: totp.SHA512})
	// Without --at the injected clock is used.
	if out, _ := runOK(t, nil, "", "totp", "code", "--seed-file", f.seed, "--digits", "8", "--algorithm", "SHA512"); out != want+"\n" {
		t.Errorf("code: got %q, want %s", out, want)
	}
	prev, _ := totp.CodeAtStep(k, totp.Step(now)-1, totp.Options{})
	if out, _ := runOK(t, nil, prev+"\n", "totp", "verify", "--fingerprint", "file:"+f.fp, "--window", "1", "-"); out != "1\n" {
		t.Errorf("verify from stdin: got %q, want 1", out)
	}
	// A group-readable seed file works with a warning.
	_, errs := runOK(t, nil, "", "totp", "code", "--seed-file", f.dir+"/seed-gr")
	if !strings.Contains(errs, "readable by group or others") || strings.Contains(errs, f.fpSeed) {
		t.Errorf("no warning (or a leak) for a group-readable seed file: %q", errs)
	}
}

func TestTOTPEnroll(t *testing.T) {
	f := newTOTPFixture(t)
	fp := "file:" + f.fp
	out, _ := runOK(t, nil, "", "totp", "enroll", "--fingerprint", fp, "--certificate", f.dir+"/cn/fullchain.pem")
	var entries []map[string]string
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("enroll output %q: %v", out, err)
	}
	if len(entries) != 1 || entries[0]["CN=host.example.com"] != f.fpSeed {
		t.Errorf("enroll: got %v", entries)
	}
	out, _ = runOK(t, nil, "", "totp", "enroll", "--fingerprint", fp, "--acme-dir", f.dir+"/lego", "--domain", "host.example.com")
	if !strings.Contains(out, `"CN=host.example.com": "`+f.fpSeed+`"`) {
		t.Errorf("enroll from lego layout: %q", out)
	}
	out, _ = runOK(t, nil, "", "totp", "enroll", "--fingerprint", fp, "--certificate", f.dir+"/nocn/leaf.pem")
	if !strings.Contains(out, `"short.example.com": "`+f.fpSeed+`"`) {
		t.Errorf("enroll of a CN-less certificate: %q", out)
	}

	db := filepath.Join(f.dir, "env-sha1sum-db.json")
	if err := os.WriteFile(db, []byte(`[{"CN=other.example.com": "00ff"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs := runOK(t, nil, "", "totp", "enroll", "--fingerprint", fp, "--certificate", f.dir+"/cn/leaf.pem", "--db", db)
	if out != "" || !strings.Contains(errs, "enrolled CN=host.example.com") || !strings.Contains(errs, "readable by group or others") {
		t.Errorf("enroll --db: stdout %q, stderr %q", out, errs)
	}
	checkDB := func(want map[string]string) {
		t.Helper()
		fi, err := os.Stat(db)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("db mode %04o, want 0600", fi.Mode().Perm())
		}
		d, _, err := totp.LoadSeedDB(db)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Entries) != len(want) {
			t.Fatalf("db entries %v, want %v", d.Entries, want)
		}
		for _, e := range d.Entries {
			if want[e.Identity] != e.Seed {
				t.Errorf("db %s = %s, want %s", e.Identity, e.Seed, want[e.Identity])
			}
		}
	}
	checkDB(map[string]string{"CN=other.example.com": "00ff", "CN=host.example.com": f.fpSeed})
	// Again: unchanged.
	if _, errs := runOK(t, nil, "", "totp", "enroll", "--fingerprint", fp, "--certificate", f.dir+"/cn/leaf.pem", "--db", db); !strings.Contains(errs, "already enrolled") {
		t.Errorf("second enroll: %q", errs)
	}
	// A different fingerprint is refused, then replaced with --replace.
	e, stdout, stderr := testEnv(nil)
	args := []string{"totp", "enroll", "--fingerprint", "file:" + f.seed, "--certificate", f.dir + "/cn/leaf.pem", "--db", db}
	if code := runEnv(e, args); code != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "already has a different seed") || !strings.Contains(stderr.String(), "hint: ") || !strings.Contains(stderr.String(), "--replace") {
		t.Errorf("changed seed: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	checkDB(map[string]string{"CN=other.example.com": "00ff", "CN=host.example.com": f.fpSeed})
	runOK(t, nil, "", append(args, "--replace")...)
	seedOfSeed := sha1.Sum([]byte(f.fpSeed + "\n"))
	checkDB(map[string]string{"CN=other.example.com": "00ff", "CN=host.example.com": hex.EncodeToString(seedOfSeed[:])})
}

func TestTOTPDebugHasNoSecrets(t *testing.T) {
	f := newTOTPFixture(t)
	vars := map[string]string{"APP_SECRET": "env-secret-value"}
	k, _ := totp.ParseHexKey(f.fpSeed)
	code, _ := totp.Code(k, time.Unix(1795290582, 0), totp.Options{})
	for _, args := range [][]string{
		{"totp", "code", "--debug", "--fingerprint", "file:" + f.fp},
		{"totp", "code", "--debug", "--fingerprint", "file:" + f.fp, "--fingerprint", "env:APP_SECRET", "--fingerprint", "hostname"},
		{"totp", "verify", "--debug", "--seed-file", f.seed, code},
		{"totp", "enroll", "--debug", "--fingerprint", "file:" + f.fp, "--certificate", f.dir + "/cn/leaf.pem", "--db", f.dir + "/new.json"},
	} {
		_, errs := runOK(t, vars, "", args...)
		if !strings.Contains(errs, "level=DEBUG") {
			t.Errorf("%v: no debug output", args)
		}
		for _, s := range []string{f.fpSeed, f.content[:10], "env-secret-value", code} {
			if strings.Contains(errs, s) {
				t.Errorf("%v: stderr contains secret %q:\n%s", args, s, errs)
			}
		}
	}
}

// TestTOTPSeedParityRandomFile is acceptance 3 (first half): for random
// files, 'totp seed --fingerprint file:F' prints what 'sha1sum F' prints.
func TestTOTPSeedParityRandomFile(t *testing.T) {
	bin, err := exec.LookPath("sha1sum")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sha1sum is required in CI: %v", err)
		}
		t.Skip("sha1sum not installed")
	}
	dir := t.TempDir()
	for i, size := range []int{1, 64, 4097, 1 << 20} {
		p := filepath.Join(dir, fmt.Sprintf("f%d", i))
		b := make([]byte, size)
		rand.Read(b)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, p).Output()
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := strings.Cut(string(out), " ")
		got, _ := runOK(t, nil, "", "totp", "seed", "--fingerprint", "file:"+p)
		if got != want+"\n" {
			t.Errorf("size %d: totp seed %q, sha1sum %q", size, got, want)
		}
	}
}

// TestTOTPDemo: demo --fingerprint shows the TOTP session name that was
// sent and recorded, and it is the fingerprint's code at the signing time.
func TestTOTPDemo(t *testing.T) {
	f := newTOTPFixture(t)
	e, out, errb := testEnv(nil)
	if code := runEnv(e, []string{"demo", "--fingerprint", "file:" + f.fp}); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errb)
	}
	shown := regexp.MustCompile(`(?m)^   session name: +([0-9]{6})$`).FindStringSubmatch(out.String())
	sent := regexp.MustCompile(`"roleSessionName": "([0-9]{6})"`).FindStringSubmatch(out.String())
	at := regexp.MustCompile(`(?m)^   signed at: +(\S+) `).FindStringSubmatch(out.String())
	if shown == nil || sent == nil || at == nil || shown[1] != sent[1] {
		t.Fatalf("session name shown %v, sent %v, signed at %v:\n%s", shown, sent, at, out)
	}
	signed, err := time.Parse(time.RFC3339, at[1])
	if err != nil {
		t.Fatal(err)
	}
	k, _ := totp.ParseHexKey(f.fpSeed)
	if want, _ := totp.Code(k, signed, totp.Options{}); want != shown[1] {
		t.Errorf("session name %s, want the code of %s: %s", shown[1], at[1], want)
	}
	if strings.Contains(out.String(), f.fpSeed) || strings.Contains(out.String(), f.content[:10]) {
		t.Error("demo output shows the seed or the fingerprint's content")
	}
}
