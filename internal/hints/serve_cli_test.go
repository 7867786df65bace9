package hints

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestServeCLIHints: every option error of credentials.ServeOptions,
// emulator.Options and demo.Options, with each of their sentinels, and
// every anchor file error gets a message naming the flag (Message) and a
// fix from For; a new sentinel without words fails here.
func TestServeCLIHints(t *testing.T) {
	for _, tc := range []struct {
		cmd string
		err error
	}{
		{"serve", &credentials.ServeOptionError{Option: "port", Value: 2, Err: credentials.ErrPortAndListen}},
		{"serve", &credentials.ServeOptionError{Option: "port", Value: 0, Err: credentials.ErrOutOfRange}},
		{"serve", &credentials.ServeOptionError{Option: "listen", Value: "x", Err: errors.New("missing port in address")}},
		{"serve", &credentials.ServeOptionError{Option: "listen", Value: ":1", Err: credentials.ErrNotLoopback}},
		{"serve", &credentials.ServeOptionError{Option: "listen", Value: "h:1", Bound: "192.0.2.1:1", Err: credentials.ErrNotLoopback}},
		{"serve", &credentials.ServeOptionError{Option: "hop-limit", Value: 256, Err: credentials.ErrOutOfRange}},
		{"serve", &credentials.ServeOptionError{Option: "ecs-path", Value: "x", Err: credentials.ErrECSPath}},
		{"serve", &credentials.ServeOptionError{Option: "role-name", Value: "a/b", Err: credentials.ErrRoleName}},
		{"serve", &credentials.ServeOptionError{Option: "refresh-margin", Value: time.Duration(0), Err: credentials.ErrNotPositive}},
		{"serve", &credentials.TokenFileError{Op: credentials.TokenRead, Path: "t", Err: credentials.ErrTokenFormat}},
		{"serve", &credentials.ReadyError{Err: errors.New("no such directory")}},
		{"serve-emulator", &emulator.OptionError{Option: "anchor-cert", Err: emulator.ErrRequired}},
		{"serve-emulator", &emulator.OptionError{Option: "region", Err: emulator.ErrRequired}},
		{"serve-emulator", &emulator.OptionError{Option: "listen", Value: ":1", Err: emulator.ErrNotLoopback}},
		{"serve-emulator", &emulator.OptionError{Option: "listen", Value: "1", Err: errors.New("missing port in address")}},
		{"serve-emulator", &emulator.OptionError{Option: "tls", Err: emulator.ErrCAFileRequired}},
		{"serve-emulator", &emulator.OptionError{Option: "ca-out", Value: "x", Err: emulator.ErrCAFileWithoutTLS}},
		{"serve-emulator", &emulator.OptionError{Option: "max-skew", Value: time.Duration(0), Err: emulator.ErrNotPositive}},
		{"serve-emulator", &emulator.OptionError{Option: "role-arn", Value: "x", Err: errors.New("arn: invalid prefix")}},
		{"serve-emulator", &emulator.OptionError{Option: "session-name-pattern", Err: errors.New("missing ]")}},
		{"serve-emulator", &emulator.OptionError{Option: "fault", Err: emulator.ErrFaultSpec}},
		{"serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.FileError{What: "certificate", Path: "a.pem", Err: errors.New("denied")}}},
		{"serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.CertificateError{Path: "a.pem"}}},
		{"serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.CertificateError{Path: "a.pem", Block: 2, Err: errors.New("malformed")}}},
		{"serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &emulator.NotCAError{Subject: "CN=leaf"}}},
		{"demo", &demo.OptionError{Option: "key-type", Value: "ed25519", Err: demo.ErrKeyType}},
		{"demo", &demo.OptionError{Option: "domain", Value: "a b", Err: demo.ErrNotDNSName}},
		{"demo", &demo.OptionError{Option: "session-duration", Value: 60, Err: demo.ErrOutOfRange}},
		{"demo", &demo.OptionError{Option: "no-totp", Value: true, Err: demo.ErrExclusive}},
		{"demo", &demo.OptionError{Option: "role-session-name", Value: "x1", Err: demo.ErrExclusive}},
		{"demo", &demo.OptionError{Option: "fingerprint", Value: []string{"cpu"}, Err: &totp.SpecError{Spec: "cpu"}}},
		{"demo", &demo.DirError{Path: "d", Err: errors.New("not a directory")}},
	} {
		msg := Message(tc.cmd, fmt.Errorf("wrapped: %w", tc.err))
		if msg == "" || !strings.Contains(msg, "--") {
			t.Errorf("%T %v: message %q, want one naming the flag", tc.err, tc.err, msg)
		}
		if h := For(tc.err); h == "" {
			t.Errorf("%T %v: no hint", tc.err, tc.err)
		}
	}
	if msg := Message("serve", errors.New("other")); msg != "" {
		t.Errorf("another error: got message %q, want none", msg)
	}
}

// TestServeCLIWords: the lines of serve, serve-emulator and demo for their
// options' errors, word for word as the commands printed them before the
// rules moved into the packages (the scripts and users know them).
func TestServeCLIWords(t *testing.T) {
	check := func(t *testing.T, cmd string, err error, wantMsg, wantHint string) {
		t.Helper()
		if err == nil {
			t.Fatalf("got nil, want %q", wantMsg)
		}
		if got := Message(cmd, err); got != wantMsg {
			t.Errorf("message %q, want %q", got, wantMsg)
		}
		if got := For(err); got != wantHint {
			t.Errorf("hint %q, want %q", got, wantHint)
		}
	}
	serve := credentials.ServeOptions{Listen: credentials.DefaultAddr, Port: 9911, HopLimit: 1, ECSPath: credentials.DefaultECSPath, RefreshMargin: time.Minute}
	for _, tc := range []struct {
		name               string
		mod                func(*credentials.ServeOptions)
		listenSet, portSet bool
		msg, hint          string
	}{
		{"both", func(*credentials.ServeOptions) {}, true, true, "serve: --listen and --port exclude each other", "give the address with --listen HOST:PORT or the port with --port N (127.0.0.1), not both"},
		{"port", func(o *credentials.ServeOptions) { o.Port = 70000 }, false, true, "serve: --port 70000 out of range", "give --port between 1 and 65535"},
		{"listen", func(o *credentials.ServeOptions) { o.Listen = "9911" }, true, false, `serve: --listen "9911": address 9911: missing port in address`, "give --listen as HOST:PORT, e.g. 127.0.0.1:9911"},
		{"remote", func(o *credentials.ServeOptions) { o.Listen = "0.0.0.0:1" }, true, false, `serve: --listen "0.0.0.0:1" is not a loopback address`, "listen on 127.0.0.1 or [::1]; add --allow-remote only if other hosts must reach the credentials (anyone who can connect gets them)"},
		{"hop limit", func(o *credentials.ServeOptions) { o.HopLimit = 300 }, false, false, "serve: --hop-limit 300 out of range", "give --hop-limit between 1 and 255 (0 keeps the system default)"},
		{"ecs path", func(o *credentials.ServeOptions) { o.ECSPath = "/latest/x" }, false, false, `serve: --ecs-path "/latest/x"`, "give --ecs-path an absolute URL path outside /latest/, e.g. /credentials"},
		{"role name", func(o *credentials.ServeOptions) { o.RoleName = "a b" }, false, false, `serve: --role-name "a b"`, "give --role-name a name without '/' or spaces"},
		{"margin", func(o *credentials.ServeOptions) { o.RefreshMargin = -5 * time.Minute }, false, false, "serve: --refresh-margin -5m0s is not positive", "give --refresh-margin a positive duration such as 5m"},
	} {
		t.Run("serve/"+tc.name, func(t *testing.T) {
			o := serve
			tc.mod(&o)
			check(t, "serve", o.Check(tc.listenSet, tc.portSet), tc.msg, tc.hint)
		})
	}
	bound := &credentials.ServeOptionError{Option: "listen", Value: "h:1", Bound: "192.0.2.1:1", Err: credentials.ErrNotLoopback}
	check(t, "serve", bound, `serve: --listen "h:1" is bound to 192.0.2.1:1, not a loopback address`, "listen on 127.0.0.1 or [::1]; add --allow-remote only if other hosts must reach the credentials (anyone who can connect gets them)")

	em := emulator.Options{AnchorFiles: []string{"a.pem"}, Listen: "127.0.0.1:0", Region: "us-east-1", MaxSkew: 5 * time.Minute}
	for _, tc := range []struct {
		name      string
		mod       func(*emulator.Options)
		msg, hint string
	}{
		{"no anchor", func(o *emulator.Options) { o.AnchorFiles = nil }, "serve-emulator: --anchor-cert is required", "name the CA certificate your leaf chains to, e.g. --anchor-cert root.pem (the trust anchor's bundle)"},
		{"all interfaces", func(o *emulator.Options) { o.Listen = ":8080" }, `serve-emulator: --listen ":8080" is not a loopback address`, "listen on 127.0.0.1 or ::1, or add --allow-remote if you really mean to expose the emulator"},
		{"bad listen", func(o *emulator.Options) { o.Listen = "8080" }, `serve-emulator: --listen "8080": address 8080: missing port in address`, "give --listen as HOST:PORT, e.g. 127.0.0.1:0 (port 0 picks a free port)"},
		{"tls without ca-out", func(o *emulator.Options) { o.TLS = true }, "serve-emulator: --tls needs --ca-out", "add --ca-out FILE: clients trust the throwaway server CA written there (AWS_CA_BUNDLE=FILE)"},
		{"ca-out without tls", func(o *emulator.Options) { o.CAFile = "x" }, "serve-emulator: --ca-out is only used with --tls", "drop --ca-out, or add --tls"},
		{"skew", func(o *emulator.Options) { o.MaxSkew = 0 }, "serve-emulator: --max-skew 0s is not positive", "give --max-skew a positive duration such as 5m"},
		{"bad arn", func(o *emulator.Options) { o.ProfileARNs = []string{"profile/x"} }, `serve-emulator: --profile-arn "profile/x": arn: invalid prefix`, "give --profile-arn a full ARN like arn:aws:...; omit it to use the default printed at start"},
		{"no region", func(o *emulator.Options) { o.Region = "" }, "serve-emulator: --region is empty", "give --region, e.g. us-east-1"},
		{"pattern", func(o *emulator.Options) { o.SessionNamePattern = "[" }, "serve-emulator: --session-name-pattern: error parsing regexp: missing closing ]: `[`", "give --session-name-pattern a Go regular expression, e.g. '^[0-9]{6}$'"},
		{"fault", func(o *emulator.Options) { o.Faults = []string{"429x0"} }, `serve-emulator: --fault: bad fault spec "429x0": repeat count must be at least 1`, "write --fault as " + emulator.FaultSyntax},
	} {
		t.Run("serve-emulator/"+tc.name, func(t *testing.T) {
			o := em
			tc.mod(&o)
			check(t, "serve-emulator", o.Validate(), tc.msg, tc.hint)
		})
	}
	anchorHint := "give --anchor-cert a PEM file holding the CA certificate(s) of your trust anchor"
	check(t, "serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.CertificateError{Path: "a.pem"}}, `read --anchor-cert "a.pem": no PEM CERTIFICATE block`, anchorHint)
	check(t, "serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.CertificateError{Path: "a.pem", Block: 2, Err: errors.New("malformed")}}, `read --anchor-cert "a.pem": PEM block 2: malformed`, anchorHint)
	check(t, "serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.FileError{What: "certificate", Path: "a.pem", Err: errors.New("denied")}}, `read --anchor-cert "a.pem": denied`, anchorHint)
	// A cause with a fix of its own keeps it.
	check(t, "serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &signer.FileError{What: "certificate", Path: "a.pem", Err: signer.ErrFileTooLarge}}, `read --anchor-cert "a.pem": `+signer.ErrFileTooLarge.Error(), For(signer.ErrFileTooLarge))
	check(t, "serve-emulator", &emulator.AnchorFileError{Path: "a.pem", Err: &emulator.NotCAError{Subject: "CN=leaf"}}, `read --anchor-cert "a.pem": "CN=leaf" is not a CA certificate`, For(&emulator.NotCAError{}))

	dm := demo.Options{Domain: "host.example.com", KeyType: "p256", DurationSeconds: 3600}
	for _, tc := range []struct {
		name      string
		mod       func(*demo.Options)
		msg, hint string
	}{
		{"ed25519", func(o *demo.Options) { o.KeyType = "ed25519" }, `demo: --key-type "ed25519" is not supported`, "use one of p256, p384, rsa2048, rsa3072, rsa4096"},
		{"domain", func(o *demo.Options) { o.Domain = "../x" }, `demo: --domain "../x" is not a DNS name`, "give --domain a DNS name such as host.example.com"},
		{"short", func(o *demo.Options) { o.DurationSeconds = 899 }, "demo: --session-duration 899 is out of range", "give --session-duration between 900 and 43200 seconds"},
		{"no totp", func(o *demo.Options) { o.Fingerprints = []string{"machine-id"}; o.NoTOTP = true }, "demo: --fingerprint and --no-totp exclude each other", "drop --fingerprint to name the session after the certificate serial, or drop --no-totp"},
		{"name", func(o *demo.Options) { o.Fingerprints = []string{"machine-id"}; o.RoleSessionName = "x1" }, "demo: --fingerprint and --role-session-name exclude each other", "with --fingerprint the session name is the TOTP code: drop --role-session-name"},
		{"bad fingerprint", func(o *demo.Options) { o.Fingerprints = []string{"cpu"} }, `demo: --fingerprint: invalid fingerprint spec "cpu": unknown source kind`, "a fingerprint source is one of file:PATH, machine-id, dmi:FIELD (e.g. dmi:product_uuid), hostname, env:NAME"},
	} {
		t.Run("demo/"+tc.name, func(t *testing.T) {
			o := dm
			tc.mod(&o)
			check(t, "demo", o.Validate(), tc.msg, tc.hint)
		})
	}
}
