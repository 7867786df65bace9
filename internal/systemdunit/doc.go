// Package systemdunit writes the systemd units that run lego and
// acme-signing-helper on a server: lego-new-cert.service (obtain the
// certificate at boot when it is missing), lego-renew-cert.service and its
// weekly lego-renew-cert.timer, and acme-signing-helper-serve.service or
// acme-signing-helper-update.service with the settings file
// acme-signing-helper.env they read.
//
// Security considerations: the units follow the seed's file permissions.
// DNS-01 credentials (in Options.DNSEnvDir) are readable by the lego user
// only; lego writes certificates and keys with group Options.CertGroup and
// makes them group-readable; the helper reads them through that group and
// never sees the DNS credentials. Every unit gets the same hardening block
// (NoNewPrivileges, ProtectSystem=strict, an empty capability set, a
// system-call filter, ...); lego may write only Options.LegoPath, the
// helper may only read its certificates. Options values go into the files
// unquoted, so Files refuses (with an *OptionError) any value with spaces,
// quotes, '%', '$', ';' or backslashes, and paths that are not absolute.
// The settings file holds ARNs, no secret. With Options.TPMKey (the key in
// a TPM) lego issues and renews from that key's CSR and keeps no key; only
// the helper's unit opens the TPM device (DevicePolicy=closed and one
// DeviceAllow= instead of PrivateDevices=, the device's group added), and a
// key password reaches it with LoadCredential= from a root-only file, never
// in argv or the settings file.
package systemdunit
