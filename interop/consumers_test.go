package interop

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// consumerSetup is a PKI, an emulator trusting it, and an AWS config file
// whose profile "p" runs our binary as credential_process, reaching the
// emulator over verified TLS (AWS_CA_BUNDLE, no --no-verify-ssl).
type consumerSetup struct {
	e        *emu
	config   string // AWS_CONFIG_FILE
	caBundle string // AWS_CA_BUNDLE for the child
	env      []string
}

func newConsumerSetup(t *testing.T, trustRoot bool) consumerSetup {
	t.Helper()
	ours := ourBinary(t)
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	anchor := p.h.Root.Cert
	if !trustRoot {
		anchor = newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "").h.Root.Cert
	}
	e := startEmulator(t, []*x509.Certificate{anchor}, nil)
	dir := t.TempDir()
	ca := filepath.Join(dir, "endpoint-ca.pem")
	if err := os.WriteFile(ca, testpki.CertPEM(e.proxy.srv.Certificate()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{ours, "credential-process",
		"--certificate", p.files.Certificate,
		"--private-key", p.files.Key,
		"--intermediates", p.files.Chain,
		"--endpoint", e.URL(),
	}, e.arnFlags()...)
	for _, a := range args {
		if strings.ContainsAny(a, " \t\"'\\$`") {
			t.Fatalf("argument %q needs quoting; this test writes the line unquoted", a)
		}
	}
	cfg := filepath.Join(dir, "config")
	body := fmt.Sprintf("[profile p]\nregion = %s\ncredential_process = %s\n", e.srv.Region(), strings.Join(args, " "))
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "credentials")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(t,
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_CA_BUNDLE="+ca,
	)
	return consumerSetup{e: e, config: cfg, caBundle: ca, env: env}
}

// TestAWSCLIExportCredentials is acceptance 4 with AWS CLI v2: `aws
// configure export-credentials` runs our credential_process and prints
// exactly the credentials the emulator issued.
func TestAWSCLIExportCredentials(t *testing.T) {
	aws := awsCLIv2(t)
	s := newConsumerSetup(t, true)
	r := run(t, s.env, aws, "configure", "export-credentials", "--profile", "p", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws configure export-credentials:\n%s", r)
	}
	got := parseProcessOutput(t, r.stdout)
	creds := s.e.issuedCredentials(t)
	if len(creds) != 1 {
		t.Fatalf("emulator issued %d credential sets, want 1", len(creds))
	}
	assertSameCredentials(t, got, creds[0])
	if n := s.e.srv.Calls(); n != 1 {
		t.Errorf("emulator calls: got %d, want 1", n)
	}
}

// TestAWSCLIShowsOurError: when credential_process fails, the AWS CLI
// fails too and passes on our error and hint.
func TestAWSCLIShowsOurError(t *testing.T) {
	aws := awsCLIv2(t)
	s := newConsumerSetup(t, false)
	r := run(t, s.env, aws, "configure", "export-credentials", "--profile", "p", "--format", "process")
	if r.code == 0 || r.stdout != "" {
		t.Fatalf("want a failure with empty stdout:\n%s", r)
	}
	for _, want := range []string{"Untrusted signing certificate", "hint:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("AWS CLI stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestSDKCredentialProcess is acceptance 4 with aws-sdk-go-v2: the shared
// config's credential_process provider retrieves the emulator's
// credentials through our binary.
func TestSDKCredentialProcess(t *testing.T) {
	s := newConsumerSetup(t, true)
	// The SDK runs the process with this process's environment: make it
	// the clean one, and keep every credential of the machine out.
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile("p"),
		config.WithSharedConfigFiles([]string{s.config}),
		config.WithSharedCredentialsFiles([]string{os.DevNull}),
	)
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("Credentials.Retrieve: %v", err)
	}
	if c.Source != "ProcessProvider" {
		t.Errorf("credential source: got %q, want ProcessProvider", c.Source)
	}
	if !c.CanExpire {
		t.Errorf("CanExpire false: the SDK did not read our Expiration")
	}
	creds := s.e.issuedCredentials(t)
	if len(creds) != 1 {
		t.Fatalf("emulator issued %d credential sets, want 1", len(creds))
	}
	assertSameCredentials(t, processCredentials{
		Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: c.Expires.UTC().Format(time.RFC3339),
	}, creds[0])
	if cfg.Region != s.e.srv.Region() {
		t.Errorf("region from the profile: got %q, want %q", cfg.Region, s.e.srv.Region())
	}
}

// TestAWSCLIDropIn is the drop-in promise through the AWS CLI: two profiles
// whose credential_process lines differ only in the program, the official
// helper's and ours, both yield the emulator's credentials.
func TestAWSCLIDropIn(t *testing.T) {
	aws := awsCLIv2(t)
	official, ours := officialHelper(t), ourBinary(t)
	p := newPKI(t, testpki.RSA2048, testpki.RSA2048, 1, "")
	e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
	dir := t.TempDir()
	ca := filepath.Join(dir, "endpoint-ca.pem")
	if err := os.WriteFile(ca, testpki.CertPEM(e.proxy.srv.Certificate()), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := strings.Join(append([]string{"credential-process",
		"--certificate", p.files.Certificate,
		"--private-key", p.files.Key,
		"--intermediates", p.files.Chain,
		"--endpoint", e.URL(),
	}, e.arnFlags()...), " ")
	cfg := filepath.Join(dir, "config")
	body := fmt.Sprintf("[profile official]\ncredential_process = %s %s\n\n[profile ours]\ncredential_process = %s %s\n", official, flags, ours, flags)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(t, "AWS_CONFIG_FILE="+cfg, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_CA_BUNDLE="+ca)
	for i, profile := range []string{"official", "ours"} {
		r := run(t, env, aws, "configure", "export-credentials", "--profile", profile, "--format", "process")
		if r.code != 0 {
			t.Fatalf("profile %s:\n%s", profile, r)
		}
		got := parseProcessOutput(t, r.stdout)
		creds := e.issuedCredentials(t)
		if len(creds) != i+1 {
			t.Fatalf("profile %s: emulator issued %d credential sets in all, want %d", profile, len(creds), i+1)
		}
		assertSameCredentials(t, got, creds[i])
	}
}
