package systemdunit

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/template"
)

// Options are the settings the units are made from. Every value goes into
// unit files unquoted, so Check (which Files calls first) refuses values
// that would change their meaning.
type Options struct {
	// Mode is the helper unit to add: "serve" (the IMDSv2/ECS endpoint),
	// "update" (the credentials file) or "none".
	Mode string
	// Domain is the certificate's DNS name (lego --domains), "*." allowed;
	// Email the ACME account's address.
	Domain, Email string
	// DNS is lego's DNS-01 provider; DNSEnvDir the directory of the
	// EnvironmentFiles "username" and "password" with its credentials;
	// DNSRegion, if set, lego's AWS_DEFAULT_REGION.
	DNS, DNSEnvDir, DNSRegion string
	// LegoPath is lego's --path; LegoBinary its program; LegoUser the user
	// it runs as; CertGroup the group that may read certificates and keys.
	LegoPath, LegoBinary, LegoUser, CertGroup string
	// Binary is the path of acme-signing-helper; ConfigFile the settings
	// file the helper units read; OnCalendar and RandomizedDelaySec the
	// renewal timer's schedule.
	Binary, ConfigFile, OnCalendar string
	RandomizedDelaySec             int
	// AppUser is the user whose CredentialsFile (default
	// /home/AppUser/.aws/credentials) the update unit fills, in profile
	// Profile; Listen the serve unit's address.
	AppUser, CredentialsFile, Profile, Listen string
	// TrustAnchorARN, ProfileARN, RoleARN and Region are written into the
	// settings file (placeholders when empty).
	TrustAnchorARN, ProfileARN, RoleARN, Region string
	// TPMKey, if set, is the helper's key in the TPM (a TSS2 key file
	// from "tpm keygen" or a persistent handle:0x81000000..0x81FFFFFF):
	// lego then issues and renews from the CSR file CSR (made by "tpm
	// csr"; default LegoPath/DOMAIN.csr) and keeps no key, and the
	// helper unit signs with TPMKey on TPMDevice (default /dev/tpmrm0).
	// A device path is opened to the helper unit alone (DevicePolicy=
	// closed, DeviceAllow=) with TPMGroup (default tss), the group
	// owning the device, added. TPMKeyPasswordFile, if set, is passed
	// with LoadCredential= (never in argv or the settings file).
	TPMKey, CSR, TPMDevice, TPMGroup, TPMKeyPasswordFile string
}

// File is one generated file: a unit or the settings file.
type File struct {
	Name    string // e.g. "lego-renew-cert.timer"
	Content []byte
}

// The rules Check applies; an *OptionError wraps the one an option breaks.
var (
	ErrUnknownMode       = errors.New("want serve, update or none")
	ErrNotDNSName        = errors.New("is not a DNS name")
	ErrNotEmail          = errors.New("is not an e-mail address")
	ErrNotUserName       = errors.New("is not a user or group name")
	ErrNotProvider       = errors.New("is not a provider name")
	ErrNotAbsolutePath   = errors.New("is not an absolute path without special characters")
	ErrNotCalendar       = errors.New("is not a calendar expression")
	ErrOutOfRange        = errors.New("out of range")
	ErrNotProfile        = errors.New("is not a profile name")
	ErrSpecialCharacters = errors.New("has special characters")
	ErrNotTPMKey         = errors.New("is not an absolute key file path or handle:0x81000000..0x81FFFFFF")
	ErrNotTPMDevice      = errors.New("is not a device path, unix:PATH or mssim:HOST:PORT")
)

// OptionError is an option Check refuses. Option names the Options field
// in lower case with dashes (LegoUser is "lego-user"), Value is its value
// and Err the rule it breaks (ErrNotDNSName, ...).
type OptionError struct {
	Option string
	Value  any // a string, or the int of RandomizedDelaySec
	Err    error
}

func (e *OptionError) Error() string {
	sep := " "
	if e.Err == ErrUnknownMode {
		sep = ": "
	}
	return fmt.Sprintf("%s %#v%s%v", e.Option, e.Value, sep, e.Err)
}

// Unwrap returns the rule the option breaks.
func (e *OptionError) Unwrap() error { return e.Err }

var (
	unitNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`) })
	domainRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`) })
	calendarRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9 :*,./~-]+$`) })
	profileRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.@+-]+$`) })
	handleRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^handle:0x81[0-9A-Fa-f]{6}$`) })
	mssimRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^mssim:[A-Za-z0-9.:\[\]-]+:[0-9]{1,5}$`) })
)

// specials may not appear in paths and other values: systemd would read
// them as quoting, specifiers, variables or separators.
const specials = " \t\n\"'%$\\;"

type option struct {
	name, value string
}

