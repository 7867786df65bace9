package credentials

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var kv = [][2]string{{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "SK"}, {"aws_session_token", "ST"}, {"x_expiration", "EXP"}}

const ours = "aws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = ST\nx_expiration = EXP\n"

func TestSetProfile(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty file", "", "[p]\n" + ours},
		{"append after others",
			"# top comment\n[default]\naws_access_key_id = X\n\n; semi\n[other]  # trailing\nregion=eu-west-2\n",
			"# top comment\n[default]\naws_access_key_id = X\n\n; semi\n[other]  # trailing\nregion=eu-west-2\n\n[p]\n" + ours},
		{"no final newline", "[a]\nk=v", "[a]\nk=v\n\n[p]\n" + ours},
		{"replace in place, keep order and others",
			"[a]\nx=1\n[p]\n# keep me\nAWS_SESSION_TOKEN=old\nregion = us-east-1\naws_access_key_id=old\n\n[b]\ny=2\n",
			"[a]\nx=1\n[p]\n# keep me\naws_session_token = ST\nregion = us-east-1\naws_access_key_id = AK\naws_secret_access_key = SK\nx_expiration = EXP\n\n[b]\ny=2\n"},
		{"duplicates dropped", "[p]\naws_session_token=a\naws_session_token=b\n",
			"[p]\naws_session_token = ST\naws_access_key_id = AK\naws_secret_access_key = SK\nx_expiration = EXP\n"},
		{"repeated section keys dropped", "[p]\nregion=x\n[q]\nz=1\n[p]\naws_access_key_id=old\nfoo=bar\n",
			"[p]\nregion=x\n" + ours + "[q]\nz=1\n[p]\nfoo=bar\n"},
		{"empty section at end without newline", "[x]\na=b\n[ p ]", "[x]\na=b\n[ p ]\n" + ours},
		{"similar names untouched", "[p2]\naws_access_key_id=keep\n[profile p]\naws_access_key_id=keep\n",
			"[p2]\naws_access_key_id=keep\n[profile p]\naws_access_key_id=keep\n\n[p]\n" + ours},
		{"crlf file gets crlf lines", "[a]\r\nk=v\r\n", "[a]\r\nk=v\r\n\r\n[p]\r\n" + strings.ReplaceAll(ours, "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(SetProfile([]byte(tc.in), "p", kv))
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if again := string(SetProfile([]byte(got), "p", kv)); again != got {
				t.Errorf("not idempotent:\n%q\nthen\n%q", got, again)
			}
		})
	}
}

// otherSections returns the lines outside sections named p.
func otherSections(b []byte, p string) string {
	var out []string
	in := false
	for _, l := range strings.SplitAfter(strings.TrimPrefix(string(b), utf8BOM), "\n") {
		if n, ok := sectionName(l); ok {
			in = n == p
		}
		if !in && strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"))
		}
	}
	return strings.Join(out, "\n")
}

func FuzzSetProfile(f *testing.F) {
	f.Add([]byte("[default]\nregion=x\n[p]\naws_access_key_id=1\n# c\n"))
	f.Add([]byte("[p]"))
	f.Add([]byte("\n\n[ p ] ; x\n aws_session_token = cont\n\taws_access_key_id\n"))
	for _, tc := range setProfileHardening {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := SetProfile(in, "p", kv)
		if again := SetProfile(out, "p", kv); !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		if a, b := otherSections(in, "p"), otherSections(out, "p"); a != b {
			t.Fatalf("other sections changed:\n%q\n%q", a, b)
		}
		// The first [p] section holds each key exactly once.
		seen := map[string]int{}
		in1, done := false, false
		lines := strings.SplitAfter(strings.TrimPrefix(string(out), utf8BOM), "\n")
		for i, l := range lines {
			if n, ok := sectionName(l); ok {
				if in1 {
					done = true
				}
				in1 = n == "p" && !done
				continue
			}
			if in1 {
				line := strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
				seen[line]++
				// No continuation line follows a key we wrote.
				if lineKey(l) != "" && seen[line] == 1 {
					for _, next := range lines[i+1:] {
						if isContinuation(next) {
							if _, ok := map[string]bool{"aws_access_key_id": true, "aws_secret_access_key": true, "aws_session_token": true, "x_expiration": true}[lineKey(l)]; ok {
								t.Fatalf("continuation line %q after %q in\n%q", next, line, out)
							}
						}
						if !isBlankOrComment(next) {
							break
						}
					}
				}
			}
		}
		if bytes.HasPrefix(in, []byte(utf8BOM)) != bytes.HasPrefix(out, []byte(utf8BOM)) {
			t.Fatalf("byte order mark not kept:\n%q\n%q", in, out)
		}
		for _, p := range kv {
			if seen[p[0]+" = "+p[1]] != 1 {
				t.Fatalf("key %s not set once in\n%q", p[0], out)
			}
		}
	})
}

