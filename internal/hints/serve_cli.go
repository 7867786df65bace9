package hints

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// The words of the serve, serve-emulator and demo commands for the option
// errors of credentials.ServeOptions, emulator.Options and demo.Options
// (their Option is the flag's name) and for the files those commands name
// by flag: Message is the error line, serveCLIHint the fix.

// Message is err in the words of command cmd ("serve", "serve-emulator",
// "demo"), naming the flag it came from: the whole error line without the
// program's name, or "" when err holds none of the errors worded here.
func Message(cmd string, err error) string {
	var (
		so *credentials.ServeOptionError
		tf *credentials.TokenFileError
		re *credentials.ReadyError
		eo *emulator.OptionError
		af *emulator.AnchorFileError
		do *demo.OptionError
		dd *demo.DirError
	)
	switch {
	case errors.As(err, &so):
		return cmd + ": " + serveOptionMessage(so)
	case errors.As(err, &tf):
		switch {
		case tf.Op == credentials.TokenRandom:
			return fmt.Sprintf("%s: make token: %v", cmd, tf.Err)
		case tf.Err == credentials.ErrTokenFormat:
			return fmt.Sprintf("%s: --auth-token-file %q: %v", cmd, tf.Path, tf.Err)
		case tf.Err == credentials.ErrTokenExposed:
			return fmt.Sprintf("%s: --auth-token-file %q is %v (mode %04o)", cmd, tf.Path, tf.Err, tf.Mode)
		}
		return fmt.Sprintf("%s: %s --auth-token-file: %v", cmd, tf.Op, tf.Err)
	case errors.As(err, &re):
		return fmt.Sprintf("%s: write --ready-file: %v", cmd, re.Err)
	case errors.As(err, &eo):
		return cmd + ": " + emulatorOptionMessage(eo)
	case errors.As(err, &af):
		return anchorFileMessage(af)
	case errors.As(err, &do):
		return cmd + ": " + demoOptionMessage(do)
	case errors.As(err, &dd):
		return cmd + ": --dir: " + dd.Err.Error()
	}
	return ""
}

func serveOptionMessage(e *credentials.ServeOptionError) string {
	switch {
	case e.Err == credentials.ErrPortAndListen:
		return "--listen and --port exclude each other"
	case e.Err == credentials.ErrOutOfRange:
		return fmt.Sprintf("--%s %v out of range", e.Option, e.Value)
	case e.Err == credentials.ErrNotLoopback && e.Bound != "":
		return fmt.Sprintf("--%s %q is bound to %s, not a loopback address", e.Option, e.Value, e.Bound)
	case e.Err == credentials.ErrNotLoopback, e.Err == credentials.ErrNotPositive:
		return fmt.Sprintf("--%s %v %v", e.Option, quoteString(e.Value), e.Err)
	case e.Err == credentials.ErrECSPath, e.Err == credentials.ErrRoleName:
		return fmt.Sprintf("--%s %q", e.Option, e.Value)
	}
	return fmt.Sprintf("--%s %q: %v", e.Option, e.Value, e.Err)
}

func emulatorOptionMessage(e *emulator.OptionError) string {
	switch e.Err {
	case emulator.ErrRequired:
		if e.Option == "region" {
			return "--region is empty"
		}
		return "--" + e.Option + " is required"
	case emulator.ErrNotLoopback, emulator.ErrNotPositive:
		return fmt.Sprintf("--%s %v %v", e.Option, quoteString(e.Value), e.Err)
	case emulator.ErrCAFileRequired:
		return "--tls needs --ca-out"
	case emulator.ErrCAFileWithoutTLS:
		return "--ca-out is only used with --tls"
	}
	if e.Value == nil {
		return fmt.Sprintf("--%s: %v", e.Option, e.Err)
	}
	return fmt.Sprintf("--%s %q: %v", e.Option, e.Value, e.Err)
}

// anchorCause is the error of an anchor file worth showing: the cause
// inside signer's error (the read error, the parse error of the block).
func anchorCause(e *emulator.AnchorFileError) error {
	switch c := e.Err.(type) {
	case *signer.FileError:
		return c.Err
	case *signer.CertificateError:
		if c.Block != 0 {
			return c.Err
		}
	}
	return e.Err
}

func anchorFileMessage(e *emulator.AnchorFileError) string {
	if ce, ok := e.Err.(*signer.CertificateError); ok {
		if ce.Block == 0 {
			return fmt.Sprintf("read --anchor-cert %q: no PEM CERTIFICATE block", e.Path)
		}
		return fmt.Sprintf("read --anchor-cert %q: PEM block %d: %v", e.Path, ce.Block, ce.Err)
	}
	return fmt.Sprintf("read --anchor-cert %q: %v", e.Path, anchorCause(e))
}

