package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/template"
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

var (
	unitNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`) })
	domainRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`) })
	calendarRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9 :*,./~-]+$`) })
	profileRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.@+-]+$`) })
)

type systemdOptions struct {
	Mode, Domain, Email, DNS, DNSEnvDir, DNSRegion string
	LegoPath, LegoBinary, LegoUser, CertGroup      string
	Binary, ConfigFile, OnCalendar                 string
	RandomizedDelaySec                             int
	AppUser, CredentialsFile, Profile, Listen      string
	TrustAnchorARN, ProfileARN, RoleARN, Region    string
	OutputDir                                      string
}

func (o *systemdOptions) validate() error {
	hint := "run 'acme-signing-helper systemd --help' for the flags"
	switch o.Mode {
	case "serve", "update", "none":
	default:
		return usageErrorf(hint, "systemd: --mode %q: want serve, update or none", o.Mode)
	}
	if o.Domain == "" || !domainRE().MatchString(o.Domain) {
		return usageErrorf("pass the certificate's DNS name, e.g. --domain host.example.com", "systemd: --domain %q is not a DNS name", o.Domain)
	}
	if !strings.Contains(o.Email, "@") || strings.ContainsAny(o.Email, " \t\n\"'%$\\") {
		return usageErrorf("pass the ACME account e-mail address, e.g. --email ops@example.com", "systemd: --email %q is not an e-mail address", o.Email)
	}
	for flag, v := range map[string]string{"lego-user": o.LegoUser, "cert-group": o.CertGroup, "app-user": o.AppUser} {
		if !unitNameRE().MatchString(v) {
			return usageErrorf("user and group names are lower case letters, digits, '_' and '-'", "systemd: --%s %q is not a user or group name", flag, v)
		}
	}
	if !unitNameRE().MatchString(o.DNS) {
		return usageErrorf("pass lego's DNS provider name, e.g. --dns route53", "systemd: --dns %q is not a provider name", o.DNS)
	}
	for flag, v := range map[string]string{"lego-path": o.LegoPath, "lego-binary": o.LegoBinary, "binary": o.Binary,
		"config-file": o.ConfigFile, "dns-env-dir": o.DNSEnvDir, "credentials-file": o.CredentialsFile} {
		if !filepath.IsAbs(v) || strings.ContainsAny(v, " \t\n\"'%$\\;") {
			return usageErrorf("systemd needs absolute paths; avoid spaces, quotes, '%', '$' and ';' in them", "systemd: --%s %q is not an absolute path without special characters", flag, v)
		}
	}
	if !calendarRE().MatchString(o.OnCalendar) {
		return usageErrorf("see systemd.time(7), e.g. --on-calendar weekly or daily for 6-day certificates", "systemd: --on-calendar %q is not a calendar expression", o.OnCalendar)
	}
	if o.RandomizedDelaySec < 0 || o.RandomizedDelaySec > 7*24*3600 {
		return usageErrorf("give seconds between 0 and 604800", "systemd: --randomized-delay-sec %d out of range", o.RandomizedDelaySec)
	}
	if !profileRE().MatchString(o.Profile) {
		return usageErrorf("use letters, digits and _.@+- in --profile", "systemd: --profile %q is not a profile name", o.Profile)
	}
	for flag, v := range map[string]string{"listen": o.Listen, "dns-region": o.DNSRegion, "trust-anchor-arn": o.TrustAnchorARN,
		"profile-arn": o.ProfileARN, "role-arn": o.RoleARN, "region": o.Region} {
		if strings.ContainsAny(v, " \t\n\"'%$\\;") {
			return usageErrorf("values must not contain spaces, quotes, '%', '$', ';' or backslashes", "systemd: --%s %q has special characters", flag, v)
		}
	}
	return nil
}