func TestSharedFileWrite(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real-credentials")
	orig := "# managed by hand\n[default]\naws_access_key_id = AKIDEFAULT\naws_secret_access_key = s1\n\n[dev] ; dev\naws_access_key_id=AKIDEV\naws_secret_access_key=s2\n\n# prod below\n[prod]\naws_access_key_id = AKIPROD\naws_secret_access_key = s3\n"
	if err := os.WriteFile(real, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "credentials")
	if err := os.Symlink("real-credentials", link); err != nil {
		t.Fatal(err)
	}
	w := &SharedFile{Path: link, Profile: "ra"}
	cr := creds(1, t0.Add(time.Hour))
	if err := w.Write(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(real)
	want := orig + "\n[ra]\naws_access_key_id = ASIAFAKE00000001\naws_secret_access_key = secret-1\naws_session_token = token-1\nx_expiration = 2026-11-21T13:00:00Z\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced by a file")
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// Second write replaces in place.
	if err := w.Write(context.Background(), creds(2, t0.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(real)
	if !strings.HasPrefix(string(got), orig) || strings.Contains(string(got), "token-1") || strings.Count(string(got), "[ra]") != 1 {
		t.Errorf("second write:\n%s", got)
	}
	if err := w.Write(context.Background(), creds(3, time.Time{})); err == nil {
		t.Error("wrote credentials without expiry")
	}
	for _, p := range []string{"", "a]b", "x\ny"} {
		if err := (&SharedFile{Path: real, Profile: p}).Write(context.Background(), cr); err == nil {
			t.Errorf("profile %q accepted", p)
		}
	}
	// A missing file and directory are created 0600 / 0700.
	fresh := filepath.Join(dir, "new", ".aws", "credentials")
	if err := (&SharedFile{Path: fresh, Profile: "default"}).Write(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Dir(fresh)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("new dir mode %v %v", fi.Mode(), err)
	}
}

// TestSharedFileKilledBeforeRename kills a writer (a subprocess) between
// writing its temp file and the rename: the credentials file is intact, and
// the next writer removes the leftover temp file.
func TestSharedFileKilledBeforeRename(t *testing.T) {
	if os.Getenv("CREDENTIALS_TEST_HELPER") != "" {
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	orig := "[default]\naws_access_key_id = AKIDEFAULT\n"
	os.WriteFile(path, []byte(orig), 0o600)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSharedFileHelperProcess$")
	cmd.Env = append(os.Environ(), "CREDENTIALS_TEST_HELPER=1", "CREDS_FILE="+path)
	out, err := cmd.CombinedOutput()
	if !killed(cmd.ProcessState) {
		t.Fatalf("helper was not killed: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(path); string(got) != orig {
		t.Errorf("file after kill = %q, want %q", got, orig)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, ".credentials.tmp-*"))
	if len(temps) != 1 {
		t.Fatalf("temp files after kill: %v, want 1", temps)
	}
	if err := (&SharedFile{Path: path, Profile: "ra"}).Write(context.Background(), creds(1, t0)); err != nil {
		t.Fatal(err)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".credentials.tmp-*")); len(temps) != 0 {
		t.Errorf("leftover temp files not removed: %v", temps)
	}
	if got, _ := os.ReadFile(path); !strings.HasPrefix(string(got), orig) || !strings.Contains(string(got), "[ra]") {
		t.Errorf("file after next write = %q", got)
	}
}

func TestSharedFileHelperProcess(t *testing.T) {
	if os.Getenv("CREDENTIALS_TEST_HELPER") == "" {
		t.Skip("helper for TestSharedFileKilledBeforeRename")
	}
	w := &SharedFile{Path: os.Getenv("CREDS_FILE"), Profile: "ra", BeforeRename: func() {
		killSelf()
	}}
	w.Write(context.Background(), creds(1, t0))
	t.Fatal("not killed")
}
