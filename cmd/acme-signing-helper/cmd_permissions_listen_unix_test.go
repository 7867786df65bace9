//go:build unix

package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestPermissionsListen: listen --output writes the policy atomically on
// SIGHUP and again at SIGTERM; garbage is counted; a non-loopback --host
// is a usage error.
func TestPermissionsListen(t *testing.T) {
	out := filepath.Join(t.TempDir(), "policy.json")
	var stderr syncBuffer
	e := newEnv(strings.NewReader(""), io.Discard, &stderr)
	e.lookupEnv = func(string) (string, bool) { return "", false }
	done := make(chan int, 1)
	go func() { done <- runEnv(e, []string{"permissions", "listen", "--port", "0", "--output", out}) }()
	var addr string
	for i := 0; i < 200 && addr == ""; i++ {
		time.Sleep(10 * time.Millisecond)
		if _, rest, ok := strings.Cut(stderr.String(), "monitoring on "); ok {
			addr, _, _ = strings.Cut(rest, ":")
			addr = addr + ":" + strings.Fields(rest[strings.Index(rest, "AWS_CSM_PORT=")+len("AWS_CSM_PORT="):])[0]
		}
	}
	if addr == "" {
		t.Fatalf("no address in %q", stderr.String())
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`{"Type":"ApiCall","Service":"S3","Api":"ListObjectsV2"}`, "garbage", `{"Type":"ApiCall","Service":"STS","Api":"GetCallerIdentity"}`} {
		c.Write([]byte(m))
	}
	c.Close()
	time.Sleep(100 * time.Millisecond)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	var doc []byte
	for i := 0; i < 200; i++ {
		if doc, err = os.ReadFile(out); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p, err := trustpolicy.Parse(doc); err != nil || len(p.Statement) != 2 {
		t.Fatalf("after SIGHUP: %q %v", doc, err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("listen did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "datagrams 3  api calls 2  attempts 0  malformed 1") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	e2, _, errb := testEnv(nil)
	if code := runEnv(e2, []string{"permissions", "listen", "--host", "0.0.0.0"}); code != 2 || !strings.Contains(errb.String(), "not a loopback address") {
		t.Errorf("--host 0.0.0.0: exit %d %s", code, errb)
	}
}
