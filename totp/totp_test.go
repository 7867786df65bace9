package totp

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B.
func TestRFC6238AppendixB(t *testing.T) {
	keys := map[Algorithm]Key{
		SHA1:   Key("12345678901234567890"),
		SHA256: Key("12345678901234567890123456789012"),
		SHA512: Key("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	tests := []struct {
		unix                 int64
		sha1, sha256, sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	for _, tt := range tests {
		for alg, want := range map[Algorithm]string{SHA1: tt.sha1, SHA256: tt.sha256, SHA512: tt.sha512} {
			t.Run(fmt.Sprintf("%s/%d", alg, tt.unix), func(t *testing.T) {
				got, err := Code(keys[alg], time.Unix(tt.unix, 0), Options{Digits: 8, Algorithm: alg})
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("got %s, want %s", got, want)
				}
				r, err := Verify(keys[alg], want, time.Unix(tt.unix, 0), 0, alg)
				if err != nil || !r.Matched || r.Offset != 0 {
					t.Errorf("Verify = %+v, %v; want a match at offset 0", r, err)
				}
			})
		}
	}
	// protocol.md §6: 6 digits of the same vector.
	got, err := Code(keys[SHA1], time.Unix(59, 0), Options{})
	if err != nil || got != "287082" {
		t.Errorf("6-digit code = %q, %v; want 287082", got, err)
	}
}

type golden struct {
	Derivations []struct {
		Name  string   `json:"name"`
		Specs []string `json:"specs"`
		Seed  string   `json:"seed"`
	} `json:"derivations"`
	System struct {
		Root     string            `json:"root"`
		Hostname string            `json:"hostname"`
		Env      map[string]string `json:"env"`
	} `json:"system"`
}

func loadGolden(t *testing.T) (golden, *System) {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	sys := &System{
		Root:     g.System.Root,
		Hostname: func() (string, error) { return g.System.Hostname, nil },
		LookupEnv: func(k string) (string, bool) {
			v, ok := g.System.Env[k]
			return v, ok
		},
	}
	return g, sys
}

func TestGoldenDerivations(t *testing.T) {
	g, sys := loadGolden(t)
	if len(g.Derivations) < 4 {
		t.Fatalf("golden.json has %d derivations", len(g.Derivations))
	}
	for _, d := range g.Derivations {
		t.Run(d.Name, func(t *testing.T) {
			k, err := DeriveKeyFromSpecs(sys, d.Specs)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Hex(); got != d.Seed {
				t.Errorf("got %s, want %s", got, d.Seed)
			}
		})
	}
}

// testdata/codes.txt was written by oathtool 2.6.7.
func TestGoldenCodes(t *testing.T) {
	f, err := os.Open("testdata/codes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var seed, at, alg, want string
		var digits int
		if _, err := fmt.Sscan(sc.Text(), &seed, &at, &digits, &alg, &want); err != nil {
			t.Fatalf("codes.txt line %d: %v", n+1, err)
		}
		n++
		k, err := ParseHexKey(seed)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := ParseTime(at)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Code(k, ts, Options{Digits: digits, Algorithm: Algorithm(alg)})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: got %s, want %s", sc.Text(), got, want)
		}
	}
	if n < 90 {
		t.Fatalf("only %d golden codes", n)
	}
}

func TestLeadingZerosKept(t *testing.T) {
	// From codes.txt: step 0, sha256, 6 digits is 042413.
	k, _ := ParseHexKey("bbfd09975580f87a0677591ea183b2288e918d84")
	got, err := Code(k, time.Unix(0, 0), Options{Algorithm: SHA256})
	if err != nil || got != "042413" {
		t.Fatalf("got %q, %v; want 042413", got, err)
	}
	r, err := Verify(k, "042413", time.Unix(29, 0), 0, SHA256)
	if err != nil || !r.Matched {
		t.Fatalf("Verify = %+v, %v", r, err)
	}
	if r, _ := Verify(k, "42413 ", time.Unix(29, 0), 0, SHA256); r.Matched {
		t.Fatal("a code without its leading zero matched")
	}
}

