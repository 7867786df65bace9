package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// startEmulatorCmd runs serve-emulator with args in the background and
// returns its URL and a stop function that returns the command's error
// and stderr.
func startEmulatorCmd(t *testing.T, args ...string) (url string, stop func() (string, error)) {
	t.Helper()
	addr := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	e := newEnv(strings.NewReader(""), &stdout, &stderr)
	e.ctx = ctx
	done := make(chan error, 1)
	go func() { done <- runServeEmulator(e, append(args, "--addr-file", addr)) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(addr)
		if err == nil && len(b) > 0 {
			url = strings.TrimSpace(string(b))
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve-emulator ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("serve-emulator did not write --addr-file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return url, func() (string, error) {
		cancel()
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(10 * time.Second):
			t.Fatal("serve-emulator did not stop")
			return "", nil
		}
	}
}

func emulatorSignerConfig(url string) signer.Config {
	r, a := emulator.DefaultRegion, emulator.DefaultAccountID
	return signer.Config{
		TrustAnchorARN: emulator.DefaultTrustAnchorARN(r, a),
		ProfileARN:     emulator.DefaultProfileARN(r, a),
		RoleARN:        emulator.DefaultRoleARN(r, a),
		Endpoint:       url,
		Timeout:        10 * time.Second,
		MaxBackoff:     10 * time.Millisecond,
	}
}

// TestServeEmulatorRoundTrip gets credentials from the command through the
// real signer, over HTTP (after an injected 429) and HTTPS.
func TestServeEmulatorRoundTrip(t *testing.T) {
	dir := t.TempDir()
	_, f := plainPKI(t, dir, testpki.Options{})
	m, err := signer.Load(signer.LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root.pem")
	ct := filepath.Join(dir, "ct.jsonl")

	t.Run("http", func(t *testing.T) {
		url, stop := startEmulatorCmd(t, "--anchor-cert", root, "--cloudtrail", ct, "--fault", "429", "--session-name-pattern", "^[0-9]{6}$")
		cfg := emulatorSignerConfig(url)
		cfg.RoleSessionName = "123456"
		creds, err := signer.CreateSession(context.Background(), m, cfg)
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SecretAccessKey == "" {
			t.Errorf("got %v", creds)
		}
		cfg.RoleSessionName = "abc"
		if _, err := signer.CreateSession(context.Background(), m, cfg); err == nil || !strings.Contains(err.Error(), "RoleSessionName") {
			t.Errorf("session name abc: got %v, want a refusal naming sts:RoleSessionName", err)
		}
		if stderr, err := stop(); err != nil {
			t.Fatalf("serve-emulator: %v\n%s", err, stderr)
		} else if strings.Contains(stderr, creds.SecretAccessKey) || strings.Contains(stderr, creds.SessionToken) {
			t.Errorf("stderr holds a secret:\n%s", stderr)
		}
		b, err := os.ReadFile(ct)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 {
			t.Fatalf("got %d CloudTrail records, want 2 (the 429 is not recorded):\n%s", len(lines), b)
		}
		var rec emulator.Record
		if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.ResponseElements == nil || rec.ResponseElements.X509Subject != "CN=host.example.com" || rec.RequestParameters.RoleSessionName == nil || *rec.RequestParameters.RoleSessionName != "123456" {
			t.Errorf("got record %s", lines[0])
		}
		if strings.Contains(string(b), creds.SecretAccessKey) || strings.Contains(string(b), creds.SessionToken) {
			t.Error("CloudTrail file holds a secret")
		}
		if st, err := os.Stat(ct); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("CloudTrail file mode %v (%v), want 0600", st.Mode().Perm(), err)
		}
	})

	t.Run("tls", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		url, stop := startEmulatorCmd(t, "--anchor-cert", root, "--tls", "--ca-out", ca, "--fault", "truncate")
		if !strings.HasPrefix(url, "https://127.0.0.1:") {
			t.Fatalf("got URL %q", url)
		}
		cfg := emulatorSignerConfig(url)
		if _, err := signer.CreateSession(context.Background(), m, cfg); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("without AWS_CA_BUNDLE: got %v, want a TLS certificate error", err)
		}
		cfg.CABundle = ca
		cfg.MaxAttempts = 1
		// The first call that reaches the handler gets a truncated body
		// (over HTTP/2 here: the stream is cut short).
		if creds, err := signer.CreateSession(context.Background(), m, cfg); err == nil {
			t.Errorf("truncated answer: got credentials %v, want an error", creds)
		}
		if _, err := signer.CreateSession(context.Background(), m, cfg); err != nil {
			t.Errorf("CreateSession with the CA bundle: %v", err)
		}
		if stderr, err := stop(); err != nil {
			t.Fatalf("serve-emulator: %v\n%s", err, stderr)
		}
	})
}
