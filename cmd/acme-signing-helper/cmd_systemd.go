package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
)

const systemdUsage = `--domain NAME --email ADDR [flags]

Print systemd units (or write them with --output-dir): lego's issuance and
weekly renewal (service and timer), the helper's serve or update unit
(--mode) and acme-signing-helper.env, the settings those read. DNS-01
credentials stay readable by the lego user only; the helper reads the
certificates through --cert-group. With --tpm-key (docs/tpm.md) lego
issues from the TPM key's CSR and the helper unit signs in the TPM.
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
	fs.StringVar(&o.TPMKey, "tpm-key", "", "the helper's TPM key: a TSS2 key `FILE` (tpm keygen) or handle:0x81...; lego then issues from --csr")
	fs.StringVar(&o.CSR, "csr", "", "with --tpm-key: the CSR `FILE` lego issues and renews from (tpm csr; default LEGO-PATH/DOMAIN.csr)")
	fs.StringVar(&o.TPMDevice, "tpm-device", "/dev/tpmrm0", "with --tpm-key: TPM `DEVICE` (a path, opened to the helper unit only; unix:PATH or mssim:HOST:PORT)")
	fs.StringVar(&o.TPMGroup, "tpm-group", "tss", "with --tpm-key: `GROUP` of the TPM device, added to the helper unit")
	fs.StringVar(&o.TPMKeyPasswordFile, "tpm-key-password-file", "", "with --tpm-key: `FILE` of the key's password, passed with LoadCredential=")
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
		return &usageError{Err: fmt.Errorf("systemd: --%w", oe)} // the hint comes from the error
	} else if err != nil {
		return err
	}
	if outputDir != "" {
		err := systemdunit.WriteDir(outputDir, files, func(p string) { fmt.Fprintf(e.stderr, "wrote %s\n", p) })
		if we, ok := err.(*systemdunit.WriteError); ok && we.Dir {
			return withHint(fmt.Errorf("create --output-dir %q: %w", we.Path, we.Err), "pass a directory you can write")
		} else if err != nil {
			return withHint(err, "pass a directory you can write")
		}
		fmt.Fprintf(e.stderr, "install: copy the .service/.timer files to /etc/systemd/system/ and %s to %s, then\n  systemctl daemon-reload && systemctl enable --now %s\n",
			filepath.Base(o.ConfigFile), filepath.Dir(o.ConfigFile), strings.Join(o.Enable(), " "))
		return nil
	}
	_, err = e.stdout.Write(systemdunit.Concat(files))
	return err
}
