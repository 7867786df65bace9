package signer

import (
	"errors"
	"testing"
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
