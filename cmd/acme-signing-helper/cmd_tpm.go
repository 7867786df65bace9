package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

const tpmUsage = `usage: acme-signing-helper tpm COMMAND [flags]

Keys that live in the TPM, for ACME certificates and credential-process.

commands:
  keygen  --out KEY.pem [--type ecdsa-p256|ecdsa-p384|rsa2048]
                             create a key under the storage root key, write its TSS2 PEM file
  csr     --key KEY.pem --domain NAME...
                             print a CSR signed in the TPM (for lego --csr, certbot certonly --csr)

--tpm-device is a device path (default /dev/tpmrm0, else /dev/tpm0),
unix:PATH (swtpm --server type=unixio,path=PATH) or mssim:HOST:PORT. A key
password comes from --tpm-key-password-file or ` + envTPMPassword + `,
never from a flag.
`

const tpmKeygenHelp = `--out KEY.pem [--type ecdsa-p256|ecdsa-p384|rsa2048] [flags]

Create a key under the TPM's storage root key and write its TSS2 PEM file
(useless on any other TPM). Give it to credential-process as --private-key,
or keep it at lego's certificates/NAME.key for --acme-dir.
`

const tpmCSRHelp = `--key KEY.pem --domain NAME... [flags]

Print a certificate signing request signed inside the TPM, for
lego --csr or certbot certonly --csr.
`

// envTPMPassword holds a TPM key's password (never a flag value).
// ACME_SIGNING_HELPER_TPM_KEY_PASSWORD would be the environment form of
// aws_signing_helper's --tpm-key-password, which is refused.
const envTPMPassword = envPrefix + "TPM_PASSWORD"

// tpmKeyFlags are the TPM flags of every command that uses a TPM key.
type tpmKeyFlags struct {
	device       string
	passwordFile string
	noPassword   bool
}

func (f *tpmKeyFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.device, "tpm-device", "", "TPM `DEVICE` of a TPM key: a path (default /dev/tpmrm0, else /dev/tpm0), unix:PATH or mssim:HOST:PORT")
	fs.StringVar(&f.passwordFile, "tpm-key-password-file", "", "read the TPM key's password from `FILE` (or set "+envTPMPassword+")")
	fs.BoolVar(&f.noPassword, "no-tpm-key-password", false, "the TPM key has no password (the default; accepted as aws_signing_helper's flag)")
}

// password returns the TPM key password from --tpm-key-password-file or
// the environment, nil with --no-tpm-key-password or neither.
func (f *tpmKeyFlags) password(e *env) ([]byte, error) {
	if f.noPassword {
		return nil, nil
	}
	return readPassword(e, "tpm-key-password-file", f.passwordFile, envTPMPassword)
}

var tpmCommands = map[string]func(e *env, args []string) error{
	"keygen": runTPMKeygen,
	"csr":    runTPMCSR,
}

func runTPM(e *env, args []string) error {
	// The official --tpm-key-password is refused before any parser sees
	// (and could echo) its value.
	if len(args) > 0 {
		if err := rejectPasswordFlag("tpm "+args[0], args[1:]); err != nil {
			return err
		}
	}
	return runSubcommand(e, "tpm", tpmUsage, tpmCommands, args)
}

func runTPMKeygen(e *env, args []string) error {
	var k tpmKeyFlags
	var out, typ string
	fs := newFlagSet(e, "tpm keygen", tpmKeygenHelp)
	fs.StringVar(&out, "out", "", "write the TSS2 PEM key file to `FILE` (required; not overwritten)")
	fs.StringVar(&typ, "type", string(tpm.KeyECDSAP256), "key `TYPE`: ecdsa-p256, ecdsa-p384 or rsa2048")
	k.addFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("tpm keygen takes flags only", "tpm keygen: unexpected argument %q", fs.Arg(0))
	}
	if out == "" {
		return usageErrorf("pass --out KEY.pem", "tpm keygen: --out is required")
	}
	kt, known := tpm.ParseKeyType(typ)
	if !known {
		return usageErrorf("pass --type ecdsa-p256, ecdsa-p384 or rsa2048", "tpm keygen: unknown --type %q", typ)
	}
	pw, err := k.password(e)
	if err != nil {
		return err
	}
	err = tpm.GenerateKeyFile(out, tpm.KeyOptions{Device: k.device, Password: pw}, kt)
	clear(pw)
	if errors.Is(err, os.ErrExist) {
		return withHint(fmt.Errorf("tpm keygen: %w", err), "choose another --out, or remove the old key file first (its key is gone for good)")
	} else if err != nil {
		return fmt.Errorf("tpm keygen: %w", err)
	}
	fmt.Fprintf(e.stderr, "%s: wrote TPM key %s (%s)\n", progName, filepath.Clean(out), kt)
	return nil
}

func runTPMCSR(e *env, args []string) error {
	var k tpmKeyFlags
	var keyPath string
	var domains []string
	fs := newFlagSet(e, "tpm csr", tpmCSRHelp)
	fs.StringVar(&keyPath, "key", "", "TSS2 PEM key `FILE` or handle:0x81000001 (required)")
	fs.StringArrayVar(&domains, "domain", nil, "DNS `NAME` for the certificate (repeatable; the first is the common name)")
	k.addFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("tpm csr takes flags only", "tpm csr: unexpected argument %q", fs.Arg(0))
	}
	if keyPath == "" || len(domains) == 0 {
		return usageErrorf("pass --key KEY.pem and at least one --domain NAME", "tpm csr: --key and --domain are required")
	}
	pw, err := k.password(e)
	if err != nil {
		return err
	}
	csr, err := tpm.ReadKeyCertificateRequest(keyPath, tpm.KeyOptions{Device: k.device, Password: pw}, domains)
	clear(pw)
	if err != nil {
		return fmt.Errorf("tpm csr: %w", err)
	}
	_, err = e.stdout.Write(csr)
	return err
}