// Check returns an *OptionError for the first option that cannot go into
// a unit file as it is.
func (o Options) Check() error {
	bad := func(name string, v any, rule error) error {
		return &OptionError{Option: name, Value: v, Err: rule}
	}
	switch o.Mode {
	case "serve", "update", "none":
	default:
		return bad("mode", o.Mode, ErrUnknownMode)
	}
	if o.Domain == "" || !domainRE().MatchString(o.Domain) {
		return bad("domain", o.Domain, ErrNotDNSName)
	}
	if !strings.Contains(o.Email, "@") || strings.ContainsAny(o.Email, " \t\n\"'%$\\") {
		return bad("email", o.Email, ErrNotEmail)
	}
	for _, v := range []option{{"lego-user", o.LegoUser}, {"cert-group", o.CertGroup}, {"app-user", o.AppUser}} {
		if !unitNameRE().MatchString(v.value) {
			return bad(v.name, v.value, ErrNotUserName)
		}
	}
	if !unitNameRE().MatchString(o.DNS) {
		return bad("dns", o.DNS, ErrNotProvider)
	}
	for _, v := range []option{{"lego-path", o.LegoPath}, {"lego-binary", o.LegoBinary}, {"binary", o.Binary},
		{"config-file", o.ConfigFile}, {"dns-env-dir", o.DNSEnvDir}, {"credentials-file", o.credentialsFile()}} {
		if !filepath.IsAbs(v.value) || strings.ContainsAny(v.value, specials) {
			return bad(v.name, v.value, ErrNotAbsolutePath)
		}
	}
	if !calendarRE().MatchString(o.OnCalendar) {
		return bad("on-calendar", o.OnCalendar, ErrNotCalendar)
	}
	if o.RandomizedDelaySec < 0 || o.RandomizedDelaySec > 7*24*3600 {
		return bad("randomized-delay-sec", o.RandomizedDelaySec, ErrOutOfRange)
	}
	if !profileRE().MatchString(o.Profile) {
		return bad("profile", o.Profile, ErrNotProfile)
	}
	if err := o.checkTPM(); err != nil {
		return err
	}
	for _, v := range []option{{"listen", o.Listen}, {"dns-region", o.DNSRegion}, {"trust-anchor-arn", o.TrustAnchorARN},
		{"profile-arn", o.ProfileARN}, {"role-arn", o.RoleARN}, {"region", o.Region}} {
		if strings.ContainsAny(v.value, specials) {
			return bad(v.name, v.value, ErrSpecialCharacters)
		}
	}
	return nil
}

// isPath is an absolute path systemd takes as written.
func isPath(v string) bool { return filepath.IsAbs(v) && !strings.ContainsAny(v, specials) }

// checkTPM checks the TPM options, which matter only with a TPMKey.
func (o Options) checkTPM() error {
	if o.TPMKey == "" {
		return nil
	}
	if !isPath(o.TPMKey) && !handleRE().MatchString(o.TPMKey) {
		return &OptionError{Option: "tpm-key", Value: o.TPMKey, Err: ErrNotTPMKey}
	}
	dev := o.tpmDevice()
	if rest, ok := strings.CutPrefix(dev, "unix:"); !isPath(dev) && !(ok && isPath(rest)) && !mssimRE().MatchString(dev) {
		return &OptionError{Option: "tpm-device", Value: dev, Err: ErrNotTPMDevice}
	}
	for _, v := range []option{{"csr", o.csr()}, {"tpm-key-password-file", o.TPMKeyPasswordFile}} {
		if v.value != "" && !isPath(v.value) {
			return &OptionError{Option: v.name, Value: v.value, Err: ErrNotAbsolutePath}
		}
	}
	if !unitNameRE().MatchString(o.tpmGroup()) {
		return &OptionError{Option: "tpm-group", Value: o.tpmGroup(), Err: ErrNotUserName}
	}
	return nil
}

func (o Options) csr() string {
	if o.CSR == "" && o.TPMKey != "" {
		return o.LegoPath + "/" + strings.Replace(o.Domain, "*", "_", 1) + ".csr"
	}
	return o.CSR
}

func (o Options) tpmDevice() string {
	if o.TPMDevice == "" {
		return "/dev/tpmrm0"
	}
	return o.TPMDevice
}

func (o Options) tpmGroup() string {
	if o.TPMGroup == "" {
		return "tss"
	}
	return o.TPMGroup
}

func (o Options) credentialsFile() string {
	if o.CredentialsFile == "" {
		return "/home/" + o.AppUser + "/.aws/credentials"
	}
	return o.CredentialsFile
}

// helperUnit is the unit of Mode, "" for none.
func (o Options) helperUnit() string {
	switch o.Mode {
	case "serve", "update":
		return "acme-signing-helper-" + o.Mode + ".service"
	}
	return ""
}

