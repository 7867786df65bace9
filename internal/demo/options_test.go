package demo

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestOptionsValidate: the rules of the demo's options (this was demo's
// validate in package main), each refusal an *OptionError naming the
// option and the rule.
func TestOptionsValidate(t *testing.T) {
	base := Options{Domain: "host.example.com", KeyType: "p256", DurationSeconds: 3600}
	var specErr *totp.SpecError
	for _, tc := range []struct {
		name    string
		mod     func(*Options)
		option  string // "" valid
		wantErr any    // a sentinel error or a pointer for errors.As
	}{
		{name: "ok", mod: func(*Options) {}},
		{name: "rsa", mod: func(o *Options) { o.KeyType = "rsa3072" }},
		{name: "no totp", mod: func(o *Options) { o.NoTOTP = true }},
		{name: "no totp and a name", mod: func(o *Options) { o.NoTOTP = true; o.RoleSessionName = "x1" }},
		{name: "fingerprint", mod: func(o *Options) { o.Fingerprints = []string{"machine-id", "hostname"} }},
		{name: "ed25519", mod: func(o *Options) { o.KeyType = "ed25519" }, option: "key-type", wantErr: ErrKeyType},
		{name: "p224", mod: func(o *Options) { o.KeyType = "p224" }, option: "key-type", wantErr: ErrKeyType},
		{name: "empty domain", mod: func(o *Options) { o.Domain = "" }, option: "domain", wantErr: ErrNotDNSName},
		{name: "path as domain", mod: func(o *Options) { o.Domain = "../x" }, option: "domain", wantErr: ErrNotDNSName},
		{name: "short", mod: func(o *Options) { o.DurationSeconds = 899 }, option: "session-duration", wantErr: ErrOutOfRange},
		{name: "long", mod: func(o *Options) { o.DurationSeconds = 43201 }, option: "session-duration", wantErr: ErrOutOfRange},
		{name: "fingerprint and no totp", mod: func(o *Options) { o.Fingerprints = []string{"machine-id"}; o.NoTOTP = true }, option: "no-totp", wantErr: ErrExclusive},
		{name: "fingerprint and a name", mod: func(o *Options) { o.Fingerprints = []string{"machine-id"}; o.RoleSessionName = "x1" }, option: "role-session-name", wantErr: ErrExclusive},
		{name: "bad fingerprint", mod: func(o *Options) { o.Fingerprints = []string{"cpu"} }, option: "fingerprint", wantErr: &specErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			err := o.Validate()
			if tc.option == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Option != tc.option {
				t.Fatalf("got %v, want an *OptionError for %q", err, tc.option)
			}
			if target, ok := tc.wantErr.(error); ok && !errors.Is(err, target) {
				t.Errorf("got %v, want %v", err, target)
			} else if !ok && !errors.As(err, tc.wantErr) {
				t.Errorf("got %v, want a %T inside", err, tc.wantErr)
			}
		})
	}
}

// TestRunDerivesKeyFirst: with Fingerprints and no FingerprintKey, Run
// derives the key before it prints or makes anything, so a bad source
// leaves no output.
func TestRunDerivesKeyFirst(t *testing.T) {
	var out bytes.Buffer
	bad := errors.New("source unreadable")
	o := Options{Domain: "host.example.com", KeyType: "p256", DurationSeconds: 3600, Fingerprints: []string{"file:/nonexistent"},
		Stdout: &out, TempDir: filepath.Join(t.TempDir(), "missing"),
		DeriveKey: func([]string) (totp.Key, error) { return nil, bad }}
	if err := Run(context.Background(), o); !errors.Is(err, bad) {
		t.Fatalf("got %v, want the derivation's error", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q before failing", out.String())
	}
}
