package hints

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// LeafCertificateFix is the fix for a leaf certificate flag whose file
// signer.ReadLeafCertificate could not read, unless the cause has its own.
const LeafCertificateFix = "give the leaf certificate in PEM, e.g. lego's certificates/<domain>.crt"

// LeafCertificateFlagError words err, an error of
// signer.ReadLeafCertificate for the file path given as flag to command
// cmd: msg is the message, cause the error to keep in the chain behind it
// (nil when msg says all), whose hint comes before LeafCertificateFix.
func LeafCertificateFlagError(cmd, flag, path string, err error) (msg string, cause error) {
	var (
		fe *signer.FileError
		ce *signer.CertificateError
	)
	switch {
	case errors.As(err, &fe):
		return fmt.Sprintf("%s: read %s: %v", cmd, flag, fe.Err), fe.Err
	case errors.As(err, &ce) && ce.Block == 0:
		return fmt.Sprintf("%s: %s %q: no PEM CERTIFICATE block", cmd, flag, path), nil
	case errors.As(err, &ce):
		return fmt.Sprintf("%s: %s %q: %v", cmd, flag, path, ce.Err), ce.Err
	}
	return fmt.Sprintf("%s: %s %q: %v", cmd, flag, path, err), err
}

// PolicyFlagError words err, an error of package trustpolicy met by
// command cmd ("trust-policy role", "simulate", ...), in the command
// line's flags: msg is the message ("cmd: --flag ..."), fix its hint, and
// usage reports a mistake on the command line (exit code 2) rather than a
// bad input file. For an error without such wording (not a
// *trustpolicy.OptionError or an anchor certificate's
// *trustpolicy.FileError), msg is "".
func PolicyFlagError(cmd string, err error) (msg, fix string, usage bool) {
	var fe *trustpolicy.FileError
	if errors.As(err, &fe) && fe.What == "anchor certificate" {
		return cmd + ": read --anchor-cert: " + fe.Err.Error(), For(err), false
	}
	var oe *trustpolicy.OptionError
	if !errors.As(err, &oe) {
		return "", "", false
	}
	if m, f := policyOptionUsage(oe); m != "" {
		return cmd + ": " + m, f, true
	}
	flag := "--" + oe.Option
	if oe.Value != "" {
		flag += fmt.Sprintf(" %q", oe.Value)
	}
	// A bundle CloudFormation refuses is a bad file, not a bad flag.
	return cmd + ": " + flag + ": " + oe.Err.Error(), For(err), oe.Option != "anchor-cert"
}

// policyOptionUsage is the message (without the command) and fix of an
// option error a Validate method of trustpolicy returns, or "" for
// another option error (its generic wording is "--flag "value": cause").
func policyOptionUsage(e *trustpolicy.OptionError) (msg, fix string) {
	switch e.Err {
	case trustpolicy.ErrRequired:
		switch e.Option {
		case "trust-anchor-arn":
			return "--trust-anchor-arn is required", "give the ARN of the trust anchor that holds your ACME CA, e.g. --trust-anchor-arn arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID"
		case "workload":
			return "--workload is required", "name the certificates allowed, e.g. --workload '*.example.com' or --workload host.example.com"
		case "anchor-cert":
			return "--format cloudformation needs --anchor-cert", "give the CA certificate bundle of the trust anchor, e.g. --anchor-cert issuer.pem"
		case "client":
			return "--client is required", "name your ACME client: --client " + strings.Join(trustpolicy.Route53Clients, ", ")
		case "zone-id":
			return "--zone-id is required", "copy the ID from 'aws route53 list-hosted-zones-by-name --dns-name example.com'"
		case "policy":
			if e.With == "resource" {
				return "--policy is required", "give the permissions policy, e.g. --policy policy.json"
			}
			return "--policy is required", "give the role trust policy, e.g. --policy trust.json"
		case "certificate":
			return "--certificate or --tag is required", "give --certificate cert.pem, or the principal tags with --tag x509Subject/CN=host.example.com"
		case "session-name":
			return "--session-name is required", "give the role session name the client sends, e.g. --session-name 123456 (the TOTP code)"
		case "source-arn":
			return "--source-arn is required", "give the trust anchor ARN the client signs for, e.g. --source-arn arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID"
		case "action":
			return "--resource needs --action", "name the call, e.g. --action s3:GetObject --resource arn:aws:s3:::bucket/key"
		}
	case trustpolicy.ErrConflict:
		switch e.Option {
		case "anchor-cert":
			return "--anchor-cert given without --format cloudformation", "--anchor-cert is only used with --format cloudformation"
		case "trust-anchor-arn":
			return "--trust-anchor-arn is not used with --format cloudformation", "drop --trust-anchor-arn: the template pins the trust anchor it creates"
		case "certificate":
			return "--certificate and --tag both given", "use --certificate or --tag, not both"
		case "resource":
			return "--resource given with CreateSession flags", "--resource checks a permissions policy: drop --certificate, --tag, --session-name and --source-arn (they describe a CreateSession)"
		}
	case trustpolicy.ErrUnknownChoice:
		switch e.Option {
		case "format":
			return fmt.Sprintf("unknown --format %q", e.Value), "use --format json or --format cloudformation"
		case "match":
			return fmt.Sprintf("unknown --match %q", e.Value), "use --match cn (subject CN) or --match san (first DNS SAN; works for certificates without a CN)"
		}
	case trustpolicy.ErrNotIPAddress:
		return fmt.Sprintf("--%s %q is not an IP address", e.Option, e.Value), trustpolicyCLIHint(e.Err)
	case trustpolicy.ErrNoServicePrefix:
		return fmt.Sprintf("--%s %q has no service prefix", e.Option, e.Value), trustpolicyCLIHint(e.Err)
	case trustpolicy.ErrNotKeyValue:
		if e.Option == "tag" {
			return fmt.Sprintf("--tag %q: want KEY=VALUE", e.Value), "write --tag KEY=VALUE, e.g. --tag x509Subject/CN=host.example.com"
		}
		return fmt.Sprintf("--%s %q: want KEY=VALUE", e.Option, e.Value), "write --context KEY=VALUE, e.g. --context aws:SecureTransport=true"
	}
	return "", ""
}

// trustpolicyCLIHint names the fix for the errors of package trustpolicy
// that its command line options meet (the options of its Validate
// methods, their sentinels, and *trustpolicy.FileError); trustpolicyHint
// has the others.
func trustpolicyCLIHint(e error) string {
	switch e := e.(type) {
	case *trustpolicy.OptionError:
		_, fix := policyOptionUsage(e)
		return fix
	case *trustpolicy.FileError:
		if h := For(e.Err); h != "" {
			return h
		}
		if e.What == "anchor certificate" {
			return "give the PEM file of your ACME CA's certificate"
		}
		return "check the path of the policy document"
	}
	switch e {
	case trustpolicy.ErrUnknownChoice:
		return "use one of the values the flag's --help lists"
	case trustpolicy.ErrConflict:
		return "drop one of the options; the command's --help says which go together"
	case trustpolicy.ErrNotIPAddress:
		return "give an IP address such as 203.0.113.7"
	case trustpolicy.ErrNoServicePrefix:
		return "write the action as service:Name, e.g. --action sts:AssumeRole"
	case trustpolicy.ErrNotKeyValue:
		return "write the value as KEY=VALUE"
	}
	return ""
}
