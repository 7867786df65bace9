package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
)

const systemdUsage = `usage: acme-signing-helper systemd --domain NAME --email ADDR [flags]

Prints systemd units (or writes them with --output-dir):
  lego-new-cert.service     obtain the certificate at boot when it is missing
  lego-renew-cert.service   renew it
  lego-renew-cert.timer     weekly, with a randomized delay
  acme-signing-helper-serve.service or -update.service (--mode)
  acme-signing-helper.env   the settings those read (--config format)

File permissions (as in the seed): DNS-01 credentials in --dns-env-dir are
root-writable and readable by the lego user only; lego writes the
certificates and keys as --lego-user with group --cert-group and makes them
group-readable; the helper reads them through that group; the application
user must not be able to read --dns-env-dir.
`

func runSystemd(e *env, args []string) error {
	o := systemdunit.Options{}
	var outputDir string
	fs := newFlagSet(e, "systemd", systemdUsage)
	fs.StringVar(&o.Mode, "mode", "serve", "helper unit to add: serve (IMDSv2/ECS endpoint), update (credentials file) or none")
	fs.StringVar(&o.Domain, "domain", "", "certificate DNS name (lego --domains)")
	fs.StringVar(&o.Email, "email", "", "ACME account e-mail address")
	fs.StringVar(&o.DNS, "dns", "route53", "lego DNS-01 provider")
	fs.StringVar(&o.DNSEnvDir, "dns-env-dir", "/etc/iam_aws_dns", "`DIR` of EnvironmentFiles with the DNS provider's credentials (username, password)")
	fs.StringVar(&o.DNSRegion, "dns-region", "", "AWS_DEFAULT_REGION for lego's route53 provider (empty: not set)")
	fs.StringVar(&o.LegoPath, "lego-path", "/etc/lego", "lego --path `DIR`")
	fs.StringVar(&o.LegoBinary, "lego-binary", "/usr/local/bin/lego", "path of lego")
	fs.StringVar(&o.LegoUser, "lego-user", "lego", "user lego runs as")
	fs.StringVar(&o.CertGroup, "cert-group", "acme-cert", "group that may read the certificates and keys")
	fs.StringVar(&o.OnCalendar, "on-calendar", "weekly", "renewal timer schedule (daily for 6-day certificates)")
	fs.IntVar(&o.RandomizedDelaySec, "randomized-delay-sec", 420, "renewal timer's RandomizedDelaySec")
	fs.StringVar(&o.Mode, "unit", "serve", "alias of --mode")
	fs.StringVar(&o.Binary, "binary", "/usr/local/bin/acme-signing-helper", "path of this program")
	fs.StringVar(&o.ConfigFile, "config-file", "/etc/acme-signing-helper/acme-signing-helper.env", "settings file the helper units read")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:9911", "serve: listen address")
	fs.StringVar(&o.AppUser, "app-user", "app", "update: user whose credentials file is written")
	fs.StringVar(&o.CredentialsFile, "credentials-file", "", "update: credentials file (default /home/APP-USER/.aws/credentials)")
	fs.StringVar(&o.Profile, "profile", "default", "update: profile to write")
	fs.StringVar(&o.TrustAnchorARN, "trust-anchor-arn", "", "written into the settings file")
	fs.StringVar(&o.ProfileARN, "profile-arn", "", "written into the settings file")
	fs.StringVar(&o.RoleARN, "role-arn", "", "written into the settings file")
	fs.StringVar(&o.Region, "region", "", "written into the settings file")
	fs.StringVar(&outputDir, "output-dir", "", "write the files into `DIR` instead of printing them")
	fs.MarkHidden("unit")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("systemd takes flags only", "systemd: unexpected argument %q", fs.Arg(0))
	}
	files, err := systemdunit.Files(o)
	if oe, ok := err.(*systemdunit.OptionError); ok {
		return &usageError{err: fmt.Errorf("systemd: --%w", oe)} // the hint comes from the error
	} else if err != nil {
		return err
	}
	if outputDir != "" {
		if err := os.MkdirAll(outputDir, 0o755); err != nil {
			return withHint(fmt.Errorf("create --output-dir %q: %w", outputDir, err), "pass a directory you can write")
		}
		for _, f := range files {
			p := filepath.Join(outputDir, f.Name)
			// The settings file names ARNs, no secret; units are public.
			if err := os.WriteFile(p, f.Content, 0o644); err != nil {
				return withHint(fmt.Errorf("write %q: %w", p, err), "pass a directory you can write")
			}
			fmt.Fprintf(e.stderr, "wrote %s\n", p)
		}
		fmt.Fprintf(e.stderr, "install: copy the .service/.timer files to /etc/systemd/system/ and %s to %s, then\n  systemctl daemon-reload && systemctl enable --now %s\n",
			filepath.Base(o.ConfigFile), filepath.Dir(o.ConfigFile), strings.Join(o.Enable(), " "))
		return nil
	}
	var out bytes.Buffer
	for i, f := range files {
		if i > 0 {
			out.WriteString("\n")
		}
		fmt.Fprintf(&out, "### %s\n%s", f.Name, f.Content)
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}
