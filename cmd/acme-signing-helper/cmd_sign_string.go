package main

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/dropin"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const signStringHelp = `[flags]

Sign the official helper's fixed test string with the private key and print
the signature, as 'aws_signing_helper sign-string' (a diagnostic): RSA
signatures are the same bytes as the official helper's, ECDSA ones verify
over the same string. The key's password comes from
--private-key-password-file or ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD.
`

type signStringOptions struct {
	certificate, privateKey, privateKeyPasswordFile string
	digest, format                                  string
}

func runSignString(e *env, args []string) error {
	if err := rejectPasswordFlag("sign-string", args); err != nil {
		return err
	}
	var o signStringOptions
	fs := newFlagSet(e, "sign-string", signStringHelp)
	fs.StringVar(&o.certificate, "certificate", "", "certificate `FILE`: a PKCS#12 file holding the key (a PEM certificate is only read)")
	fs.StringVar(&o.privateKey, "private-key", "", "private key `FILE` (PEM: PKCS#8, SEC1, PKCS#1 or encrypted PKCS#8)")
	fs.StringVar(&o.privateKeyPasswordFile, "private-key-password-file", "", "read an encrypted key's password from `FILE` (or set "+envKeyPassword+")")
	fs.StringVar(&o.digest, "digest", signer.Digests[0], "`DIGEST`: "+strings.Join(signer.Digests, ", "))
	fs.StringVar(&o.format, "format", signer.SignatureFormats[0], "output `FORMAT`: json (a JSON string of hex), text (hex) or bin (raw bytes)")
	fs.Bool("no-tpm-key-password", false, "accepted as aws_signing_helper's flag: the key has no TPM password (sign-string signs with file keys)")
	dropin.AddUnsupported(fs, groupUnsupported)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := o.validate(fs.Args(), dropin.ChangedUnsupported(fs)); err != nil {
		return err
	}
	h, _ := signer.ParseDigest(o.digest)
	password, err := (&credentialProcessOptions{privateKeyPasswordFile: o.privateKeyPasswordFile}).keyPassword(e)
	if err != nil {
		return err
	}
	sig, keyFile, err := signer.SignFixedStringFiles(rand.Reader, o.certificate, o.privateKey, password, h)
	clear(password)
	if err != nil {
		return err
	}
	e.log.Debug("signed the fixed test string", "key", keyFile, "digest", o.digest)
	out, err := signer.FormatSignature(sig, o.format)
	if err != nil {
		return fmt.Errorf("sign-string: %w", err)
	}
	// No line break: the official helper writes none.
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("write signature to stdout: %w", err)
	}
	return nil
}

func (o *signStringOptions) validate(args, unsupported []string) error {
	switch {
	case len(args) > 0:
		return usageErrorf("sign-string takes flags only", "sign-string: unexpected argument %q", args[0])
	case len(unsupported) > 0:
		return usageErrorf(hintUnsupported, "sign-string: %s not supported", strings.Join(unsupported, ", "))
	case strings.HasPrefix(o.certificate, "pkcs11:") || strings.HasPrefix(o.privateKey, "pkcs11:"):
		return usageErrorf(hintUnsupported, "sign-string: PKCS#11 URIs are not supported")
	case o.privateKey == "" && o.certificate == "":
		return usageErrorf("pass --private-key FILE (or a PKCS#12 --certificate FILE)", "sign-string: no key: --private-key is required")
	}
	if _, err := signer.ParseDigest(o.digest); err != nil {
		return usageErrorf("pass --digest "+strings.Join(signer.Digests, ", --digest "), "sign-string: --digest: %w", err)
	}
	if !slices.Contains(signer.SignatureFormats, o.format) {
		return usageErrorf("pass --format json, text or bin", "sign-string: --format %q is not one of %s", o.format, strings.Join(signer.SignatureFormats, ", "))
	}
	return nil
}
