package signer

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		o    LoadOptions
		want error // nil for valid
	}{
		{"explicit", LoadOptions{Certificate: "c.pem", PrivateKey: "k.pem"}, nil},
		{"acme dir", LoadOptions{AcmeDir: "/etc/lego", Domain: "h"}, nil},
		{"both sources", LoadOptions{Certificate: "c.pem", AcmeDir: "/etc/lego", Domain: "h"}, ErrSourceConflict},
		{"acme dir without domain", LoadOptions{AcmeDir: "/etc/lego"}, ErrAcmeDirOrDomain},
		{"domain without acme dir", LoadOptions{Domain: "h"}, ErrAcmeDirOrDomain},
		{"nothing", LoadOptions{}, ErrNoCertificatePath},
		{"key only", LoadOptions{PrivateKey: "k.pem"}, ErrNoCertificatePath},
		{"no key", LoadOptions{Certificate: "missing.pem"}, ErrNoPrivateKeyPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.o.Validate(); err != tt.want {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	for _, field := range []string{"Certificate", "PrivateKey"} {
		o := LoadOptions{Certificate: "c.pem", PrivateKey: "k.pem"}
		if field == "Certificate" {
			o.Certificate = "pkcs11:token=x"
		} else {
			o.PrivateKey = "pkcs11:token=x;object=k"
		}
		var pe *PKCS11Error
		if err := o.Validate(); !errors.As(err, &pe) || pe.Field != field {
			t.Errorf("%s: got %v, want a *PKCS11Error for it", field, err)
		}
	}
}

func TestConfigCheckRequired(t *testing.T) {
	const (
		ta   = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a"
		prof = "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p"
		role = "arn:aws:iam::123456789012:role/r"
	)
	name := func(time.Time) (string, error) { return "123456", nil }
	tests := []struct {
		name  string
		cfg   Config
		field string // "" for valid
		rule  error
	}{
		{"all three", Config{TrustAnchorARN: ta, ProfileARN: prof, RoleARN: role}, "", nil},
		{"computed name alone", Config{TrustAnchorARN: ta, ProfileARN: prof, RoleARN: role, SessionName: name}, "", nil},
		{"none: trust anchor first", Config{}, "TrustAnchorARN", ErrRequired},
		{"no profile", Config{TrustAnchorARN: ta, RoleARN: role}, "ProfileARN", ErrRequired},
		{"no role", Config{TrustAnchorARN: ta, ProfileARN: prof}, "RoleARN", ErrRequired},
		{"fixed and computed name", Config{TrustAnchorARN: ta, ProfileARN: prof, RoleARN: role, RoleSessionName: "x1", SessionName: name}, "RoleSessionName", ErrSessionNameConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.CheckRequired()
			var fe *FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("got %v, want nil", err)
			case tt.field == "":
			case !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, tt.rule):
				t.Fatalf("got %v, want a FieldError for %s wrapping %v", err, tt.field, tt.rule)
			case strings.Contains(err.Error(), "x1"):
				t.Errorf("%q repeats the session name", err)
			}
		})
	}
}

func TestSignStringOptionsCheck(t *testing.T) {
	tests := []struct {
		name string
		o    SignStringOptions
		want error // nil for valid; a *PKCS11Error's Field below
		pkcs string
	}{
		{"key", SignStringOptions{PrivateKey: "k.pem", Digest: "SHA256", Format: "json"}, nil, ""},
		{"pkcs12 certificate", SignStringOptions{Certificate: "c.p12", Digest: "SHA512", Format: "bin"}, nil, ""},
		{"no key", SignStringOptions{Digest: "SHA256", Format: "json"}, ErrNoPrivateKeyPath, ""},
		{"pkcs11 key", SignStringOptions{PrivateKey: "pkcs11:token=x", Digest: "SHA256", Format: "json"}, nil, "PrivateKey"},
		{"pkcs11 certificate", SignStringOptions{Certificate: "pkcs11:token=x", Digest: "SHA256", Format: "json"}, nil, "Certificate"},
		{"digest", SignStringOptions{PrivateKey: "k.pem", Digest: "sha256", Format: "json"}, ErrUnsupportedDigest, ""},
		{"format", SignStringOptions{PrivateKey: "k.pem", Digest: "SHA256", Format: "yaml"}, ErrUnsupportedFormat, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Check()
			var pe *PKCS11Error
			switch {
			case tt.pkcs != "":
				if !errors.As(err, &pe) || pe.Field != tt.pkcs {
					t.Errorf("got %v, want a PKCS11Error for %s", err, tt.pkcs)
				}
			case tt.want == nil && err != nil:
				t.Errorf("got %v, want nil", err)
			case !errors.Is(err, tt.want):
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}
