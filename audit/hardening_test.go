package audit

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestHardeningTruncatedReplay is issue 13 point 1, the red-team cases:
// someone who saw one legit 8-digit session name in CloudTrail and holds a
// copy of the certificate and key creates sessions named after its last 6
// and 7 digits (HOTP truncation makes them valid codes of the same step).
// The digit count comes from configuration (Policy.Digits, the database's
// "digits"), never from the session name, and a shorter code that is the
// tail of a longer code seen from another source is a replay. Each case
// runs through Detect and Stream.
func TestHardeningTruncatedReplay(t *testing.T) {
	const subject = "CN=foo.not-your-co.com"
	at := time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
	code8, err := totp.Code(testKey, at, totp.Options{Digits: 8})
	if err != nil {
		t.Fatal(err)
	}
	code6, code7 := code8[2:], code8[1:]
	if c, _ := totp.Code(testKey, at, totp.Options{Digits: 6}); c != code6 {
		t.Fatalf("HOTP truncation: the 6-digit code %s is not the tail of %s", c, code8)
	}
	seed := hex.EncodeToString(testKey)
	dbDefault := fmt.Sprintf(`[{%q: %q}]`, subject, seed)
	db8 := fmt.Sprintf(`[{%q: %q, "digits": 8}]`, subject, seed)
	legit := createSession(at, subject, code8, "192.0.2.1")
	t6 := createSession(at.Add(20*time.Second), subject, code6, "203.0.113.7")
	t7 := createSession(at.Add(25*time.Second), subject, code7, "203.0.113.7")
	same6 := createSession(at.Add(20*time.Second), subject, code6, "192.0.2.1")

	tests := []struct {
		name    string
		db      string
		digits  int // Policy.Digits (detect --digits); 0: the default 6
		records []string
		want    []string // verdict and a piece of the reason, per session in time order
	}{
		{"the workload sends 8 digits, the database says so", db8, 0, []string{legit, t6, t7},
			[]string{"legit", "mismatch code has 6 digits, the configured length for \"foo.not-your-co.com\" is 8", "mismatch code has 7 digits"}},
		{"the workload sends 8 digits, --digits 8", dbDefault, 8, []string{legit, t6, t7},
			[]string{"legit", "mismatch code has 6 digits", "mismatch code has 7 digits"}},
		{"the database's digits win over --digits", db8, 6, []string{legit, t6},
			[]string{"legit", "mismatch code has 6 digits"}},
		{"misconfigured: 8 digits sent, 6 expected; the tail from elsewhere is a replay", dbDefault, 0, []string{legit, t6, t7},
			[]string{"mismatch code has 8 digits, the configured length for \"foo.not-your-co.com\" is 6", "replay code is the last 6 digits of the 8-digit code of the same step seen for \"foo.not-your-co.com\" at 2026-11-21T19:49:41Z from 192.0.2.1; now from 203.0.113.7", "mismatch code has 7 digits"}},
		{"--digits 7: the 7-digit tail from elsewhere is a replay", dbDefault, 7, []string{legit, t7},
			[]string{"mismatch code has 8 digits", "replay code is the last 7 digits of the 8-digit code"}},
		{"the tail from the same source is not a replay", dbDefault, 0, []string{legit, same6},
			[]string{"mismatch code has 8 digits", "legit"}},
		{"a 6-digit code alone stays legit", dbDefault, 0, []string{t6},
			[]string{"legit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := ParseDB([]byte(tt.db))
			if err != nil {
				t.Fatal(err)
			}
			p := totp.SeedScriptPolicy
			p.Digits = tt.digits
			c := &Checker{DB: db, Policy: p}
			path := write(t, t.TempDir(), "events.jsonl", []byte(strings.Join(tt.records, "\n")+"\n"))
			batch, _, err := Detect(context.Background(), []string{path}, Options{}, c)
			if err != nil {
				t.Fatal(err)
			}
			streamed, _ := stream(t, []string{path}, Options{}, StreamOptions{}, c)
			for mode, rs := range map[string][]Result{"detect": batch, "detect --stream": streamed} {
				if len(rs) != len(tt.want) {
					t.Fatalf("%s: got %d results, want %d: %v", mode, len(rs), len(tt.want), resultKeys(rs))
				}
				for i, r := range rs {
					verdict, reason, _ := strings.Cut(tt.want[i], " ")
					if string(r.Verdict) != verdict || !strings.Contains(r.Reason, reason) {
						t.Errorf("%s: session %d (%q from %s): got %s %q, want %s %q", mode, i, r.SessionName, r.SourceIP, r.Verdict, r.Reason, verdict, reason)
					}
				}
			}
		})
	}
}

// TestHardeningSeedDBDigits: the database's "digits" sits next to the seed
// (where the seed script's jq still finds the seed), applies to the
// identities of its object, and is refused when it is not 6, 7 or 8 or
// disagrees for one identity.
func TestHardeningSeedDBDigits(t *testing.T) {
	seed := hex.EncodeToString(testKey)
	tests := []struct {
		name string
		db   string
		want map[string]int // identity -> Digits
		bad  bool
	}{
		{"digits after the seed", `[{"CN=a": "` + seed + `", "digits": 8}]`, map[string]int{"a": 8}, false},
		{"digits before the seed", `[{"digits": 7, "CN=a": "` + seed + `"}]`, map[string]int{"a": 7}, false},
		{"no digits", `[{"CN=a": "` + seed + `"}]`, map[string]int{"a": 0}, false},
		{"only that object", `[{"CN=a": "` + seed + `", "digits": 8}, {"CN=b": "` + seed + `"}]`, map[string]int{"a": 8, "b": 0}, false},
		{"an identity named digits", `[{"digits": "` + seed + `"}]`, map[string]int{"digits": 0}, false},
		{"digits 5", `[{"CN=a": "` + seed + `", "digits": 5}]`, nil, true},
		{"digits 6.5", `[{"CN=a": "` + seed + `", "digits": 6.5}]`, nil, true},
		{"digits twice", `[{"CN=a": "` + seed + `", "digits": 6, "digits": 8}]`, nil, true},
		{"digits alone", `[{"digits": 8}]`, nil, true},
		{"two lengths for one identity", `[{"CN=a": "` + seed + `", "digits": 8}, {"a": "` + seed + `", "digits": 6}]`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := ParseDB([]byte(tt.db))
			if tt.bad {
				if err == nil {
					t.Fatalf("got nil error, want one")
				}
				if strings.Contains(err.Error(), seed) {
					t.Fatalf("error %q shows the seed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, d := range tt.want {
				if got := db.Digits(id); got != d {
					t.Errorf("Digits(%q) = %d, want %d", id, got, d)
				}
				if _, ok := db.Key(id); !ok {
					t.Errorf("Key(%q) missing", id)
				}
			}
			// 'totp enroll' rewrites the database: the digits survive.
			sdb, err := totp.ParseSeedDB([]byte(tt.db))
			if err != nil {
				t.Fatal(err)
			}
			b, err := sdb.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseDB(b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			for id, d := range tt.want {
				if got := again.Digits(id); got != d {
					t.Errorf("after a rewrite, Digits(%q) = %d, want %d (%s)", id, got, d, b)
				}
			}
		})
	}
}
