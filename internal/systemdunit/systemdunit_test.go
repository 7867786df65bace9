package systemdunit

import (
	"errors"
	"strings"
	"testing"
)

func valid() Options {
	return Options{
		Mode: "serve", Domain: "host.example.com", Email: "ops@example.com", DNS: "route53",
		DNSEnvDir: "/etc/iam_aws_dns", LegoPath: "/etc/lego", LegoBinary: "/usr/local/bin/lego",
		LegoUser: "lego", CertGroup: "acme-cert", Binary: "/usr/local/bin/acme-signing-helper",
		ConfigFile: "/etc/acme-signing-helper/acme-signing-helper.env", OnCalendar: "weekly",
		RandomizedDelaySec: 420, AppUser: "app", Profile: "default", Listen: "127.0.0.1:9911",
	}
}

func TestFilesByMode(t *testing.T) {
	for _, tt := range []struct {
		mode   string
		files  []string
		enable string
	}{
		{"serve", []string{"lego-new-cert.service", "lego-renew-cert.service", "lego-renew-cert.timer", "acme-signing-helper-serve.service", "acme-signing-helper.env"}, "lego-new-cert.service lego-renew-cert.timer acme-signing-helper-serve.service"},
		{"update", []string{"lego-new-cert.service", "lego-renew-cert.service", "lego-renew-cert.timer", "acme-signing-helper-update.service", "acme-signing-helper.env"}, "lego-new-cert.service lego-renew-cert.timer acme-signing-helper-update.service"},
		{"none", []string{"lego-new-cert.service", "lego-renew-cert.service", "lego-renew-cert.timer"}, "lego-new-cert.service lego-renew-cert.timer"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			o := valid()
			o.Mode = tt.mode
			files, err := Files(o)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
				if len(f.Content) == 0 {
					t.Errorf("%s is empty", f.Name)
				}
			}
			if got, want := strings.Join(names, " "), strings.Join(tt.files, " "); got != want {
				t.Errorf("got files %s, want %s", got, want)
			}
			if got := strings.Join(o.Enable(), " "); got != tt.enable {
				t.Errorf("got enable %s, want %s", got, tt.enable)
			}
		})
	}
}

// TestHardening: every service gets the hardening block; lego may write
// only its directory, the helper only reads the certificates.
func TestHardening(t *testing.T) {
	for _, mode := range []string{"serve", "update"} {
		o := valid()
		o.Mode = mode
		files, err := Files(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f.Name, ".service") {
				continue
			}
			c := string(f.Content)
			for _, line := range []string{"NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n", "AmbientCapabilities=\n", "SystemCallFilter=@system-service"} {
				if !strings.Contains(c, "\n"+line) {
					t.Errorf("%s: no %q", f.Name, line)
				}
			}
			lego := strings.HasPrefix(f.Name, "lego-")
			if lego != strings.Contains(c, "\nReadWritePaths=/etc/lego\n") {
				t.Errorf("%s: ReadWritePaths of lego wrong:\n%s", f.Name, c)
			}
			if !lego && !strings.Contains(c, "\nReadOnlyPaths=/etc/lego/certificates\n") {
				t.Errorf("%s: the helper does not read the certificates read-only", f.Name)
			}
		}
	}
}

func TestUpdateCredentialsFileDefault(t *testing.T) {
	o := valid()
	o.Mode, o.AppUser = "update", "web"
	files, err := Files(o)
	if err != nil {
		t.Fatal(err)
	}
	c := string(files[3].Content)
	if !strings.Contains(c, "\nEnvironment=AWS_SHARED_CREDENTIALS_FILE=/home/web/.aws/credentials\n") || !strings.Contains(c, "\nReadWritePaths=/home/web/.aws\n") {
		t.Errorf("got\n%s\nwant the credentials file of web", c)
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		option string
		set    func(*Options)
		rule   error
		text   string
	}{
		{"mode", func(o *Options) { o.Mode = "daemon" }, ErrUnknownMode, `mode "daemon": want serve, update or none`},
		{"domain", func(o *Options) { o.Domain = "" }, ErrNotDNSName, `domain "" is not a DNS name`},
		{"domain", func(o *Options) { o.Domain = "a b" }, ErrNotDNSName, `domain "a b" is not a DNS name`},
		{"email", func(o *Options) { o.Email = "nobody" }, ErrNotEmail, `email "nobody" is not an e-mail address`},
		{"email", func(o *Options) { o.Email = "a@b$c" }, ErrNotEmail, ""},
		{"lego-user", func(o *Options) { o.LegoUser = "Root!" }, ErrNotUserName, `lego-user "Root!" is not a user or group name`},
		{"cert-group", func(o *Options) { o.CertGroup = "" }, ErrNotUserName, ""},
		{"app-user", func(o *Options) { o.AppUser = "a b" }, ErrNotUserName, ""},
		{"dns", func(o *Options) { o.DNS = "A" }, ErrNotProvider, ""},
		{"lego-path", func(o *Options) { o.LegoPath = "relative/dir" }, ErrNotAbsolutePath, `lego-path "relative/dir" is not an absolute path without special characters`},
		{"binary", func(o *Options) { o.Binary = "/opt/my tools/ash" }, ErrNotAbsolutePath, ""},
		{"credentials-file", func(o *Options) { o.CredentialsFile = "/x;y" }, ErrNotAbsolutePath, ""},
		{"dns-env-dir", func(o *Options) { o.DNSEnvDir = "/x%i" }, ErrNotAbsolutePath, ""},
		{"on-calendar", func(o *Options) { o.OnCalendar = "a;b" }, ErrNotCalendar, ""},
		{"randomized-delay-sec", func(o *Options) { o.RandomizedDelaySec = 604801 }, ErrOutOfRange, "randomized-delay-sec 604801 out of range"},
		{"randomized-delay-sec", func(o *Options) { o.RandomizedDelaySec = -1 }, ErrOutOfRange, ""},
		{"profile", func(o *Options) { o.Profile = "a b" }, ErrNotProfile, ""},
		{"listen", func(o *Options) { o.Listen = "a b" }, ErrSpecialCharacters, `listen "a b" has special characters`},
		{"role-arn", func(o *Options) { o.RoleARN = `arn\x` }, ErrSpecialCharacters, ""},
	} {
		o := valid()
		tt.set(&o)
		_, err := Files(o)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != tt.option || !errors.Is(err, tt.rule) {
			t.Errorf("%s: got %v, want an *OptionError of %s breaking %v", tt.option, err, tt.option, tt.rule)
			continue
		}
		if tt.text != "" && err.Error() != tt.text {
			t.Errorf("got %q, want %q", err, tt.text)
		}
	}
	o := valid()
	o.Domain = "*.example.com"
	if err := o.Check(); err != nil {
		t.Errorf("wildcard domain: %v", err)
	}
}