func TestOrderDoesNotMatterDuplicatesRefused(t *testing.T) {
	_, sys := loadGolden(t)
	if _, err := DeriveKeyFromSpecs(sys, []string{"hostname", "machine-id", "hostname"}); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("duplicate spec: got %v, want ErrInvalidSpec", err)
	}
	if _, err := DeriveKeyFromSpecs(sys, []string{"file:testdata/monkey.bin", "file:./testdata/monkey.bin"}); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("duplicate after cleaning: got %v, want ErrInvalidSpec", err)
	}
	if _, err := DeriveKeyFromSpecs(sys, nil); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("no spec: got %v, want ErrInvalidSpec", err)
	}
	// The spec names are bound: swapping two values changes the key.
	a := &System{LookupEnv: func(k string) (string, bool) { return map[string]string{"A": "x", "B": "y"}[k], true }}
	b := &System{LookupEnv: func(k string) (string, bool) { return map[string]string{"A": "y", "B": "x"}[k], true }}
	ka, err := DeriveKeyFromSpecs(a, []string{"env:A", "env:B"})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := DeriveKeyFromSpecs(b, []string{"env:A", "env:B"})
	if err != nil {
		t.Fatal(err)
	}
	if ka.Hex() == kb.Hex() {
		t.Error("swapping the values of two sources gave the same key")
	}
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical, "" for an error
	}{
		{"file:/opt/monkey.jpg", "file:/opt/monkey.jpg"},
		{"file:/opt/../opt/./monkey.jpg", "file:/opt/monkey.jpg"},
		{"file:rel/x", "file:rel/x"},
		{"file:a:b", "file:a:b"},
		{"machine-id", "machine-id"},
		{"hostname", "hostname"},
		{"dmi:product_uuid", "dmi:product_uuid"},
		{"dmi:board_serial", "dmi:board_serial"},
		{"env:APP_ROLE", "env:APP_ROLE"},
		{"", ""},
		{"file:", ""},
		{"file", ""},
		{"file:a\x00b", ""},
		{"machine-id:x", ""},
		{"hostname:", ""},
		{"dmi:", ""},
		{"dmi:../../etc/shadow", ""},
		{"dmi:Product_UUID", ""},
		{"env:", ""},
		{"env:A=B", ""},
		{"cpu", ""},
		{"FILE:/x", ""},
		{" file:/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sp, err := ParseSpec(tt.in)
			if tt.want == "" {
				var se *SpecError
				if !errors.As(err, &se) || !errors.Is(err, ErrInvalidSpec) {
					t.Fatalf("got %v, %v; want a *SpecError with a hint", sp, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sp.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			again, err := ParseSpec(sp.String())
			if err != nil || again != sp {
				t.Errorf("canonical form does not parse back: %v, %v", again, err)
			}
		})
	}
}

// TestSourceErrors checks missing, empty and unreadable sources are errors
// that name the source and never carry its content.
func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	const secret = "s3cr3t-fingerprint-value"
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty", "", 0o600)
	blank := write("root-blank/etc/machine-id", " \n", 0o600)
	_ = blank
	write("root-blank/sys/class/dmi/id/product_uuid", "\n", 0o600)
	notDir := write("plain", secret, 0o600)
	unreadable := write("unreadable", secret, 0o000)
	sys := &System{
		Root:     filepath.Join(dir, "root-blank"),
		Hostname: func() (string, error) { return "", nil },
		LookupEnv: func(k string) (string, bool) {
			if k == "EMPTY" {
				return "", true
			}
			return "", false
		},
	}
	tests := []struct {
		spec   string
		target error
	}{
		{"file:" + filepath.Join(dir, "missing"), fs.ErrNotExist},
		{"file:" + empty, ErrEmptySource},
		{"file:" + dir, nil},
		{"file:" + notDir + "/x", nil},
		{"machine-id", fs.ErrNotExist}, // blank /etc/machine-id, no dbus copy
		{"dmi:product_uuid", ErrEmptySource},
		{"dmi:product_serial", fs.ErrNotExist},
		{"hostname", ErrEmptySource},
		{"env:EMPTY", ErrEmptySource},
		{"env:UNSET", fs.ErrNotExist},
		{"file:" + unreadable, fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			if tt.target == fs.ErrPermission && os.Geteuid() == 0 {
				t.Skip("root reads files of mode 0000")
			}
			_, err := DeriveKeyFromSpecs(sys, []string{tt.spec})
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SourceError", err)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("got %v, want errors.Is %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), strconv.Quote(se.Spec.String())) {
				t.Errorf("error %q does not name the source", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains the source's content", err)
			}
		})
	}
	// Several sources: the failing one is named.
	sys.LookupEnv = func(k string) (string, bool) { return "v", k == "OK" }
	_, err := DeriveKeyFromSpecs(sys, []string{"env:OK", "env:MISSING"})
	if err == nil || !strings.Contains(err.Error(), `"env:MISSING"`) {
		t.Errorf("got %v, want an error naming env:MISSING", err)
	}
}

