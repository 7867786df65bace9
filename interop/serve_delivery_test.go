package interop

// Issue 6 (delivery) against the real consumers: the AWS CLI v2 and
// aws-sdk-go-v2 read what serve, update and aws-config produce.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// deliverySetup is a PKI, an emulator trusting it over verified TLS, and
// the credential-process flags that reach it.
type deliverySetup struct {
	p     pki
	e     *emu
	ca    string // AWS_CA_BUNDLE for our binary
	flags []string
}

func newDeliverySetup(t *testing.T) deliverySetup {
	t.Helper()
	p := newPKI(t, testpki.ECDSAP256, testpki.ECDSAP384, 1, "")
	e := startEmulator(t, []*x509.Certificate{p.h.Root.Cert}, nil)
	ca := filepath.Join(t.TempDir(), "endpoint-ca.pem")
	if err := os.WriteFile(ca, testpki.CertPEM(e.proxy.srv.Certificate()), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"--certificate", p.files.Certificate, "--private-key", p.files.Key, "--intermediates", p.files.Chain, "--endpoint", e.URL()}, e.arnFlags()...)
	return deliverySetup{p: p, e: e, ca: ca, flags: flags}
}

// setProcessEnv makes env the test process's environment for SDK calls
// (which read it), restoring it afterwards.
func setProcessEnv(t *testing.T, env []string) {
	t.Helper()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// sameKeys compares keys and token only (for readers that do not report
// the expiry as issued: a credentials file has none, and the SDK's cache
// moves it earlier by its expiry window).
func sameKeys(t *testing.T, what, akid, secret, token string, want issued) {
	t.Helper()
	if akid != want.AccessKeyID || secret != want.SecretAccessKey || token != want.SessionToken {
		t.Fatalf("%s: got access key %q and other secrets than the emulator's %q (values not shown)", what, akid, want.AccessKeyID)
	}
}

func sameAs(t *testing.T, what string, c aws.Credentials, want issued) {
	t.Helper()
	assertSameCredentials(t, processCredentials{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: c.Expires.UTC().Format(time.RFC3339)}, want)
	if t.Failed() {
		t.Fatalf("%s: credentials differ from the emulator's", what)
	}
}

// TestServeConsumers is acceptance 3: the AWS CLI (IMDS through
// AWS_EC2_METADATA_SERVICE_ENDPOINT, ECS through
// AWS_CONTAINER_CREDENTIALS_FULL_URI) and aws-sdk-go-v2's IMDS and ECS
// providers (directly and through LoadDefaultConfig's chain) all get the
// one credential set serve obtained; SIGTERM stops serve with exit 0.
func TestServeConsumers(t *testing.T) {
	awsCLI := awsCLIv2(t)
	s := newDeliverySetup(t)
	dir := t.TempDir()
	ready, tokFile := filepath.Join(dir, "ready"), filepath.Join(dir, "state", "ecs-token")
	cmd := exec.Command(ourBinary(t), append([]string{"serve", "--listen", "127.0.0.1:0", "--ready-file", ready, "--auth-token-file", tokFile}, s.flags...)...)
	cmd.Env = cleanEnv(t, "AWS_CA_BUNDLE="+s.ca)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	var base string
	for deadline := time.Now().Add(15 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			base = strings.TrimSpace(string(b))
		}
	}
	if base == "" {
		t.Fatalf("serve not ready:\n%s", hideSecrets(stderr.String()))
	}
	tok, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	creds := s.e.issuedCredentials(t)
	if len(creds) != 1 {
		t.Fatalf("emulator issued %d credential sets, want 1", len(creds))
	}
	want := creds[0]

	// AWS CLI v2 over IMDSv2, no other credentials.
	r := run(t, cleanEnv(t, "AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT="+base+"/"), awsCLI, "configure", "export-credentials", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws over IMDS:\n%s", r)
	}
	assertSameCredentials(t, parseProcessOutput(t, r.stdout), want)
	// AWS CLI v2 over the ECS endpoint (2.9 reads the token from
	// AWS_CONTAINER_AUTHORIZATION_TOKEN; newer ones also from _FILE).
	r = run(t, cleanEnv(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+base+"/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN="+string(tok),
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+tokFile), awsCLI, "configure", "export-credentials", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws over ECS:\n%s", r)
	}
	assertSameCredentials(t, parseProcessOutput(t, r.stdout), want)

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	// SDK providers, directly.
	imdsProv := ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = imds.New(imds.Options{Endpoint: base}) })
	c, err := imdsProv.Retrieve(ctx)
	if err != nil {
		t.Fatalf("ec2rolecreds: %v", err)
	}
	sameAs(t, "ec2rolecreds", c, want)
	ecsProv := endpointcreds.New(base+"/credentials", func(o *endpointcreds.Options) { o.AuthorizationToken = string(tok) })
	if c, err = ecsProv.Retrieve(ctx); err != nil {
		t.Fatalf("endpointcreds: %v", err)
	}
	sameAs(t, "endpointcreds", c, want)
	// A wrong token is refused.
	bad := endpointcreds.New(base+"/credentials", func(o *endpointcreds.Options) { o.AuthorizationToken = "wrong" })
	if _, err := bad.Retrieve(ctx); err == nil {
		t.Error("endpointcreds with a wrong token got credentials")
	}
	// SDK default chain, from the environment only.
	for name, env := range map[string][]string{
		"imds": {"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + base + "/"},
		"ecs":  {"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + base + "/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + tokFile},
	} {
		setProcessEnv(t, cleanEnv(t, env...))
		if name == "imds" {
			os.Unsetenv("AWS_EC2_METADATA_DISABLED")
		}
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
		if err != nil {
			t.Fatalf("%s: LoadDefaultConfig: %v", name, err)
		}
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatalf("%s: Retrieve: %v", name, err)
		}
		sameKeys(t, name+" via LoadDefaultConfig", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, want)
		if !c.CanExpire || c.Expires.After(want.Expiration) || c.Expires.Before(want.Expiration.Add(-10*time.Minute)) {
			t.Errorf("%s via LoadDefaultConfig: expires %s, want at most the issued %s", name, c.Expires, want.Expiration)
		}
	}
	if n := s.e.srv.Calls(); n != 1 {
		t.Errorf("CreateSession calls = %d, want 1 (served from memory)", n)
	}
	assertNoSecretsIn(t, "serve's output", append(stdout.Bytes(), stderr.Bytes()...), creds)

	// SIGTERM: graceful stop, exit 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, hideSecrets(stderr.String()))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGTERM")
	}
}