// Enable returns the units to enable once the files are installed.
func (o Options) Enable() []string {
	units := []string{"lego-new-cert.service", "lego-renew-cert.timer"}
	if u := o.helperUnit(); u != "" {
		units = append(units, u)
	}
	return units
}

// Files checks o and returns the units: lego-new-cert.service,
// lego-renew-cert.service and lego-renew-cert.timer, then with a helper
// Mode its unit and the settings file acme-signing-helper.env.
func Files(o Options) ([]File, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	o.CredentialsFile = o.credentialsFile()
	if o.TPMKey != "" {
		o.CSR, o.TPMDevice, o.TPMGroup = o.csr(), o.tpmDevice(), o.tpmGroup()
	}
	names := []string{"lego-new-cert.service", "lego-renew-cert.service", "lego-renew-cert.timer"}
	if u := o.helperUnit(); u != "" {
		names = append(names, u, "acme-signing-helper.env")
	}
	data := map[string]any{
		"o":         o,
		"legoName":  strings.Replace(o.Domain, "*", "_", 1),
		"credsDir":  filepath.Dir(o.CredentialsFile),
		"configDir": filepath.Dir(o.ConfigFile),
	}
	var files []File
	for _, n := range names {
		// Only the helper's unit opens the TPM device (a path; a
		// simulator is reached over a socket).
		data["device"] = ""
		if n == o.helperUnit() && o.TPMKey != "" && filepath.IsAbs(o.TPMDevice) {
			data["device"] = o.TPMDevice
		}
		var b bytes.Buffer
		if err := templates().ExecuteTemplate(&b, n, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", n, err)
		}
		files = append(files, File{Name: n, Content: b.Bytes()})
	}
	return files, nil
}

var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Parse(`
{{- define "hardening" -}}
NoNewPrivileges=yes
PrivateTmp=yes
{{- if .device}}
# The TPM: no other device but the standard pseudo devices.
DevicePolicy=closed
DeviceAllow={{.device}} rw
{{- else}}
PrivateDevices=yes
{{- end}}
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

{{- define "lego-names" -}}
{{if .o.TPMKey}}--csr {{.o.CSR}}{{else}}--domains {{.o.Domain}}{{end}}
{{- end -}}

{{- define "helper-groups" -}}
{{- if .o.TPMKey}}
# {{.o.TPMGroup}}: the group of the TPM device ({{.o.TPMDevice}}).
SupplementaryGroups={{.o.CertGroup}} {{.o.TPMGroup}}
{{- else}}
SupplementaryGroups={{.o.CertGroup}}
{{- end}}
{{- if .o.TPMKeyPasswordFile}}
# The TPM key's password: read by systemd, given to the helper in its
# credentials directory (%d), never in argv or the environment.
LoadCredential=tpm-key-password:{{.o.TPMKeyPasswordFile}}
{{- end}}
{{- end -}}

{{- define "helper-password" -}}
{{if .o.TPMKeyPasswordFile}} --tpm-key-password-file %d/tpm-key-password{{end}}
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
ExecStart={{.o.LegoBinary}} --path {{.o.LegoPath}} --accept-tos --email {{.o.Email}} --dns {{.o.DNS}} {{template "lego-names" .}} run
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
ExecStart={{.o.LegoBinary}} --path {{.o.LegoPath}} --accept-tos --email {{.o.Email}} --dns {{.o.DNS}} {{template "lego-names" .}} renew
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
{{- template "helper-groups" .}}
EnvironmentFile={{.o.ConfigFile}}
# The ECS authorization token file lives here (created on first start).
StateDirectory=acme-signing-helper
StateDirectoryMode=0700
ExecStart={{.o.Binary}} serve --listen {{.o.Listen}} --auth-token-file /var/lib/acme-signing-helper/ecs-token{{template "helper-password" .}}
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
{{- template "helper-groups" .}}
EnvironmentFile={{.o.ConfigFile}}
Environment=AWS_SHARED_CREDENTIALS_FILE={{.o.CredentialsFile}}
ExecStart={{.o.Binary}} update --profile {{.o.Profile}}{{template "helper-password" .}}
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
{{- if .o.TPMKey}}
# The key in the TPM ('tpm keygen'); lego issues from its CSR ('tpm csr').
ACME_SIGNING_HELPER_PRIVATE_KEY={{.o.TPMKey}}
ACME_SIGNING_HELPER_TPM_DEVICE={{.o.TPMDevice}}
{{- end}}
# Session names from the environment fingerprint (see 'totp enroll'):
#ACME_SIGNING_HELPER_FINGERPRINT=machine-id
{{end}}
`))
})
