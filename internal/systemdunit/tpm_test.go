package systemdunit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTPMFlow: with a TPMKey lego issues from the CSR, only the helper's
// unit opens the TPM device, the password comes through LoadCredential.
func TestTPMFlow(t *testing.T) {
	o := valid()
	o.TPMKey = "/etc/lego/certificates/host.example.com.key"
	o.TPMKeyPasswordFile = "/etc/acme-signing-helper/tpm-key-password"
	files, err := Files(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		c := string(f.Content)
		switch {
		case strings.HasPrefix(f.Name, "lego-") && strings.HasSuffix(f.Name, ".service"):
			if !strings.Contains(c, " --csr /etc/lego/host.example.com.csr ") || strings.Contains(c, "--domains") {
				t.Errorf("%s: lego does not issue from the CSR:\n%s", f.Name, c)
			}
			if !strings.Contains(c, "\nPrivateDevices=yes\n") || strings.Contains(c, "DeviceAllow") {
				t.Errorf("%s: lego may open devices:\n%s", f.Name, c)
			}
		case f.Name == "acme-signing-helper-serve.service":
			for _, line := range []string{"DevicePolicy=closed", "DeviceAllow=/dev/tpmrm0 rw", "SupplementaryGroups=acme-cert tss",
				"LoadCredential=tpm-key-password:/etc/acme-signing-helper/tpm-key-password"} {
				if !strings.Contains(c, "\n"+line+"\n") {
					t.Errorf("%s: no %q:\n%s", f.Name, line, c)
				}
			}
			if strings.Contains(c, "PrivateDevices=yes") {
				t.Errorf("%s: PrivateDevices=yes hides the TPM", f.Name)
			}
		case f.Name == "acme-signing-helper.env":
			if !strings.Contains(c, "\nACME_SIGNING_HELPER_PRIVATE_KEY="+o.TPMKey+"\n") || !strings.Contains(c, "\nACME_SIGNING_HELPER_TPM_DEVICE=/dev/tpmrm0\n") {
				t.Errorf("%s lacks the TPM key or device:\n%s", f.Name, c)
			}
			if strings.Contains(c, "password") {
				t.Errorf("%s names the password:\n%s", f.Name, c)
			}
		}
	}
}

func TestTPMCheck(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*Options)
		option string
		rule   error
	}{
		{"short handle", func(o *Options) { o.TPMKey = "handle:0x1234" }, "tpm-key", ErrNotTPMKey},
		{"transient handle", func(o *Options) { o.TPMKey = "handle:0x80000001" }, "tpm-key", ErrNotTPMKey},
		{"relative key", func(o *Options) { o.TPMKey = "key.pem" }, "tpm-key", ErrNotTPMKey},
		{"device", func(o *Options) { o.TPMKey, o.TPMDevice = "handle:0x81000001", "tpm0" }, "tpm-device", ErrNotTPMDevice},
		{"unix relative", func(o *Options) { o.TPMKey, o.TPMDevice = "handle:0x81000001", "unix:sock" }, "tpm-device", ErrNotTPMDevice},
		{"csr", func(o *Options) { o.TPMKey, o.CSR = "handle:0x81000001", "host.csr" }, "csr", ErrNotAbsolutePath},
		{"password file", func(o *Options) { o.TPMKey, o.TPMKeyPasswordFile = "handle:0x81000001", "/etc/pw file" }, "tpm-key-password-file", ErrNotAbsolutePath},
		{"group", func(o *Options) { o.TPMKey, o.TPMGroup = "handle:0x81000001", "TSS!" }, "tpm-group", ErrNotUserName},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.change(&o)
			err := o.Check()
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Option != tt.option || !errors.Is(err, tt.rule) {
				t.Fatalf("got %v, want option %s breaking %v", err, tt.option, tt.rule)
			}
		})
	}
	for _, dev := range []string{"/dev/tpm0", "unix:/run/swtpm/sock", "mssim:127.0.0.1:2321", "mssim:[::1]:2321"} {
		o := valid()
		o.TPMKey, o.TPMDevice = "handle:0x81000001", dev
		if err := o.Check(); err != nil {
			t.Errorf("--tpm-device %s: %v", dev, err)
		}
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "units")
	files := []File{{Name: "a.service", Content: []byte("[Unit]\n")}, {Name: "b.timer", Content: []byte("[Timer]\n")}}
	var wrote []string
	if err := WriteDir(dir, files, func(p string) { wrote = append(wrote, filepath.Base(p)) }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(wrote, " "); got != "a.service b.timer" {
		t.Errorf("got wrote %q, want a.service b.timer", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b.timer")); err != nil || string(b) != "[Timer]\n" {
		t.Errorf("b.timer: %q, %v", b, err)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	var we *WriteError
	if err := WriteDir(filepath.Join(blocker, "sub"), files, nil); !errors.As(err, &we) || !we.Dir {
		t.Errorf("got %v, want a *WriteError for the directory", err)
	}
	if got, want := string(Concat(files)), "### a.service\n[Unit]\n\n### b.timer\n[Timer]\n"; got != want {
		t.Errorf("Concat: got %q, want %q", got, want)
	}
}
