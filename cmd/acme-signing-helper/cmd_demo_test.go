package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// TestDemoNeverShowsSecrets runs the demo with --debug and checks that
// neither the secret access key nor the session token reaches stdout or
// stderr, while the access key ID does.
func TestDemoNeverShowsSecrets(t *testing.T) {
	var stdout, stderr bytes.Buffer
	e := newEnv(strings.NewReader(""), &stdout, &stderr)
	e.lookupEnv = func(string) (string, bool) { return "", false }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e.ctx = ctx
	var creds signer.Credentials
	err := runDemoWith(e, []string{"--debug", "--role-session-name", "654321"}, demoHooks{onCredentials: func(c signer.Credentials) { creds = c }})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr.String())
	}
	if creds.SecretAccessKey == "" || creds.SessionToken == "" || creds.AccessKeyID == "" {
		t.Fatalf("got credentials %v", creds)
	}
	for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
		for _, secret := range []string{creds.SecretAccessKey, creds.SessionToken} {
			if strings.Contains(out, secret) {
				t.Errorf("%s holds a secret", name)
			}
		}
	}
	if !strings.Contains(stdout.String(), `"AccessKeyId":"`+creds.AccessKeyID+`"`) {
		t.Errorf("stdout lacks the access key ID")
	}
	if !strings.Contains(stderr.String(), "CreateSession accepted") {
		t.Errorf("--debug did not log the emulator's decision:\n%s", stderr.String())
	}
}

func TestDemoValidate(t *testing.T) {
	base := demoOptions{domain: "host.example.com", keyType: "p256", duration: 3600}
	for _, tc := range []struct {
		name string
		mod  func(*demoOptions)
		want string
	}{
		{name: "ok", mod: func(*demoOptions) {}},
		{name: "rsa", mod: func(o *demoOptions) { o.keyType = "rsa3072" }},
		{name: "ed25519", mod: func(o *demoOptions) { o.keyType = "ed25519" }, want: "--key-type"},
		{name: "p224", mod: func(o *demoOptions) { o.keyType = "p224" }, want: "--key-type"},
		{name: "empty domain", mod: func(o *demoOptions) { o.domain = "" }, want: "--domain"},
		{name: "path as domain", mod: func(o *demoOptions) { o.domain = "../x" }, want: "--domain"},
		{name: "short", mod: func(o *demoOptions) { o.duration = 899 }, want: "--session-duration"},
		{name: "long", mod: func(o *demoOptions) { o.duration = 43201 }, want: "--session-duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			err := o.validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || hintOf(err) == "" {
				t.Fatalf("got %v (hint %q), want %q with a hint", err, hintOf(err), tc.want)
			}
		})
	}
}
