package totp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedA = "bbfd09975580f87a0677591ea183b2288e918d84"

func TestParseSeedDB(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []SeedEntry
		bad  bool
	}{
		{"empty file", "", nil, false},
		{"empty array", "[]", nil, false},
		{"seed format", `[{"CN=a.example.com": "` + seedA + `"}, {"CN=b.example.com": "00ff"}]`,
			[]SeedEntry{{"CN=a.example.com", seedA, 0}, {"CN=b.example.com", "00ff", 0}}, false},
		{"several keys in one object", `[{"CN=a": "01", "CN=b": "02"}]`, []SeedEntry{{"CN=a", "01", 0}, {"CN=b", "02", 0}}, false},
		{"object, not array", `{"CN=a": "01"}`, nil, true},
		{"number seed", `[{"CN=a": 12}]`, nil, true},
		{"array element", `[["CN=a"]]`, nil, true},
		{"truncated", `[{"CN=a": "01"`, nil, true},
		{"trailing data", `[] []`, nil, true},
		{"syntax", `[{"CN=a" "01"}]`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := ParseSeedDB([]byte(tt.in))
			if tt.bad {
				if err == nil {
					t.Fatalf("got %v, want an error", db.Entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(db.Entries) != len(tt.want) {
				t.Fatalf("got %v, want %v", db.Entries, tt.want)
			}
			for i := range tt.want {
				if db.Entries[i] != tt.want[i] {
					t.Errorf("entry %d: got %v, want %v", i, db.Entries[i], tt.want[i])
				}
			}
		})
	}
}

func TestSeedDBErrorsHideSeeds(t *testing.T) {
	const secret = "deadbeefcafe"
	for _, in := range []string{`[{"CN=a": "` + secret + `" x]`, `[{"CN=a": "` + secret, `["` + secret + `"]`} {
		_, err := ParseSeedDB([]byte(in))
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%q: error %v (must exist and not contain the seed)", in, err)
		}
	}
}

func TestSeedDBMergeLookup(t *testing.T) {
	db, err := ParseSeedDB([]byte(`[{"CN=a": "01"}, {"CN=b": "02"}]`))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ParseHexKey(seedA)
	if changed, err := db.Merge("CN=c", k, false); err != nil || !changed {
		t.Fatalf("new identity: %v, %v", changed, err)
	}
	if changed, err := db.Merge("CN=c", k, false); err != nil || changed {
		t.Fatalf("same seed again: %v, %v", changed, err)
	}
	var sc *SeedChangedError
	if _, err := db.Merge("CN=a", k, false); !errors.Is(err, ErrSeedChanged) || !errors.As(err, &sc) || strings.Contains(err.Error(), seedA) {
		t.Fatalf("changed seed: got %v", err)
	}
	if got, _, _ := db.Lookup("CN=a"); got.Hex() != "01" {
		t.Fatalf("a refused merge changed the database: %s", got.Hex())
	}
	if changed, err := db.Merge("CN=a", k, true); err != nil || !changed {
		t.Fatalf("replace: %v, %v", changed, err)
	}
	if got, ok, err := db.Lookup("CN=a"); err != nil || !ok || got.Hex() != seedA {
		t.Fatalf("lookup after replace: %v %v %v", got.Hex(), ok, err)
	}
	if _, ok, err := db.Lookup("CN=zzz"); ok || err != nil {
		t.Fatalf("absent identity: %v, %v", ok, err)
	}
	want := []string{"CN=a", "CN=b", "CN=c"}
	for i, e := range db.Entries {
		if e.Identity != want[i] {
			t.Errorf("order: entry %d is %s, want %s", i, e.Identity, want[i])
		}
	}
	amb, _ := ParseSeedDB([]byte(`[{"CN=a": "01"}, {"CN=a": "02"}, {"CN=b": "0A"}, {"CN=b": "0a"}, {"CN=x": "zz"}]`))
	if _, _, err := amb.Lookup("CN=a"); !errors.Is(err, ErrAmbiguousSeed) {
		t.Errorf("two seeds: got %v", err)
	}
	if k, ok, err := amb.Lookup("CN=b"); err != nil || !ok || k.Hex() != "0a" {
		t.Errorf("same seed twice: %v %v %v", k.Hex(), ok, err)
	}
	if _, _, err := amb.Lookup("CN=x"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad seed: got %v", err)
	}
}

func TestSeedDBWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "env-sha1sum-db.json")
	if err := os.WriteFile(p, []byte(`[{"CN=a": "01"}]`), 0o640); err != nil {
		t.Fatal(err)
	}
	db, readable, err := LoadSeedDB(p)
	if err != nil || !readable {
		t.Fatalf("LoadSeedDB: %v, readable %v", err, readable)
	}
	k, _ := ParseHexKey(seedA)
	if _, err := db.Merge(`CN=quote"d`, k, false); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	again, readable, err := LoadSeedDB(p)
	if err != nil || readable || len(again.Entries) != 2 || again.Entries[1].Identity != `CN=quote"d` {
		t.Fatalf("reread: %+v, %v, %v", again, readable, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	// A symbolic link is followed and stays a link.
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := again.WriteFile(link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced: %v, %v", fi, err)
	}
	// Writing into a missing directory fails and leaves nothing.
	if err := again.WriteFile(filepath.Join(dir, "no", "db.json")); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

func TestCheckSecretFile(t *testing.T) {
	if !ModeChecked {
		t.Skip("file modes are not checked on this platform")
	}
	dir := t.TempDir()
	tests := []struct {
		mode     os.FileMode
		readable bool
		bad      bool
	}{
		{0o600, false, false},
		{0o400, false, false},
		{0o640, true, false},
		{0o604, true, false},
		{0o620, false, true},
		{0o602, false, true},
		{0o666, false, true},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, tt.mode.String())
		if err := os.WriteFile(p, []byte(seedA+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tt.mode); err != nil {
			t.Fatal(err)
		}
		readable, err := CheckSecretFile(p)
		_, kr, kerr := ReadKeyFile(p)
		if tt.bad {
			var pe *PermissionError
			if !errors.As(err, &pe) || !errors.Is(kerr, ErrLoosePermissions) {
				t.Errorf("%v: got %v / %v, want a *PermissionError", tt.mode, err, kerr)
			}
			continue
		}
		if err != nil || kerr != nil || readable != tt.readable || kr != tt.readable {
			t.Errorf("%v: got %v %v / %v %v, want readable %v", tt.mode, readable, err, kr, kerr, tt.readable)
		}
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("not hex: secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadKeyFile(bad); !errors.Is(err, ErrInvalidKey) || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad seed file: %v", err)
	}
}

func FuzzParseSeedDB(f *testing.F) {
	f.Add([]byte(`[{"CN=a": "01"}, {"CN=b": "02", "CN=c": "03"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"CN=a": "01", "digits": 8}, {"digits": 7, "CN=b": "02", "CN=c": "03"}, {"digits": "04"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := ParseSeedDB(b)
		if err != nil {
			return
		}
		for _, e := range db.Entries {
			if e.Digits != 0 && (e.Digits < 6 || e.Digits > 8) {
				t.Fatalf("entry %v: digits %d", e, e.Digits)
			}
		}
		out, err := db.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSeedDB(out)
		if err != nil {
			t.Fatalf("written database does not parse: %v", err)
		}
		if len(again.Entries) != len(db.Entries) {
			t.Fatalf("round trip: %d entries, want %d", len(again.Entries), len(db.Entries))
		}
		for i := range db.Entries {
			if again.Entries[i] != db.Entries[i] {
				t.Fatalf("round trip entry %d: %v, want %v", i, again.Entries[i], db.Entries[i])
			}
		}
	})
}

// TestSeedDBPrintsNoSeed: a seeds database or entry printed by mistake (a
// log line, a test failure) shows identities, never seeds.
func TestSeedDBPrintsNoSeed(t *testing.T) {
	const seed = "00112233445566778899aabbccddeeff00112233"
	db, err := ParseSeedDB([]byte(`[{"CN=a.example": "` + seed + `"}]`))
	if err != nil {
		t.Fatal(err)
	}
	e := db.Entries[0]
	for _, s := range []string{
		fmt.Sprintf("%v %+v %#v %s", db, db, db, db),
		fmt.Sprintf("%v %+v %#v %s", *db, *db, *db, db.Entries),
		fmt.Sprintf("%v %+v %#v %s %x", e, e, e, e, e),
	} {
		if strings.Contains(s, seed) || strings.Contains(strings.ToUpper(s), strings.ToUpper(seed)) {
			t.Errorf("printed a seed: %s", s)
		}
	}
	if got := e.String(); !strings.Contains(got, "CN=a.example") {
		t.Errorf("got %q, want the identity", got)
	}
}