func demoOptionMessage(e *demo.OptionError) string {
	switch e.Err {
	case demo.ErrKeyType, demo.ErrNotDNSName, demo.ErrOutOfRange:
		return fmt.Sprintf("--%s %v %v", e.Option, quoteString(e.Value), e.Err)
	case demo.ErrExclusive:
		return "--fingerprint and --" + e.Option + " exclude each other"
	}
	return fmt.Sprintf("--%s: %v", e.Option, e.Err)
}

// quoteString is v quoted when it is a string (%q), else as %v prints it.
func quoteString(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// serveCLIHint names the fix for an option error of the serve,
// serve-emulator and demo commands and for serve-emulator's anchor files.
func serveCLIHint(e error) string {
	switch e := e.(type) {
	case *credentials.ServeOptionError:
		return serveOptionHint(e)
	case *emulator.OptionError:
		return emulatorOptionHint(e)
	case *emulator.AnchorFileError:
		if _, ok := e.Err.(*emulator.NotCAError); ok {
			return "" // emulatorHint has its fix
		}
		if h := For(anchorCause(e)); h != "" && anchorCause(e) != e.Err {
			return h
		}
		return "give --anchor-cert a PEM file holding the CA certificate(s) of your trust anchor"
	case *demo.OptionError:
		return demoOptionHint(e)
	}
	return ""
}

func serveOptionHint(e *credentials.ServeOptionError) string {
	switch {
	case e.Err == credentials.ErrPortAndListen:
		return "give the address with --listen HOST:PORT or the port with --port N (127.0.0.1), not both"
	case e.Option == "port":
		return "give --port between 1 and 65535"
	case e.Err == credentials.ErrNotLoopback:
		return "listen on 127.0.0.1 or [::1]; add --allow-remote only if other hosts must reach the credentials (anyone who can connect gets them)"
	case e.Option == "listen":
		return "give --listen as HOST:PORT, e.g. 127.0.0.1:9911"
	case e.Option == "hop-limit":
		return "give --hop-limit between 1 and 255 (0 keeps the system default)"
	case e.Option == "ecs-path":
		return "give --ecs-path an absolute URL path outside /latest/, e.g. /credentials"
	case e.Option == "role-name":
		return "give --role-name a name without '/' or spaces"
	case e.Option == "refresh-margin":
		return "give --refresh-margin a positive duration such as 5m"
	}
	return ""
}

func emulatorOptionHint(e *emulator.OptionError) string {
	switch {
	case e.Option == "anchor-cert":
		return "name the CA certificate your leaf chains to, e.g. --anchor-cert root.pem (the trust anchor's bundle)"
	case e.Err == emulator.ErrNotLoopback:
		return "listen on 127.0.0.1 or ::1, or add --allow-remote if you really mean to expose the emulator"
	case e.Option == "listen":
		return "give --listen as HOST:PORT, e.g. 127.0.0.1:0 (port 0 picks a free port)"
	case e.Option == "tls":
		return "add --ca-out FILE: clients trust the throwaway server CA written there (AWS_CA_BUNDLE=FILE)"
	case e.Option == "ca-out":
		return "drop --ca-out, or add --tls"
	case e.Option == "max-skew":
		return "give --max-skew a positive duration such as 5m"
	case strings.HasSuffix(e.Option, "-arn"):
		return "give --" + e.Option + " a full ARN like arn:aws:...; omit it to use the default printed at start"
	case e.Option == "region":
		return "give --region, e.g. us-east-1"
	case e.Option == "session-name-pattern":
		return "give --session-name-pattern a Go regular expression, e.g. '^[0-9]{6}$'"
	case e.Option == "fault":
		return "write --fault as " + emulator.FaultSyntax
	}
	return ""
}

func demoOptionHint(e *demo.OptionError) string {
	switch e.Option {
	case "key-type":
		return "use one of p256, p384, rsa2048, rsa3072, rsa4096"
	case "domain":
		return "give --domain a DNS name such as host.example.com"
	case "session-duration":
		return "give --session-duration between 900 and 43200 seconds"
	case "no-totp":
		return "drop --fingerprint to name the session after the certificate serial, or drop --no-totp"
	case "role-session-name":
		return "with --fingerprint the session name is the TOTP code: drop --role-session-name"
	}
	return "" // fingerprint: totpHint names the fix of the spec
}