const threeProfiles = `# shared credentials, edited by hand
[default]
aws_access_key_id = AKIAEXAMPLEDEFAULT
aws_secret_access_key = default-secret

; dev account
[dev]
aws_access_key_id=AKIAEXAMPLEDEV
aws_secret_access_key=dev-secret

# prod, read only
[prod]   ; trailing comment
aws_access_key_id = AKIAEXAMPLEPROD
aws_secret_access_key = prod-secret
`

// TestUpdateConsumers is acceptance 4 with the real readers: after
// update, the three other profiles and the comments are byte for byte the
// same and both the SDK and the AWS CLI read the new profile.
func TestUpdateConsumers(t *testing.T) {
	awsCLI := awsCLIv2(t)
	s := newDeliverySetup(t)
	file := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(file, []byte(threeProfiles), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(t, "AWS_CA_BUNDLE="+s.ca, "AWS_SHARED_CREDENTIALS_FILE="+file)
	r := run(t, env, ourBinary(t), append([]string{"update", "--once", "--profile", "acme"}, s.flags...)...)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("update --once:\n%s", r)
	}
	got, _ := os.ReadFile(file)
	if !bytes.HasPrefix(got, []byte(threeProfiles)) {
		t.Fatalf("the other profiles changed:\n%s", hideSecrets(string(got)))
	}
	want := s.e.issuedCredentials(t)[0]

	r = run(t, cleanEnv(t, "AWS_SHARED_CREDENTIALS_FILE="+file), awsCLI, "configure", "export-credentials", "--profile", "acme", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws configure export-credentials --profile acme:\n%s", r)
	}
	// Keys from a credentials file carry no expiry: read the document
	// without parseProcessOutput's expiry check.
	var pc processCredentials
	if err := json.Unmarshal([]byte(r.stdout), &pc); err != nil || pc.Version != 1 {
		t.Fatalf("AWS CLI output: %v\n%s", err, r)
	}
	sameKeys(t, "AWS CLI, profile acme", pc.AccessKeyID, pc.SecretAccessKey, pc.SessionToken, want)
	// The hand-written profiles still read as before.
	r = run(t, cleanEnv(t, "AWS_SHARED_CREDENTIALS_FILE="+file), awsCLI, "configure", "get", "aws_access_key_id", "--profile", "prod")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "AKIAEXAMPLEPROD" {
		t.Errorf("profile prod after update:\n%s", r)
	}

	setProcessEnv(t, cleanEnv(t))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithSharedConfigProfile("acme"),
		config.WithSharedCredentialsFiles([]string{file}), config.WithSharedConfigFiles([]string{os.DevNull}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "SDK, profile acme", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, want)
}

