package main

import (
	"errors"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// This file is the one place where package errors meet the CLI's words.
//
// The convention, for every package of this module: an error carries facts
// (the file, field, value and cause) as an exported sentinel
// (var ErrX = errors.New(...)) or an exported type with fields and Unwrap,
// so that callers match it with errors.Is/As. No package error text, and no
// method of one, names a flag, an environment variable of this CLI or a
// fix. The fix, in the CLI's words (flags, env vars, commands), is added
// here: hintOf walks the error chain, outermost first, and asks each
// package's hint function about each error of the chain in turn.
//
// The only errors that carry their own hint are main's: usageError (exit
// code 2) and withHint, made at the edge where the flag is known.

// hinter is implemented by main's edge errors (usageError, hintedError).
type hinter interface{ Hint() string }

// hintOf returns the fix for err, or "" when none is known.
func hintOf(err error) string {
	for err != nil {
		if h := hintAt(err); h != "" {
			return h
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if h := hintOf(e); h != "" {
					return h
				}
			}
			return ""
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// hintAt is the hint of e itself, not of the errors it wraps. The package
// functions below look at e alone: they compare with == and type-assert,
// never errors.Is/As (hintOf does the walking).
func hintAt(e error) string {
	if h, ok := e.(hinter); ok && h.Hint() != "" {
		return h.Hint()
	}
	for _, f := range []func(error) string{
		signerHint,
		credentialsHint,
		totpHint,
		auditHint,
		trustpolicyHint,
		emulatorHint,
		demoHint,
	} {
		if h := f(e); h != "" {
			return h
		}
	}
	return ""
}

// ---- signer ----------------------------------------------------------------

// signerHint names the fix for an error of package signer.
func signerHint(e error) string {
	return ""
}

// ---- credentials -----------------------------------------------------------

// credentialsHint names the fix for an error of package credentials.
func credentialsHint(e error) string {
	return ""
}

// ---- totp ------------------------------------------------------------------

// totpHint names the fix for an error of package totp.
func totpHint(e error) string {
	return ""
}

// ---- audit -----------------------------------------------------------------

// auditHint names the fix for an error of package audit.
func auditHint(e error) string {
	return ""
}

// ---- trustpolicy -----------------------------------------------------------

// trustpolicyHint names the fix for an error of package trustpolicy.
func trustpolicyHint(e error) string {
	switch e {
	case trustpolicy.ErrInvalidPolicy:
		return trustpolicyParseHint
	case trustpolicy.ErrUnsupportedOperator:
		return trustpolicyOperatorHint
	case trustpolicy.ErrBadConditionValue:
		return trustpolicyValueHint
	case trustpolicy.ErrRequired:
		return "give the option; run '" + progName + " trust-policy COMMAND --help' for the flags"
	}
	// A *ConditionError wraps ErrUnsupportedOperator or
	// ErrBadConditionValue: hintOf finds their hints.
	switch e := e.(type) {
	case *trustpolicy.ParseError:
		return trustpolicyParseHint
	case *trustpolicy.OptionError:
		return trustpolicyOptionHint(e)
	}
	return ""
}

const (
	trustpolicyParseHint    = "fix the policy document; see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
	trustpolicyOperatorHint = "use one of the String*, Arn*, Bool, IpAddress/NotIpAddress, Numeric*, Date*, BinaryEquals or Null operators, optionally with ForAllValues:/ForAnyValue: and IfExists"
	trustpolicyValueHint    = "fix the condition value in the policy document"
)

// trustpolicyOptionHint is the fix for a bad template option, by option
// and by whether it was missing or wrong.
func trustpolicyOptionHint(e *trustpolicy.OptionError) string {
	missing := e.Err == trustpolicy.ErrRequired
	switch e.Option {
	case "trust-anchor-arn":
		if missing {
			return "give the ARN of the trust anchor that holds your ACME CA"
		}
		return "copy the ARN from 'aws rolesanywhere list-trust-anchors'"
	case "match":
		return "use --match cn or --match san"
	case "workload":
		if missing {
			return "name the certificates allowed, e.g. --workload '*.example.com' or --workload host.example.com"
		}
		return "give a DNS name (host.example.com) or a pattern for one domain (*.example.com)"
	case "totp-digits":
		return "use 6, 7 or 8 (oathtool's range), or 0 for no session-name condition"
	case "issuer-cn":
		return "give the issuing CA's CN, e.g. --issuer-cn YE1,YE2,YR1,YR2"
	case "revoke":
		return "give the exact identity (CN or DNS name) to deny"
	case "zone-id":
		return "copy the ID from 'aws route53 list-hosted-zones-by-name --dns-name example.com'"
	case "domain":
		if missing {
			return "name each domain of the certificate, e.g. --domain '*.example.com'"
		}
		return "give a DNS name such as example.com or *.example.com"
	case "client":
		return "use --client " + strings.Join(trustpolicy.Route53Clients, ", ")
	case "cidr":
		if missing {
			return "give the addresses calls may come from, e.g. --cidr 203.0.113.7/32"
		}
		return "write an address or a CIDR range such as 203.0.113.0/24 or 2001:db8::/32"
	case "session-duration":
		return "use 900 to 43200 seconds"
	case "anchor-cert":
		return "give the PEM file of your ACME CA's root or intermediate certificate (for lego: certificates/<domain>.issuer.crt)"
	}
	return ""
}

// ---- emulator --------------------------------------------------------------

// emulatorHint names the fix for an error of package emulator.
func emulatorHint(e error) string {
	switch e {
	case emulator.ErrNoAnchors:
		return "check --anchor-cert and the --*-arn flags"
	case emulator.ErrFaultSpec:
		return "write --fault as " + emulator.FaultSyntax
	}
	return ""
}

// ---- internal/demo ---------------------------------------------------------

// demoHint names the fix for an error of package internal/demo.
func demoHint(e error) string {
	switch e := e.(type) {
	case *demo.PathError:
		if e.Dir {
			return "pass --dir a directory you can write to"
		}
		return "set TMPDIR to a writable directory"
	case *demo.DirError:
		return "pass --dir a directory you can write to"
	case *demo.ListenError:
		return "the demo needs a loopback TCP port"
	}
	return ""
}