func runSystemd(e *env, args []string) error {
	o := systemdOptions{}
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
	fs.StringVar(&o.OutputDir, "output-dir", "", "write the files into `DIR` instead of printing them")
	fs.MarkHidden("unit")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("systemd takes flags only", "systemd: unexpected argument %q", fs.Arg(0))
	}
	if o.CredentialsFile == "" {
		o.CredentialsFile = "/home/" + o.AppUser + "/.aws/credentials"
	}
	if err := o.validate(); err != nil {
		return err
	}
	files, err := systemdFiles(o)
	if err != nil {
		return err
	}
	if o.OutputDir != "" {
		if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
			return withHint(fmt.Errorf("create --output-dir %q: %w", o.OutputDir, err), "pass a directory you can write")
		}
		for _, f := range files {
			p := filepath.Join(o.OutputDir, f.name)
			// The settings file names ARNs, no secret; units are public.
			if err := os.WriteFile(p, f.body, 0o644); err != nil {
				return withHint(fmt.Errorf("write %q: %w", p, err), "pass a directory you can write")
			}
			fmt.Fprintf(e.stderr, "wrote %s\n", p)
		}
		fmt.Fprintf(e.stderr, "install: copy the .service/.timer files to /etc/systemd/system/ and %s to %s, then\n  systemctl daemon-reload && systemctl enable --now lego-new-cert.service lego-renew-cert.timer%s\n",
			filepath.Base(o.ConfigFile), filepath.Dir(o.ConfigFile), map[string]string{"serve": " acme-signing-helper-serve.service", "update": " acme-signing-helper-update.service", "none": ""}[o.Mode])
		return nil
	}
	var out bytes.Buffer
	for i, f := range files {
		if i > 0 {
			out.WriteString("\n")
		}
		fmt.Fprintf(&out, "### %s\n", f.name)
		out.Write(f.body)
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}

type unitFile struct {
	name string
	body []byte
}

func systemdFiles(o systemdOptions) ([]unitFile, error) {
	names := []string{"lego-new-cert.service", "lego-renew-cert.service", "lego-renew-cert.timer"}
	switch o.Mode {
	case "serve":
		names = append(names, "acme-signing-helper-serve.service", "acme-signing-helper.env")
	case "update":
		names = append(names, "acme-signing-helper-update.service", "acme-signing-helper.env")
	}
	data := map[string]any{
		"o":         o,
		"legoName":  strings.Replace(o.Domain, "*", "_", 1),
		"credsDir":  filepath.Dir(o.CredentialsFile),
		"configDir": filepath.Dir(o.ConfigFile),
	}
	var files []unitFile
	for _, n := range names {
		var b bytes.Buffer
		if err := systemdTemplates().ExecuteTemplate(&b, n, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", n, err)
		}
		files = append(files, unitFile{name: n, body: b.Bytes()})
	}
	return files, nil
}

var systemdTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Parse(`
{{- define "hardening" -}}
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
SystemCallFilter=@system-service
{{- end -}}

{{- define "lego-hardening" -}}
# Hardening: lego needs the network and write access to {{.o.LegoPath}} only.
{{template "hardening" .}}
ProtectHome=yes
ReadWritePaths={{.o.LegoPath}}
{{- end -}}

{{- define "lego-env" -}}
User={{.o.LegoUser}}
# Files lego creates get group {{.o.CertGroup}}; ExecStartPost makes them
# group-readable (lego writes them 0600) and closes them to others.
Group={{.o.CertGroup}}
UMask=0027
# DNS-01 credentials: root-writable, readable by {{.o.LegoUser}} only; the
# application user must never read them.
EnvironmentFile={{.o.DNSEnvDir}}/username
EnvironmentFile={{.o.DNSEnvDir}}/password
{{- if .o.DNSRegion}}
Environment=AWS_DEFAULT_REGION={{.o.DNSRegion}}
{{- end}}
{{- end -}}

{{- define "lego-new-cert.service" -}}
[Unit]
Description=Obtain the Let's Encrypt certificate for {{.o.Domain}} with lego
Wants=network-online.target
After=network-online.target
# Only when there is no certificate yet; renewals are the timer's job.
ConditionPathExists=!{{.o.LegoPath}}/certificates/{{.legoName}}.crt

[Service]
Type=oneshot
{{template "lego-env" .}}
ExecStart={{.o.LegoBinary}} --path {{.o.LegoPath}} --accept-tos --email {{.o.Email}} --dns {{.o.DNS}} --domains {{.o.Domain}} run
ExecStartPost=/bin/chmod -R g+rX,o-rwx {{.o.LegoPath}}/certificates
{{template "lego-hardening" .}}

[Install]
WantedBy=multi-user.target
{{end}}

{{- define "lego-renew-cert.service" -}}
[Unit]
Description=Renew the Let's Encrypt certificate for {{.o.Domain}} with lego
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
{{template "lego-env" .}}
ExecStart={{.o.LegoBinary}} --path {{.o.LegoPath}} --accept-tos --email {{.o.Email}} --dns {{.o.DNS}} --domains {{.o.Domain}} renew
ExecStartPost=/bin/chmod -R g+rX,o-rwx {{.o.LegoPath}}/certificates
{{template "lego-hardening" .}}
{{end}}

{{- define "lego-renew-cert.timer" -}}
[Unit]
Description=Renew the Let's Encrypt certificate for {{.o.Domain}} ({{.o.OnCalendar}}, randomized delay)

[Timer]
# Weekly gives four attempts in the last 30 days of a 90-day certificate;
# use daily for 6-day (shortlived) certificates.
OnCalendar={{.o.OnCalendar}}
# Spread the fleet so that every server does not hit the CA at once.
RandomizedDelaySec={{.o.RandomizedDelaySec}}
Persistent=true

[Install]
WantedBy=timers.target
{{end}}

{{- define "helper-hardening" -}}
{{template "hardening" .}}
ReadOnlyPaths={{.o.LegoPath}}/certificates
{{- end -}}

{{- define "acme-signing-helper-serve.service" -}}
[Unit]
Description=AWS credentials from the ACME certificate for {{.o.Domain}} over IMDSv2 and ECS endpoints ({{.o.Listen}})
Wants=network-online.target
After=network-online.target lego-new-cert.service

[Service]
Type=simple
# A throwaway user that may read the certificates through {{.o.CertGroup}}.
DynamicUser=yes
SupplementaryGroups={{.o.CertGroup}}
EnvironmentFile={{.o.ConfigFile}}
# The ECS authorization token file lives here (created on first start).
StateDirectory=acme-signing-helper
StateDirectoryMode=0700
ExecStart={{.o.Binary}} serve --listen {{.o.Listen}} --auth-token-file /var/lib/acme-signing-helper/ecs-token
Restart=on-failure
RestartSec=5s
TimeoutStopSec=10s
ProtectHome=yes
{{template "helper-hardening" .}}

[Install]
WantedBy=multi-user.target
{{end}}

{{- define "acme-signing-helper-update.service" -}}
[Unit]
Description=Keep profile {{.o.Profile}} of {{.o.CredentialsFile}} filled with AWS credentials from the ACME certificate for {{.o.Domain}}
Wants=network-online.target
After=network-online.target lego-new-cert.service

[Service]
Type=simple
User={{.o.AppUser}}
SupplementaryGroups={{.o.CertGroup}}
EnvironmentFile={{.o.ConfigFile}}
Environment=AWS_SHARED_CREDENTIALS_FILE={{.o.CredentialsFile}}
ExecStart={{.o.Binary}} update --profile {{.o.Profile}}
Restart=on-failure
RestartSec=30s
ProtectHome=read-only
ReadWritePaths={{.credsDir}}
{{template "helper-hardening" .}}

[Install]
WantedBy=multi-user.target
{{end}}

{{- define "acme-signing-helper.env" -}}
# Settings of acme-signing-helper ({{.o.ConfigFile}}), KEY=VALUE as in
# systemd EnvironmentFile. Readable by root; holds no secret.
ACME_SIGNING_HELPER_ACME_DIR={{.o.LegoPath}}
ACME_SIGNING_HELPER_DOMAIN={{.o.Domain}}
ACME_SIGNING_HELPER_TRUST_ANCHOR_ARN={{or .o.TrustAnchorARN "arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/CHANGE-ME"}}
ACME_SIGNING_HELPER_PROFILE_ARN={{or .o.ProfileARN "arn:aws:rolesanywhere:REGION:ACCOUNT:profile/CHANGE-ME"}}
ACME_SIGNING_HELPER_ROLE_ARN={{or .o.RoleARN "arn:aws:iam::ACCOUNT:role/CHANGE-ME"}}
{{- if .o.Region}}
ACME_SIGNING_HELPER_REGION={{.o.Region}}
{{- end}}
# Session names from the environment fingerprint (see 'totp enroll'):
#ACME_SIGNING_HELPER_FINGERPRINT=machine-id
{{end}}
`))
})
