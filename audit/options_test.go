package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestOptionChecks: each setting rule refuses what it should with an
// *OptionError naming the setting, and the texts callers restate.
func TestOptionChecks(t *testing.T) {
	ok := audit.Options{MaxRecordBytes: audit.DefaultMaxRecordBytes}
	for _, tt := range []struct {
		name string
		err  error
		rule error  // nil: no error wanted
		text string // the error's text
	}{
		{"options ok", ok.Check(), nil, ""},
		{"jobs", audit.Options{Jobs: -2, MaxRecordBytes: 1 << 20}.Check(), audit.ErrNegative, "jobs -2 is negative"},
		{"max record", audit.Options{MaxRecordBytes: 1023}.Check(), audit.ErrTooSmall, "max-record-bytes 1023 is too small"},
		{"zero max record", audit.Options{}.Check(), audit.ErrTooSmall, "max-record-bytes 0 is too small"},
		{"field path", audit.Options{MaxRecordBytes: 1 << 20, SessionNameFields: []string{"a", "a..b"}}.Check(), nil,
			`session-name-field "a..b": empty segment: want dot-separated names like responseElements.x509Subject`},
		{"stream ok", audit.StreamOptions{Horizon: time.Minute, IndexSize: 16}.Check(), nil, ""},
		{"short horizon", audit.StreamOptions{Horizon: 10 * time.Second, IndexSize: 16}.Check(), audit.ErrOutOfRange, "replay-horizon 10s is out of range 1m..168h"},
		{"long horizon", audit.StreamOptions{Horizon: 169 * time.Hour, IndexSize: 16}.Check(), audit.ErrOutOfRange, "replay-horizon 169h0m0s is out of range 1m..168h"},
		{"index", audit.StreamOptions{Horizon: time.Hour, IndexSize: 15}.Check(), audit.ErrTooSmall, "replay-index-size 15 is too small (at least 16)"},
		{"policy ok", audit.CheckPolicy(totp.SeedScriptPolicy), nil, ""},
		{"default digits", audit.CheckPolicy(totp.Policy{Digits: 0, Window: 100, Lag: -time.Hour}), nil, ""},
		{"window", audit.CheckPolicy(totp.Policy{Window: 101}), audit.ErrOutOfRange, "window 101 is out of range 0..100"},
		{"negative window", audit.CheckPolicy(totp.Policy{Window: -1}), audit.ErrOutOfRange, "window -1 is out of range 0..100"},
		{"digits", audit.CheckPolicy(totp.Policy{Digits: 9}), audit.ErrDigits, "digits 9 is not 6, 7 or 8"},
		{"skew", audit.CheckPolicy(totp.Policy{Lag: 2 * time.Hour}), audit.ErrOutOfRange, "skew 2h0m0s is out of range -1h..1h"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.text == "" {
				if tt.err != nil {
					t.Fatalf("got %v, want nil", tt.err)
				}
				return
			}
			var oe *audit.OptionError
			if !errors.As(tt.err, &oe) {
				t.Fatalf("got %v, want an *OptionError", tt.err)
			}
			if got := tt.err.Error(); got != tt.text {
				t.Errorf("got %q, want %q", got, tt.text)
			}
			if tt.rule != nil && !errors.Is(tt.err, tt.rule) {
				t.Errorf("%v does not wrap %v", tt.err, tt.rule)
			}
		})
	}
}