// copyFile copies src to dst with mode.
func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAWSConfigPathsWithSpaces is acceptance 6: the program and the
// certificate files live under names with spaces, quotes, '$', '#' and
// ';'; the block aws-config prints works with the AWS CLI and the SDK.
func TestAWSConfigPathsWithSpaces(t *testing.T) {
	awsCLI := awsCLIv2(t)
	s := newDeliverySetup(t)
	root := t.TempDir()
	bin := filepath.Join(root, "my tools", "acme signing helper")
	certs := filepath.Join(root, `it's "$HOME" #1; x`)
	for _, d := range []string{filepath.Dir(bin), certs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, ourBinary(t), bin, 0o755)
	copyFile(t, s.p.files.Certificate, filepath.Join(certs, "leaf.pem"), 0o644)
	copyFile(t, s.p.files.Key, filepath.Join(certs, "key.pem"), 0o600)
	copyFile(t, s.p.files.Chain, filepath.Join(certs, "chain.pem"), 0o644)
	args := append([]string{"aws-config", "--profile", "spaced", "--binary", bin, "--certificate", filepath.Join(certs, "leaf.pem"),
		"--private-key", filepath.Join(certs, "key.pem"), "--intermediates", filepath.Join(certs, "chain.pem"), "--endpoint", s.e.URL(), "--no-cache"}, s.e.arnFlags()...)
	r := run(t, cleanEnv(t), bin, args...)
	if r.code != 0 {
		t.Fatalf("aws-config:\n%s", r)
	}
	cfgFile := filepath.Join(root, "config")
	if err := os.WriteFile(cfgFile, []byte(r.stdout+"region = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r = run(t, cleanEnv(t, "AWS_CONFIG_FILE="+cfgFile, "AWS_CA_BUNDLE="+s.ca), awsCLI, "configure", "export-credentials", "--profile", "spaced", "--format", "process")
	if r.code != 0 {
		t.Fatalf("AWS CLI with the aws-config block:\n%s\nblock:\n%s", r, hideSecrets(readString(t, cfgFile)))
	}
	creds := s.e.issuedCredentials(t)
	assertSameCredentials(t, parseProcessOutput(t, r.stdout), creds[len(creds)-1])

	setProcessEnv(t, cleanEnv(t, "AWS_CA_BUNDLE="+s.ca))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("spaced"),
		config.WithSharedConfigFiles([]string{cfgFile}), config.WithSharedCredentialsFiles([]string{os.DevNull}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("SDK with the aws-config block: %v\nblock:\n%s", err, hideSecrets(readString(t, cfgFile)))
	}
	creds = s.e.issuedCredentials(t)
	sameAs(t, "SDK credential_process", c, creds[len(creds)-1])
	if len(creds) != 2 {
		t.Errorf("emulator issued %d credential sets, want 2 (one per consumer, --no-cache)", len(creds))
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
