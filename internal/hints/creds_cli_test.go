package hints_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/dropin"
	"github.com/acme-signing-helper/acme-signing-helper/internal/hints"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestCredentialsWords: each refusal of the credential flags, in the
// command's words (the message names the flag) with its fix; the same
// fix from For when the error travels wrapped.
func TestCredentialsWords(t *testing.T) {
	tests := []struct {
		cmd      string
		err      error
		msg, fix string // fix: a part of it
	}{
		{"credential-process", dropin.RefuseUnsupported([]string{"--pkcs11-lib", "--reuse-pin"}), "credential-process: --pkcs11-lib, --reuse-pin not supported", "keep aws_signing_helper for PKCS#11"},
		{"credential-process", dropin.RefuseUnsupported([]string{"--tpm-key-password"}), "credential-process: --tpm-key-password not supported", "--tpm-key-password-file FILE"},
		{"update", dropin.RefusePasswordFlag([]string{"--pkcs8-password=x"}), "update: --pkcs8-password: key passwords are not accepted as flag values (other users can read the command line)", "--private-key-password-file FILE, or set ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD"},
		{"tpm keygen", dropin.RefusePasswordFlag([]string{"--tpm-key-password", "x"}), "tpm keygen: --tpm-key-password: key passwords are not accepted as flag values (other users can read the command line)", "ACME_SIGNING_HELPER_TPM_PASSWORD"},
		{"sign-string", &signer.PKCS11Error{Field: "PrivateKey"}, "sign-string: --private-key: PKCS#11 URIs are not supported", "files only"},
		{"credential-process", signer.ErrSourceConflict, "credential-process: --acme-dir/--domain and --certificate/--private-key exclude each other", "use either"},
		{"credential-process", signer.ErrNoPrivateKeyPath, "credential-process: no private key: --private-key is required", "written together"},
		{"sign-string", signer.ErrNoPrivateKeyPath, "sign-string: no key: --private-key is required", "PKCS#12 --certificate FILE"},
		{"serve", &signer.FieldError{Field: "ProfileARN", Err: signer.ErrRequired}, "serve: --profile-arn is required", "(or set ACME_SIGNING_HELPER_PROFILE_ARN)"},
		{"credential-process", &signer.FieldError{Field: "RoleSessionName", Err: signer.ErrSessionNameConflict}, "credential-process: --role-session-name and a computed session name exclude each other", "drop --role-session-name"},
		{"sign-string", &signer.FieldError{Field: "Digest", Value: "MD5", Err: signer.ErrUnsupportedDigest}, `sign-string: --digest: unsupported digest "MD5" (want SHA256, SHA384, SHA512)`, "pass --digest SHA256, --digest SHA384"},
		{"sign-string", &signer.FieldError{Field: "Format", Value: "yaml", Err: signer.ErrUnsupportedFormat}, `sign-string: --format "yaml" is not one of json, text, bin`, "json, text or bin"},
		{"update", &credentials.UpdateOptionError{Option: "profile", Value: "a]", Err: credentials.ErrProfileName}, `update: --profile "a]" is not a profile name`, "AWS_PROFILE=NAME"},
		{"update", &credentials.UpdateOptionError{Option: "once", Value: true, Err: credentials.ErrOnceAndRetry}, "update: --once and --retry-errors exclude each other", "drop --retry-errors"},
		{"update", &credentials.UpdateOptionError{Option: "refresh-margin", Value: time.Duration(0), Err: credentials.ErrNotPositive}, "update: --refresh-margin 0s is not positive", "such as 5m"},
		{"update", &credentials.UpdateOptionError{Option: "refresh-margin", Value: 2 * time.Hour, Err: &credentials.MarginError{Margin: 2 * time.Hour, Session: time.Hour}}, "update: --refresh-margin 2h0m0s is not shorter than the session (3600 s)", "shorter than --session-duration"},
		// Another error keeps its text and For's fix.
		{"credential-process", fmt.Errorf("wrapped: %w", signer.ErrDuration), "credential-process: wrapped: session duration out of range", "between 900 and 43200"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			w := hints.Credentials(tt.cmd, tt.err)
			if w.Error() != tt.msg {
				t.Errorf("message %q, want %q", w.Error(), tt.msg)
			}
			if !strings.Contains(w.Hint(), tt.fix) {
				t.Errorf("fix %q, want it to hold %q", w.Hint(), tt.fix)
			}
			if !errors.Is(w, tt.err) {
				t.Errorf("the worded error does not wrap %v", tt.err)
			}
			// A sentinel of the load options alone has signer's own fix
			// (hints.go), which names the flags the same way.
			if got := hints.For(fmt.Errorf("ctx: %w", tt.err)); got == "" || (tt.err != signer.ErrNoPrivateKeyPath && !strings.Contains(got, tt.fix)) {
				t.Errorf("For(wrapped) = %q, want it to hold %q", got, tt.fix)
			}
		})
	}
}