func TestMachineIDFallback(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "var/lib/dbus/machine-id")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("0123456789abcdef0123456789abcdef\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, _ := loadGolden(t)
	k, err := DeriveKeyFromSpecs(&System{Root: root}, []string{"machine-id"})
	if err != nil {
		t.Fatal(err)
	}
	// The same ID as testdata/root/etc/machine-id gives the golden seed.
	if got, want := k.Hex(), g.Derivations[4].Seed; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestKeyRedacted(t *testing.T) {
	k := Key{0xde, 0xad, 0xbe, 0xef}
	for _, f := range []string{"%v", "%s", "%#v", "%+v", "%x", "%q"} {
		if got := fmt.Sprintf(f, k); strings.Contains(got, "dead") || strings.Contains(got, "\xde") {
			t.Errorf("%s prints the key: %q", f, got)
		}
	}
	if k.Hex() != "deadbeef" {
		t.Errorf("Hex = %s", k.Hex())
	}
}

func TestParseHexKey(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"3132", "3132"},
		{"ABCDEF\n", "abcdef"},
		{"  ab  ", "ab"},
		{"", ""},
		{"abc", ""},
		{"zz", ""},
		{"ab cd", ""},
		{"bbfd09975580f87a0677591ea183b2288e918d84  monkey.jpg", ""},
	}
	for _, tt := range tests {
		k, err := ParseHexKey(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%q: got %v, want ErrInvalidKey", tt.in, err)
			}
			continue
		}
		if err != nil || k.Hex() != tt.want {
			t.Errorf("%q: got %v, %v; want %s", tt.in, k.Hex(), err, tt.want)
		}
	}
}

func TestCodeErrors(t *testing.T) {
	k := Key("12345678901234567890")
	for _, d := range []int{1, 5, 9, -1} {
		if _, err := Code(k, time.Unix(59, 0), Options{Digits: d}); !errors.Is(err, ErrInvalidDigits) {
			t.Errorf("digits %d: got %v, want ErrInvalidDigits", d, err)
		}
	}
	if _, err := Code(k, time.Unix(59, 0), Options{Algorithm: "md5"}); !errors.Is(err, ErrInvalidAlgorithm) {
		t.Errorf("md5: got %v", err)
	}
	if _, err := Code(nil, time.Unix(59, 0), Options{}); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("empty key: got %v", err)
	}
	if _, err := Code(k, time.Unix(-1, 0), Options{}); !errors.Is(err, ErrBeforeEpoch) {
		t.Errorf("before epoch: got %v", err)
	}
	for _, s := range []string{"sha1", "SHA256", "sha-512", " Sha1 "} {
		if _, err := ParseAlgorithm(s); err != nil {
			t.Errorf("ParseAlgorithm(%q): %v", s, err)
		}
	}
	if _, err := ParseAlgorithm("md5"); !errors.Is(err, ErrInvalidAlgorithm) {
		t.Errorf("ParseAlgorithm(md5): %v", err)
	}
}

func TestStep(t *testing.T) {
	for _, tt := range []struct{ unix, want int64 }{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := Step(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("Step(%d) = %d, want %d", tt.unix, got, tt.want)
		}
	}
}

