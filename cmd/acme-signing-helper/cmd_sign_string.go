package main

import (
	"crypto/rand"
	"fmt"
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

func runSignString(e *env, args []string) error {
	if err := rejectPasswordFlag("sign-string", args); err != nil {
		return err
	}
	var o signer.SignStringOptions
	var passwordFile string
	fs := newFlagSet(e, "sign-string", signStringHelp)
	fs.StringVar(&o.Certificate, "certificate", "", "certificate `FILE`: a PKCS#12 file holding the key (a PEM certificate is only read)")
	fs.StringVar(&o.PrivateKey, "private-key", "", "private key `FILE` (PEM: PKCS#8, SEC1, PKCS#1 or encrypted PKCS#8)")
	fs.StringVar(&passwordFile, "private-key-password-file", "", "read an encrypted key's password from `FILE` (or set "+envKeyPassword+")")
	fs.StringVar(&o.Digest, "digest", signer.Digests[0], "`DIGEST`: "+strings.Join(signer.Digests, ", "))
	fs.StringVar(&o.Format, "format", signer.SignatureFormats[0], "output `FORMAT`: json (a JSON string of hex), text (hex) or bin (raw bytes)")
	fs.Bool("no-tpm-key-password", false, "accepted as aws_signing_helper's flag: the key has no TPM password (sign-string signs with file keys)")
	dropin.AddUnsupported(fs, groupUnsupported)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("sign-string takes flags only", "sign-string: unexpected argument %q", fs.Arg(0))
	}
	for _, err := range []error{dropin.RefuseUnsupported(dropin.ChangedUnsupported(fs)), o.Check()} {
		if err != nil {
			return credsUsage("sign-string", err)
		}
	}
	h, _ := signer.ParseDigest(o.Digest)
	password, err := readPassword(e, "private-key-password-file", passwordFile, envKeyPassword)
	if err != nil {
		return err
	}
	sig, keyFile, err := signer.SignFixedStringFiles(rand.Reader, o.Certificate, o.PrivateKey, password, h)
	clear(password)
	if err != nil {
		return err
	}
	e.log.Debug("signed the fixed test string", "key", keyFile, "digest", o.Digest)
	out, err := signer.FormatSignature(sig, o.Format)
	if err != nil {
		return fmt.Errorf("sign-string: %w", err)
	}
	// No line break: the official helper writes none.
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("write signature to stdout: %w", err)
	}
	return nil
}
