package signer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestProxyFromEnvironment runs CreateSession in a child process (the
// standard library reads the proxy variables once per process) against
// http://rolesanywhere.invalid with HTTP_PROXY pointing at the verifying fake
// endpoint, which then sees the absolute-URI request of a proxy client. With
// NO_PROXY naming the host, the child must fail to resolve it instead.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("SIGNER_PROXY_CHILD") != "" {
		proxyChild(t)
		return
	}
	h := newPKI(t, testpki.Options{})
	f := writePlain(t, h)
	ep := newFakeEndpoint(t)
	for _, tt := range []struct {
		name, noProxy string
		want          string
		requests      int
	}{
		{"through the proxy", "", "PASS", 1},
		{"NO_PROXY bypasses it", "rolesanywhere.invalid", "cannot reach", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ep.requests())
			cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$", "-test.v")
			cmd.Env = append(os.Environ(), "SIGNER_PROXY_CHILD=1", "CERT="+f.FullChain, "KEY="+f.Key,
				"HTTP_PROXY="+ep.srv.URL, "http_proxy="+ep.srv.URL, "NO_PROXY="+tt.noProxy, "no_proxy="+tt.noProxy)
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), tt.want) {
				t.Fatalf("child output lacks %q:\n%s", tt.want, out)
			}
			if got := len(ep.requests()) - before; got != tt.requests {
				t.Errorf("the proxy saw %d requests, want %d", got, tt.requests)
			}
		})
	}
}

func proxyChild(t *testing.T) {
	m, err := Load(LoadOptions{Certificate: os.Getenv("CERT"), PrivateKey: os.Getenv("KEY")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig("http://rolesanywhere.invalid")
	cfg.MaxAttempts = 1
	_, err = CreateSession(context.Background(), m, cfg)
	if errors.Is(err, ErrConnect) {
		t.Fatalf("cannot reach: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}
