package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
)

const systemdUsage = `--domain NAME --email ADDR [flags]

Print systemd units (or write them with --output-dir): lego's issuance and
weekly renewal (service and timer), the helper's serve or update unit
(--mode) and acme-signing-helper.env, the settings those read. DNS-01
credentials stay readable by the lego user only; the helper reads the
certificates through --cert-group.
`

func runSystemd(e *env, args []string) error {
	o := systemdunit.Options{}
	var outputDir string
	fs := newFlagSet(e, "systemd", systemdUsage)
	fs.StringVar(&o.Mode, "mode", "serve", "`MODE` of the helper unit: to add: serve (IMDSv2/ECS endpoint), update (credentials file) or none")
	fs.StringVar(&o.Domain, "domain", "", "certificate DNS `NAME` (lego --domains)")
	fs.StringVar(&o.Email, "email", "", "ACME account e-mail `ADDR`")
	fs.StringVar(&o.DNS, "dns", "route53", "lego DNS-01 `PROVIDER`")
	fs.StringVar(&o.DNSEnvDir, "dns-env-dir", "/etc/iam_aws_dns", "`DIR` of EnvironmentFiles with the DNS provider's credentials (username, password)")
	fs.StringVar(&o.DNSRegion, "dns-region", "", "AWS_DEFAULT_REGION `REGION` for lego's route53 provider (empty: not set)")
	fs.StringVar(&o.LegoPath, "lego-path", "/etc/lego", "lego --path `DIR`")
	fs.StringVar(&o.LegoBinary, "lego-binary", "/usr/local/bin/lego", "lego's `FILE`")
	fs.StringVar(&o.LegoUser, "lego-user", "lego", "`USER` lego runs as")
	fs.StringVar(&o.CertGroup, "cert-group", "acme-cert", "`GROUP` that may read the certificates and keys")
	fs.StringVar(&o.OnCalendar, "on-calendar", "weekly", "renewal timer schedule `SPEC` (daily for 6-day certificates)")
	fs.IntVar(&o.RandomizedDelaySec, "randomized-delay-sec", 420, "renewal timer's RandomizedDelaySec, `SECONDS`")
	fs.StringVar(&o.Mode, "unit", "serve", "alias of --mode")
	fs.StringVar(&o.Binary, "binary", "/usr/local/bin/acme-signing-helper", "this program's `FILE`")
	fs.StringVar(&o.ConfigFile, "config-file", "/etc/acme-signing-helper/acme-signing-helper.env", "settings `FILE` the helper units read (EnvironmentFile=: systemd passes relative paths on as written, so write absolute ones)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:9911", "serve: listen on `HOST:PORT`")
	fs.StringVar(&o.AppUser, "app-user", "app", "update: `USER` whose credentials file is written")
	fs.StringVar(&o.CredentialsFile, "credentials-file", "", "update: credentials `FILE` (default /home/APP-USER/.aws/credentials)")
	fs.StringVar(&o.Profile, "profile", "default", "update: profile `NAME` to write")
	fs.StringVar(&o.TrustAnchorARN, "trust-anchor-arn", "", "trust anchor `ARN` written into the settings file")
	fs.StringVar(&o.ProfileARN, "profile-arn", "", "profile `ARN` written into the settings file")
	fs.StringVar(&o.RoleARN, "role-arn", "", "role `ARN` written into the settings file")
	fs.StringVar(&o.Region, "region", "", "`REGION` written into the settings file")
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
