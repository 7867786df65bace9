package emulator_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestOptionsValidate: the rules of a standalone emulator's options (this
// was serve-emulator's validate in package main), each refusal an
// *emulator.OptionError naming the option.
func TestOptionsValidate(t *testing.T) {
	base := emulator.Options{AnchorFiles: []string{"a.pem"}, Listen: "127.0.0.1:0", Region: "us-east-1", MaxSkew: 5 * time.Minute}
	for _, tc := range []struct {
		name    string
		mod     func(*emulator.Options)
		option  string // "" valid
		wantErr error  // nil: the parser's error
	}{
		{name: "ok", mod: func(*emulator.Options) {}},
		{name: "ipv6 loopback", mod: func(o *emulator.Options) { o.Listen = "[::1]:0" }},
		{name: "localhost", mod: func(o *emulator.Options) { o.Listen = "localhost:9911" }},
		{name: "remote allowed", mod: func(o *emulator.Options) { o.Listen = ":8080"; o.AllowRemote = true }},
		{name: "tls", mod: func(o *emulator.Options) { o.TLS = true; o.CAFile = "ca.pem" }},
		{name: "pattern and faults", mod: func(o *emulator.Options) {
			o.SessionNamePattern = "^[0-9]{6}$"
			o.Faults = []string{"429x2", "truncate"}
		}},
		{name: "empty entries dropped", mod: func(o *emulator.Options) { o.RoleARNs = []string{" "}; o.Faults = []string{""} }},
		{name: "no anchor", mod: func(o *emulator.Options) { o.AnchorFiles = nil }, option: "anchor-cert", wantErr: emulator.ErrRequired},
		{name: "empty anchor", mod: func(o *emulator.Options) { o.AnchorFiles = []string{""} }, option: "anchor-cert", wantErr: emulator.ErrRequired},
		{name: "all interfaces", mod: func(o *emulator.Options) { o.Listen = ":8080" }, option: "listen", wantErr: emulator.ErrNotLoopback},
		{name: "bad listen", mod: func(o *emulator.Options) { o.Listen = "8080" }, option: "listen"},
		{name: "tls without ca-out", mod: func(o *emulator.Options) { o.TLS = true }, option: "tls", wantErr: emulator.ErrCAFileRequired},
		{name: "ca-out without tls", mod: func(o *emulator.Options) { o.CAFile = "x" }, option: "ca-out", wantErr: emulator.ErrCAFileWithoutTLS},
		{name: "skew", mod: func(o *emulator.Options) { o.MaxSkew = 0 }, option: "max-skew", wantErr: emulator.ErrNotPositive},
		{name: "bad arn", mod: func(o *emulator.Options) { o.ProfileARNs = []string{"profile/x"} }, option: "profile-arn"},
		{name: "no region", mod: func(o *emulator.Options) { o.Region = "" }, option: "region", wantErr: emulator.ErrRequired},
		{name: "bad pattern", mod: func(o *emulator.Options) { o.SessionNamePattern = "[" }, option: "session-name-pattern"},
		{name: "bad fault", mod: func(o *emulator.Options) { o.Faults = []string{"200"} }, option: "fault", wantErr: emulator.ErrFaultSpec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			err := o.Validate()
			if tc.option == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var oe *emulator.OptionError
			if !errors.As(err, &oe) || oe.Option != tc.option {
				t.Fatalf("got %v, want an *OptionError for %q", err, tc.option)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestOptionsConfig: Config reads the anchor files and carries the plain
// values into the Config a Server starts from.
func TestOptionsConfig(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, testpki.CertPEM(h.Root.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	o := emulator.Options{AnchorFiles: []string{root}, Listen: "127.0.0.1:0", Region: "eu-west-1", AccountID: "111122223333",
		MaxSkew: time.Minute, NoAcceptRoleSessionName: true, SessionNamePattern: "^[0-9]{6}$", Faults: []string{"429x2", "500"}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg, faults, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.AnchorCerts) != 1 || !cfg.AnchorCerts[0].Equal(h.Root.Cert) {
		t.Errorf("anchors %v, want the root", cfg.AnchorCerts)
	}
	if cfg.Region != "eu-west-1" || cfg.AccountID != "111122223333" || cfg.MaxSkew != time.Minute {
		t.Errorf("got region %q, account %q, skew %v", cfg.Region, cfg.AccountID, cfg.MaxSkew)
	}
	if cfg.AcceptRoleSessionName == nil || *cfg.AcceptRoleSessionName || cfg.SessionNamePattern == nil || !cfg.SessionNamePattern.MatchString("123456") {
		t.Errorf("got AcceptRoleSessionName %v, pattern %v", cfg.AcceptRoleSessionName, cfg.SessionNamePattern)
	}
	if len(faults) != 2 || faults[0].Status != 429 || faults[0].Count != 2 || faults[1].Status != 500 {
		t.Errorf("faults %+v, want 429x2 then 500", faults)
	}
	if _, err := emulator.New(cfg); err != nil {
		t.Errorf("New: %v", err)
	}
	if b := o.Banner("http://x"); b.URL != "http://x" || !b.NoAcceptName || b.SessionPattern != o.SessionNamePattern || len(b.Faults) != 2 {
		t.Errorf("banner %+v", b)
	}
}

// TestReadAnchorFile: a trust anchor file is a PEM file of CA
// certificates; every other file is an *AnchorFileError with signer's or
// CheckAnchor's error inside.
func TestReadAnchorFile(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	both := write("both.pem", testpki.CertPEM(h.Root.Cert, h.Intermediates[0].Cert))
	certs, err := emulator.ReadAnchorFile(both)
	if err != nil || len(certs) != 2 {
		t.Fatalf("got %d certificates, %v; want 2", len(certs), err)
	}
	var (
		fe  *signer.FileError
		ce  *signer.CertificateError
		nca *emulator.NotCAError
	)
	for _, tc := range []struct {
		name   string
		path   string
		target any
	}{
		{"missing", filepath.Join(dir, "missing.pem"), &fe},
		{"garbage", write("garbage.pem", []byte("garbage\n")), &ce},
		{"leaf", write("leaf.pem", testpki.CertPEM(h.Leaf.Cert)), &nca},
	} {
		_, err := emulator.ReadAnchorFile(tc.path)
		var ae *emulator.AnchorFileError
		if !errors.As(err, &ae) || ae.Path != tc.path || !errors.As(err, tc.target) {
			t.Errorf("%s: got %v, want an *AnchorFileError for %s wrapping %T", tc.name, err, tc.path, tc.target)
		}
	}
}