func mustCode(t *testing.T, k Key, step int64, digits int) string {
	t.Helper()
	c, err := CodeAtStep(k, step, Options{Digits: digits})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyOffsets(t *testing.T) {
	k := Key("12345678901234567890")
	ref := time.Unix(1795290582, 0) // step 59843019
	c := Step(ref)
	for window := 0; window <= 3; window++ {
		for d := -4; d <= 4; d++ {
			code := mustCode(t, k, c+int64(d), 7)
			r, err := Verify(k, code, ref, window, SHA1)
			if err != nil {
				t.Fatal(err)
			}
			abs := max(d, -d)
			if want := abs <= window; r.Matched != want {
				t.Errorf("window %d, delta %d: matched %v, want %v", window, d, r.Matched, want)
				continue
			}
			if r.Matched && (r.Offset != abs || r.Delta != d || r.Step != c+int64(d)) {
				t.Errorf("window %d, delta %d: got %+v", window, d, r)
			}
		}
	}
	bad := []string{"", "12345", "123456789", "12345a", " 12345", "+12345", "１２３４５６"}
	for _, code := range bad {
		if r, err := Verify(k, code, ref, 1, SHA1); !errors.Is(err, ErrInvalidCode) || r.Matched {
			t.Errorf("code %q: got %+v, %v; want ErrInvalidCode", code, r, err)
		}
	}
	for _, w := range []int{-1, MaxWindow + 1} {
		if _, err := Verify(k, "123456", ref, w, SHA1); !errors.Is(err, ErrInvalidWindow) {
			t.Errorf("window %d: got %v", w, err)
		}
	}
	// Steps before the epoch never match (and do not fail).
	if r, err := Verify(k, mustCode(t, k, 0, 6), time.Unix(10, 0), 2, SHA1); err != nil || !r.Matched || r.Offset != 0 {
		t.Errorf("at the epoch: %+v, %v", r, err)
	}
}

// TestSeedScriptPolicy: legit exactly for steps k-2, k-1, k of the event
// time (protocol.md §6).
func TestSeedScriptPolicy(t *testing.T) {
	k := Key("12345678901234567890")
	for _, sec := range []int64{0, 1, 29} {
		event := time.Unix(1795290570+sec, 0) // 1795290570 is a step boundary
		kStep := Step(event)
		for d := int64(-4); d <= 2; d++ {
			code := mustCode(t, k, kStep+d, 6)
			r, err := VerifyWithPolicy(k, code, event, SeedScriptPolicy)
			if err != nil {
				t.Fatal(err)
			}
			if want := d >= -2 && d <= 0; r.Matched != want {
				t.Errorf("event +%ds, step k%+d: legit %v, want %v", sec, d, r.Matched, want)
			}
		}
	}
	if r, err := VerifyWithPolicy(k, "", time.Unix(1795290570, 0), SeedScriptPolicy); !errors.Is(err, ErrInvalidCode) || r.Matched {
		t.Errorf("empty code: %+v, %v", r, err)
	}
	// A stricter policy: window 2 but offset at most 1.
	p := Policy{Name: "strict", Window: 2, MaxOffset: 1}
	ev := time.Unix(1795290570, 0)
	if r, _ := VerifyWithPolicy(k, mustCode(t, k, Step(ev)+2, 6), ev, p); r.Matched || r.Offset != 2 {
		t.Errorf("offset 2 under MaxOffset 1: %+v", r)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 21, 19, 49, 42, 0, time.UTC)
	ok := []string{
		"2026-11-21T19:49:42Z",
		"2026-11-21T20:49:42+01:00",
		"2026-11-21T19:49:42.000Z",
		"2026-11-21 19:49:42Z",
		"2026-11-21 19:49:42+00:00",
		"2026-11-21 14:49:42 -0500",
		"@1795290582",
		" @1795290582\n",
		"Sat, 21 Nov 2026 19:49:42 +0000",
		"Sat, 21 Nov 2026 20:49:42 +0100",
		"Sat, 21 Nov 2026 19:49:42 GMT",
		"Sat, 21 Nov 2026 19:49:42 UTC",
		"Sat Nov 21 19:49:42 UTC 2026",
		"2026-11-21 19:49:42 UTC",
	}
	for _, s := range ok {
		got, err := ParseTime(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%q: got %v, want %v", s, got, want)
		}
	}
	if got, err := ParseTime("@-5"); err != nil || got.Unix() != -5 {
		t.Errorf("@-5: %v, %v", got, err)
	}
	bad := []string{"", "now", "@", "@+5", "@1.5", "@abc", "@99999999999999999999", "2026-11-21T19:49:42", "2026-11-21 19:49:42", "Sat, 21 Nov 2026 19:49:42 PST", "21/11/2026", "1795290582"}
	for _, s := range bad {
		if _, err := ParseTime(s); !errors.Is(err, ErrInvalidTime) {
			t.Errorf("%q: got %v, want ErrInvalidTime", s, err)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"file:/opt/monkey.jpg", "machine-id", "dmi:product_uuid", "hostname", "env:X", "file:", "dmi:../x", "env:A=B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("error %v is not ErrInvalidSpec", err)
			}
			return
		}
		again, err := ParseSpec(sp.String())
		if err != nil || again != sp {
			t.Fatalf("%q: canonical %q parses to %v, %v", s, sp.String(), again, err)
		}
		if sp.Kind == KindDMI && strings.ContainsAny(sp.Arg, "/.") {
			t.Fatalf("%q: DMI field escapes the directory", s)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-21T19:49:42Z", "@1795290582", "Sat, 21 Nov 2026 19:49:42 +0000", "@-1", "2026-11-21 19:49:42 UTC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidTime) {
				t.Fatalf("error %v is not ErrInvalidTime", err)
			}
			return
		}
		// Every accepted time round-trips through @UNIX.
		again, err := ParseTime("@" + strconv.FormatInt(tm.Unix(), 10))
		if err != nil || again.Unix() != tm.Unix() {
			t.Fatalf("%q: @%d gives %v, %v", s, tm.Unix(), again, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("12345678901234567890"), "287082", int64(59), 1)
	f.Fuzz(func(t *testing.T, key []byte, code string, unix int64, window int) {
		window %= 4
		if window < 0 {
			window = -window
		}
		r, err := Verify(Key(key), code, time.Unix(unix, 0), window, SHA1)
		if err != nil {
			if r.Matched {
				t.Fatal("matched with an error")
			}
			return
		}
		if r.Matched {
			want, err := CodeAtStep(Key(key), r.Step, Options{Digits: len(code)})
			if err != nil || want != code || r.Offset > window {
				t.Fatalf("match %+v not confirmed: %s, %v", r, want, err)
			}
		}
	})
}

func TestHexRoundTrip(t *testing.T) {
	k := Key{0, 1, 2, 0xff}
	got, err := ParseHexKey(k.Hex())
	if err != nil || hex.EncodeToString(got) != "000102ff" {
		t.Fatalf("got %x, %v", []byte(got), err)
	}
}
