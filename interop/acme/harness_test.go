package acme

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeChallTestSrv records the management calls the DNS hook makes.
type fakeChallTestSrv struct {
	mu    sync.Mutex
	calls []string // "path host value"
}

func (f *fakeChallTestSrv) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct{ Host, Value string }
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil || body.Host == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, strings.TrimSpace(r.URL.Path+" "+body.Host+" "+body.Value))
	f.mu.Unlock()
}

func TestDNSHookMain(t *testing.T) {
	tests := []struct {
		name      string
		mode      string
		args      []string
		noServer  bool
		wantCode  int
		wantCalls []string
		wantErr   string
	}{
		{"present serves the value", HookServe, []string{"present", "_acme-challenge.a.example.com.", "v1"}, false, 0,
			[]string{"/set-txt _acme-challenge.a.example.com. v1"}, ""},
		{"cleanup clears", HookServe, []string{"cleanup", "_acme-challenge.a.example.com.", "v1"}, false, 0,
			[]string{"/clear-txt _acme-challenge.a.example.com."}, ""},
		{"drop publishes nothing", HookDrop, []string{"present", "_acme-challenge.a.example.com.", "v1"}, false, 0, nil, "not publishing"},
		{"drop still cleans up", HookDrop, []string{"cleanup", "_acme-challenge.a.example.com.", "v1"}, false, 0,
			[]string{"/clear-txt _acme-challenge.a.example.com."}, ""},
		{"wrong publishes another value", HookWrong, []string{"present", "_acme-challenge.a.example.com.", "v1"}, false, 0,
			[]string{"/set-txt _acme-challenge.a.example.com. not-the-key-authorization-digest"}, ""},
		{"unknown mode", "sometimes", []string{"present", "x.", "v"}, false, 2, nil, "unknown"},
		{"raw mode arguments refused", HookServe, []string{"present", "--", "a.example.com", "token", "keyauth"}, false, 2, nil, "usage"},
		{"unknown action", HookServe, []string{"timeout", "x.", "v"}, false, 2, nil, "usage"},
		{"no server", HookServe, []string{"present", "x.", "v"}, true, 2, nil, HookServerEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeChallTestSrv{}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			env := map[string]string{HookModeEnv: tt.mode, HookServerEnv: srv.URL}
			if tt.noServer {
				delete(env, HookServerEnv)
			}
			var stderr bytes.Buffer
			code := DNSHookMain(tt.args, func(k string) string { return env[k] }, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if strings.Join(fake.calls, "|") != strings.Join(tt.wantCalls, "|") {
				t.Errorf("calls %q, want %q", fake.calls, tt.wantCalls)
			}
			if tt.wantErr != "" && !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q, want it to mention %q", stderr.String(), tt.wantErr)
			}
		})
	}
}

func TestDNSHookMainServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	env := map[string]string{HookModeEnv: HookServe, HookServerEnv: url}
	var stderr bytes.Buffer
	if code := DNSHookMain([]string{"present", "x.", "v"}, func(k string) string { return env[k] }, &stderr); code != 1 {
		t.Errorf("exit %d with challtestsrv down, want 1 (stderr %q)", code, stderr.String())
	}
}

// TestCopyTrimmedLego checks the trimmed copy on a miniature lego module.
func TestCopyTrimmedLego(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{
		"go.mod":                                   "module github.com/go-acme/lego/v4\n",
		"cmd/lego/main.go":                         "package main\n",
		"providers/dns/zz_gen_dns_providers.go":    "package dns // every provider\n",
		"providers/dns/exec/exec.go":               "package exec\n",
		"providers/dns/exec/exec_test.go":          "package exec\n",
		"providers/dns/route53/route53.go":         "package route53\n",
		"providers/dns/internal/errutils/a.go":     "package errutils\n",
		"providers/http/memcached/memcached.go":    "package memcached // real\n",
		"providers/http/s3/s3.go":                  "package s3 // real\n",
		"providers/http/webroot/webroot.go":        "package webroot\n",
		"e2e/e2e.go":                               "package e2e\n",
		"challenge/dns01/dns_challenge.go":         "package dns01\n",
		"challenge/dns01/dns_challenge_manual.go":  "package dns01\n",
		"challenge/dns01/fixtures/zone_test.go":    "package fixtures\n",
		"platform/config/env/env.go":               "package env\n",
		"providers/dns/exec/testdata/script.sh.go": "package testdata\n",
	}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "lego")
	if err := copyTrimmedLego(src, dst); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"go.mod", "cmd/lego/main.go", "providers/dns/exec/exec.go", "providers/http/webroot/webroot.go",
		"challenge/dns01/dns_challenge.go", "platform/config/env/env.go"} {
		if _, err := os.Stat(filepath.Join(dst, keep)); err != nil {
			t.Errorf("%s not copied: %v", keep, err)
		}
	}
	for _, drop := range []string{"providers/dns/route53", "providers/dns/internal", "e2e", "providers/dns/exec/exec_test.go"} {
		if _, err := os.Stat(filepath.Join(dst, drop)); !os.IsNotExist(err) {
			t.Errorf("%s copied, want it left out (%v)", drop, err)
		}
	}
	for target, name := range legoReplaced {
		got, err := os.ReadFile(filepath.Join(dst, target))
		if err != nil {
			t.Fatal(err)
		}
		want, err := legoOverlay.ReadFile("testdata/legooverlay/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not testdata/legooverlay/%s", target, name)
		}
	}
	// A second copy over the first starts clean.
	if err := os.WriteFile(filepath.Join(dst, "stale.go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyTrimmedLego(src, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "stale.go")); !os.IsNotExist(err) {
		t.Errorf("stale file survived a new copy: %v", err)
	}
}

func TestChildEnvScrubs(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "1")
	t.Setenv("LEGO_CA_CERTIFICATES", "/elsewhere")
	t.Setenv("ACME_SIGNING_HELPER_ROLE_ARN", "arn:aws:iam::1:role/x")
	t.Setenv("EXEC_PATH", "/bin/true")
	env := childEnv("/tmp/home", "EXTRA=1")
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, bad := range []string{"\nAWS_SECRET_ACCESS_KEY=", "\nPEBBLE_VA_ALWAYS_VALID=", "\nLEGO_CA_CERTIFICATES=", "\nACME_SIGNING_HELPER_ROLE_ARN=", "\nEXEC_PATH="} {
		if strings.Contains(joined, bad) {
			t.Errorf("child environment keeps %s", strings.TrimSpace(bad))
		}
	}
	for _, want := range []string{"\nHOME=/tmp/home\n", "\nEXTRA=1\n"} {
		if !strings.Contains(joined, want) {
			t.Errorf("child environment lacks %s", strings.TrimSpace(want))
		}
	}
	if strings.Count(joined, "\nHOME=") != 1 {
		t.Error("more than one HOME in the child environment")
	}
}

func TestReadChainErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("no pem here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadChain(empty); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("ReadChain of a file without certificates: %v, want an error naming the file", err)
	}
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadChain(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("ReadChain of a broken certificate: %v, want an error naming the file", err)
	}
}
